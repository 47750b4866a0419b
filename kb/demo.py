# ruff: noqa: E501 - article text reads better unwrapped
"""Demo help center: four categories of product docs for the demo's SaaS workspace app, about
twenty published articles (a few also in German and Spanish, ``kb.demo_translations``), one
internal-only playbook and one draft.

Assumes the base demo data (admin@example.com). Idempotent: does nothing once articles exist.
"""

from __future__ import annotations

import random

from accounts.models import User
from kb import demo_translations, services
from kb.models import Article, Category, KbSettings, Section

# (category, description, [(section, [(title, summary, tags, body), ...]), ...])
HELP_CENTER = [
    (
        "Getting started",
        "Set up your workspace, invite your team and find your way around.",
        [
            (
                "Your workspace",
                [
                    (
                        "Invite teammates to your workspace",
                        "Send invitations by e-mail or share a join link with your domain.",
                        "onboarding, invite, seats",
                        """Only workspace **owners** and **admins** can invite people.

## Invite by e-mail

1. Open **Settings → Members**.
2. Click **Invite people** and enter one or more e-mail addresses, separated by commas.
3. Pick a role: *Member* (default), *Admin* or *Guest*.
4. Click **Send invitations**.

Each invitation is valid for 7 days. You can resend or revoke it from the *Pending* tab.

## Let colleagues join with your company domain

Under **Settings → Members → Join by domain**, add your company's domain (for example
`example.com`). Anyone who signs up with an address at that domain joins as a Member.

> Each new member takes a seat on your plan. See [How seats are billed](/help/articles/en/how-seats-are-billed/).
""",
                    ),
                    (
                        "Change the owner of your account",
                        "Hand ownership to another admin, for example when someone leaves.",
                        "account, owner",
                        """A workspace has exactly one **owner**, who manages billing and can delete the workspace.

1. Make sure the new owner is already an **Admin** (Settings → Members).
2. As the current owner, open **Settings → General → Ownership**.
3. Choose the new owner and confirm with your password.

The former owner stays on as an Admin. If the owner has left your company and can't sign in,
send us a request from the owner's company address domain and we'll help verify the change.
""",
                    ),
                    (
                        "Find your way around the dashboard",
                        "A short tour of projects, the activity feed and search.",
                        "how-to, dashboard",
                        """The dashboard has three areas:

- **Projects** on the left: star a project to pin it to the top.
- **Activity** in the middle: what changed in the projects you follow.
- **Search** at the top (press <kbd>/</kbd>): documents, people and projects.

Press <kbd>?</kbd> anywhere to see every keyboard shortcut.
""",
                    ),
                ],
            ),
            (
                "Data in and out",
                [
                    (
                        "Export your data to CSV",
                        "Download projects, documents and members as CSV files.",
                        "export, csv, how-to",
                        """Admins can export a workspace's data at any time.

1. Go to **Settings → Data → Export**.
2. Choose what to export: projects, documents, members or everything.
3. Click **Start export**. We e-mail you a download link when the file is ready
   (usually within a few minutes; large workspaces can take up to an hour).

The link works for 24 hours. Exports are UTF-8 CSV files with a header row, one file per type,
in a ZIP archive.

**Can't find the Export button?** It is only shown to Admins and the Owner.
""",
                    ),
                    (
                        "Import records from a CSV file",
                        "Bring in up to 50,000 rows per file; check the column mapping first.",
                        "import, csv",
                        """1. Go to **Settings → Data → Import** and choose your file.
2. Map each column to a field. Unmapped columns are skipped.
3. Click **Check file**: we report rows with errors before anything is imported.
4. Click **Import**.

## Limits

| | Limit |
|---|---|
| Rows per file | 50,000 |
| File size | 20 MB |
| Encoding | UTF-8 (save from Excel as *CSV UTF-8*) |

If an import stops at row 10,000, your file probably has a stray line break inside a quoted
field on that row. Open it in a text editor and check the row named in the error report.
""",
                    ),
                ],
            ),
        ],
    ),
    (
        "Account and sign-in",
        "Passwords, two-factor authentication, single sign-on and notifications.",
        [
            (
                "Signing in",
                [
                    (
                        "Reset your password",
                        "Request a reset link; it works for one hour.",
                        "login, password",
                        """1. On the sign-in page, click **Forgot password?**
2. Enter your account's e-mail address and click **Send link**.
3. Open the link in the e-mail within one hour and choose a new password.

## The e-mail doesn't arrive

- Check your spam or junk folder for mail from `no-reply@example.com`.
- Ask your IT team to allow that address; some company filters hold automated mail.
- If your workspace uses single sign-on, reset your password with your identity provider instead
  — we don't store a password for SSO accounts.
""",
                    ),
                    (
                        "Turn on two-factor authentication",
                        "Protect your account with an authenticator app.",
                        "security, 2fa, login",
                        """1. Open **Profile → Security**.
2. Click **Turn on two-factor authentication**.
3. Scan the QR code with an authenticator app (1Password, Google Authenticator, Authy…).
4. Enter the six-digit code to confirm, then **save your recovery codes** somewhere safe.

Admins can require two-factor authentication for everyone under **Settings → Security**.
""",
                    ),
                    (
                        "Set up single sign-on (SAML)",
                        "Connect Okta, Microsoft Entra ID or Google Workspace on the Business plan.",
                        "sso, saml, security",
                        """Single sign-on is available on the **Business** plan.

1. In your identity provider, create a SAML 2.0 app with:
   - ACS URL: `https://app.example.com/sso/saml/acs`
   - Entity ID: `https://app.example.com/sso/saml/metadata`
   - Name ID format: *EmailAddress*
2. In **Settings → Security → Single sign-on**, paste the provider's metadata URL.
3. Click **Test sign-in** before you turn on **Require SSO**.

## "SAML response not valid"

This almost always means the clocks differ or the certificate changed. Re-download the metadata
in step 2; if it still fails, send us the time of the attempt and we'll look it up in the logs.
""",
                    ),
                ],
            ),
            (
                "Notifications",
                [
                    (
                        "Change your notification settings",
                        "Choose which e-mails and in-app notifications you get.",
                        "notifications, how-to",
                        """Open **Profile → Notifications**. For each kind of activity you can choose
*In app*, *E-mail* or *Off*:

- Mentions and replies to you (recommended: e-mail)
- Changes in projects you follow
- A daily or weekly digest

Mute a single project from its **⋯ → Mute notifications** menu.
""",
                    ),
                    (
                        "Use dark mode",
                        "Switch the interface to a dark theme or follow your system setting.",
                        "dark mode, appearance",
                        """Open **Profile → Appearance** and choose *Light*, *Dark* or *System*.
*System* follows your operating system's setting and changes with it.
""",
                    ),
                ],
            ),
        ],
    ),
    (
        "Billing and plans",
        "Plans, invoices, payment methods and refunds.",
        [
            (
                "Plans and seats",
                [
                    (
                        "How seats are billed",
                        "You pay for each member; guests are free. Changes are prorated.",
                        "billing, seats",
                        """Every **Member** and **Admin** takes a seat; **Guests** are free.

- Adding a member mid-cycle charges a prorated amount on your next invoice.
- Removing a member frees the seat at once and credits the unused time to your balance.
- Credits are used on your next invoices; they are not paid out.
""",
                    ),
                    (
                        "Upgrade or downgrade your plan",
                        "Move between Team and Business at any time from the billing page.",
                        "upgrade, plans, billing",
                        """1. Open **Settings → Billing** (Owner only).
2. Click **Change plan** and pick the plan.
3. Review the prorated amount and confirm.

An **upgrade** starts immediately; you pay the difference for the rest of the period.
A **downgrade** takes effect at the end of the current period, so you keep your Business features
until then.
""",
                    ),
                ],
            ),
            (
                "Invoices and payment",
                [
                    (
                        "Add a VAT number to your invoices",
                        "Enter your company's VAT ID so it appears on every future invoice.",
                        "invoice, vat, billing",
                        """1. Open **Settings → Billing → Billing details**.
2. Enter your company name, address and **VAT ID** (with the country prefix, e.g. `DE123456789`).
3. Save.

The VAT ID appears on all invoices issued from now on. For a reissued past invoice, send us a
request with the invoice number.
""",
                    ),
                    (
                        "Update your payment method",
                        "Change the card we charge, or switch to paying by invoice.",
                        "billing, card, payment",
                        """Open **Settings → Billing → Payment method** and click **Replace card**.

If a renewal payment was **declined**, we retry three times over seven days and e-mail the Owner
each time. Updating the card triggers an immediate retry.

Yearly Business plans can pay by bank transfer against an invoice: ask us from the Owner's account.
""",
                    ),
                    (
                        "I was charged twice",
                        "Usually a pending authorisation that disappears within days.",
                        "billing, refund",
                        """Before a charge, your bank may show a temporary **authorisation**. If a
payment is retried, you can briefly see two lines; the authorisation disappears within 3–5
business days.

Check **Settings → Billing → Invoices**: if you see two *paid* invoices for the same period, send
us a request with both invoice numbers and we'll refund the duplicate.
""",
                    ),
                    (
                        "Refunds for unused seats",
                        "Removing members credits your balance; cash refunds are by request.",
                        "refund, seats",
                        """Removing a member credits the unused time to your account balance
automatically (see [How seats are billed](/help/articles/en/how-seats-are-billed/)).

For a refund to your card instead — for example when you close your workspace — send us a request
from the Owner's account within 30 days of the charge.
""",
                    ),
                ],
            ),
        ],
    ),
    (
        "Integrations and API",
        "Connect other tools, use the REST API and receive webhooks.",
        [
            (
                "API",
                [
                    (
                        "Get started with the REST API",
                        "Create a token, make your first request and read the rate limits.",
                        "api, token",
                        """1. Open **Profile → API tokens** and click **New token**. Copy it: we show it once.
2. Send it as a Bearer token:

```
curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/projects
```

## Rate limits

Each token may make **600 requests per minute**. Above that you get HTTP `429` with a
`Retry-After` header: wait that many seconds.
""",
                    ),
                    (
                        "The API returns 502 or 504",
                        "Large list requests can time out; page through results instead.",
                        "api, errors",
                        """A `502` or `504` on a list endpoint usually means the request asked for too
much at once. Use `?limit=100` and follow the `next` link in each response.

If single-object requests fail too, check our status page, then send us the request's
`X-Request-Id` response header so we can trace it.
""",
                    ),
                ],
            ),
            (
                "Webhooks and apps",
                [
                    (
                        "Receive webhooks",
                        "Get a signed HTTP POST when something changes in your workspace.",
                        "webhooks, api",
                        """1. Open **Settings → Integrations → Webhooks** and click **Add endpoint**.
2. Enter your HTTPS URL and choose the events.
3. Copy the **signing secret** and check the `X-Signature` header on each delivery.

We retry failed deliveries with backoff for up to 24 hours. If deliveries arrive late, check that
your endpoint answers within 10 seconds with a `2xx` status.
""",
                    ),
                    (
                        "Connect Slack",
                        "Post project activity to a Slack channel.",
                        "slack, integrations",
                        """1. Open **Settings → Integrations → Slack** and click **Connect**.
2. Approve the app in Slack and pick a channel.
3. Choose which projects post to it.

To stop, click **Disconnect**, or remove the app from your Slack workspace.
""",
                    ),
                    (
                        "Use the mobile app",
                        "Install the iOS or Android app and sign in with your workspace.",
                        "mobile",
                        """Install the app from the App Store or Google Play and sign in with your
workspace address. If the Android app closes at startup, update it to the latest version and
clear its cache (**Android Settings → Apps → Example → Storage → Clear cache**).
""",
                    ),
                ],
            ),
        ],
    ),
]

INTERNAL = (
    "Billing",
    "Refund approval policy (agents)",
    "Who may approve which refunds, and how to record them.",
    "refund, policy",
    """**Internal — do not send to customers.**

- Up to 1 month of one plan: any Billing agent may refund.
- More than 1 month or more than 500 EUR: the Billing team lead approves in the ticket (internal
  note), then refund.
- Always tag the ticket `refund` and write the refund id from the billing tool in an internal note.
""",
)

DRAFT = (
    "Webhooks and apps",
    "Connect Microsoft Teams",
    "Post project activity to a Teams channel (coming soon).",
    "teams, integrations",
    "The Microsoft Teams app is in review. This article goes live with it.\n",
)


def seed(*, rng: random.Random) -> None:
    if Article.objects.exists():
        return
    author = User.objects.filter(email="admin@example.com").first()
    if author is None:
        return
    sections: dict[str, Section] = {}
    for position, (name, description, section_list) in enumerate(HELP_CENTER):
        category = Category.objects.create(
            name=name,
            slug=_slug(name),
            description=description,
            position=position,
        )
        for section_position, (section_name, articles) in enumerate(section_list):
            section = Section.objects.create(
                category=category,
                name=section_name,
                slug=_slug(section_name),
                position=section_position,
            )
            sections[section_name] = section
            for title, summary, tags, body in articles:
                article = services.article_save(
                    by=author, section=section, title=title, summary=summary, tags=tags, body=body
                )
                services.article_publish(article=article, by=author)
    billing = sections["Invoices and payment"]
    _, title, summary, tags, body = INTERNAL
    internal = services.article_save(
        by=author,
        section=billing,
        title=title,
        summary=summary,
        tags=tags,
        body=body,
        internal=True,
    )
    services.article_publish(article=internal, by=author)
    _, title, summary, tags, body = DRAFT
    services.article_save(
        by=author,
        section=sections["Webhooks and apps"],
        title=title,
        summary=summary,
        tags=tags,
        body=body,
    )
    demo_translations.seed(author=author)
    # The demo's confirmation mails suggest up to three matching articles.
    KbSettings.objects.update_or_create(pk=1, defaults={"confirmation_articles": True})


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)
