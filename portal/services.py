"""Every write the portal makes: one-time links, portal accounts, held submissions, and the
customer's side of a ticket (file, reply, solve, reopen). Ticket changes go through
``tickets.services``; mail goes through ``tickets.mail.outbound.email_queue``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.branding import brand
from accounts.models import Role, User, normalize_email
from accounts.services import user_create
from customers.models import Customer
from customers.services import customer_get_or_create
from portal.models import LinkPurpose, PendingAttachment, PendingSubmission, PortalLink
from products.models import Component, Product, Version
from products.services import check_product_choice
from support import clock
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from support.i18n import language_for
from tickets.fields.models import TicketForm
from tickets.fields.services import fields_clean
from tickets.fields.ticket_forms import form_check
from tickets.mail.outbound import email_queue
from tickets.models import Channel, Message, Priority, Status, Ticket
from tickets.services import (
    check_attachments,  # the one attachment rule, applied before a held submission is stored
    ticket_change_status,
    ticket_create,
    ticket_reply,
)

SALT = "portal.link"
FOLLOW_UP_TAG = "follow-up-of:{id}"


# --- settings-driven choices ----------------------------------------------------------------


def categories() -> list[tuple[str, str]]:
    """Product areas from ``PORTAL_CATEGORIES`` ("slug:Label" pairs)."""
    pairs = []
    for item in settings.PORTAL_CATEGORIES:
        slug, _sep, label = item.partition(":")
        slug = slug.strip().lower()
        if slug:
            pairs.append((slug, label.strip() or slug))
    return pairs


def category_tag(slug: str) -> str:
    return f"area:{slug}"


def _check_submission(
    *, subject: str, body: str, category: str, priority: str, attachments: Sequence[File]
) -> None:
    if category and category not in dict(categories()):
        raise ValidationFailed(_("Pick a product area from the list."), field="category")
    if priority and (not settings.PORTAL_ALLOW_PRIORITY or priority not in Priority.values):
        raise ValidationFailed(_("Pick a priority from the list."), field="priority")
    if len(attachments) > settings.PORTAL_MAX_ATTACHMENTS:
        raise ValidationFailed(
            _("You can attach at most %(count)d files.")
            % {"count": settings.PORTAL_MAX_ATTACHMENTS},
            field="attachments",
        )
    check_attachments(attachments)
    if not " ".join(subject.split()):
        raise ValidationFailed(_("Tell us briefly what it's about."), field="subject")
    if not body.strip():
        raise ValidationFailed(_("Describe what happened."), field="body")


# --- one-time links -------------------------------------------------------------------------


def _link_create(
    *,
    purpose: str,
    email: str,
    submission: PendingSubmission | None = None,
    next_path: str = "",
) -> str:
    link = PortalLink.objects.create(
        purpose=purpose, email=email, submission=submission, next_path=next_path
    )
    token = signing.dumps({"n": link.nonce, "p": purpose}, salt=SALT, compress=True)
    name = "portal:sign-in-confirm" if purpose == LinkPurpose.SIGN_IN else "portal:submit-confirm"
    return settings.SITE_URL + reverse(name, args=[token])


@transaction.atomic
def link_consume(*, token: str, purpose: str) -> PortalLink:
    """Check a mailed link and use it up. Raises ``ValidationFailed`` for a bad, expired or
    already used link."""
    max_age = settings.PORTAL_LINK_MAX_AGE
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationFailed(
            _("This link has expired. Links work for %(minutes)d minutes; ask for a new one.")
            % {"minutes": max_age // 60}
        ) from None
    except signing.BadSignature:
        raise ValidationFailed(_("This link is not valid. Ask for a new one.")) from None
    if data.get("p") != purpose:
        raise ValidationFailed(_("This link is not valid. Ask for a new one."))
    link = (
        PortalLink.objects.select_for_update().filter(nonce=data.get("n"), purpose=purpose).first()
    )
    if link is None:
        raise ValidationFailed(_("This link is not valid. Ask for a new one."))
    now = clock.now()
    if link.used_at is not None:
        raise ValidationFailed(_("This link was already used. Ask for a new one."))
    if link.created_at < now - timedelta(seconds=max_age):
        raise ValidationFailed(
            _("This link has expired. Links work for %(minutes)d minutes; ask for a new one.")
            % {"minutes": max_age // 60}
        )
    link.used_at = now
    link.save(update_fields=["used_at"])
    return link


def mail_language(email: str) -> str:
    """The language of mail to ``email``: the contact's ``locale``, else (no contact yet) the
    language the request is read in (the visitor's browser or language choice)."""
    customer = Customer.objects.with_email(normalize_email(email)).only("locale").first()
    if customer is not None:
        return language_for(customer.locale)
    return language_for(translation.get_language())


def portal_mail_queue(
    *, kind: str, to: str, template: str, context: dict, subject: str, **extra
) -> None:
    """Queue one of the portal's mails to a customer (``portal/email/<template>.txt``). The
    caller renders ``subject`` inside ``translation.override(mail_language(to))`` too."""
    context = {"site_name": brand().portal_site_name, **context}
    email_queue(
        kind=kind,
        to=[to],
        subject=subject,
        body_text=render_to_string(f"portal/email/{template}.txt", context),
        headers={
            "Auto-Submitted": "auto-generated",
            "Content-Language": translation.get_language(),
        },
        **extra,
    )


# --- accounts -------------------------------------------------------------------------------


def _staff_address(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exclude(role=Role.CUSTOMER).exists()


@transaction.atomic
def signin_link_request(*, email: str, next_path: str = "") -> None:
    """Mail a one-time sign-in link. Anyone may ask (a first sign-in creates the contact when the
    link is confirmed); agents' addresses get nothing, and the caller shows the same page either
    way, so the form can't be used to find out who is a customer."""
    email = normalize_email(email)
    if _staff_address(email):
        return
    if not next_path.startswith("/portal/") or "//" in next_path:
        next_path = ""
    url = _link_create(purpose=LinkPurpose.SIGN_IN, email=email, next_path=next_path)
    with translation.override(mail_language(email)):
        portal_mail_queue(
            kind="portal_sign_in",
            to=email,
            template="sign_in",
            context={"url": url, "minutes": settings.PORTAL_LINK_MAX_AGE // 60},
            subject=_("Your sign-in link for %(site)s") % {"site": brand().portal_site_name},
        )


@transaction.atomic
def portal_account_ensure(*, email: str, name: str = "") -> User | None:
    """The portal login for ``email``, made on first use and linked to its contact (whose
    organization comes from the email domain). ``None`` for an agent's address."""
    email = normalize_email(email)
    # A first visit's language (browser or choice) becomes the new contact's language.
    customer = customer_get_or_create(
        email=email, name=name, locale=language_for(translation.get_language())
    )
    while customer.merged_into_id:
        customer = customer.merged_into
    if customer.user_id:
        return customer.user if customer.user.is_customer else None
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(
            email=email, name=customer.name, role=Role.CUSTOMER, time_zone=customer.time_zone
        )
    elif not user.is_customer:
        return None
    customer.user = user
    customer.save(update_fields=["user"])
    return user


def signin_confirm(*, token: str) -> tuple[User, str]:
    """Use a sign-in link: the customer's portal login, and the portal page they were after."""
    link = link_consume(token=token, purpose=LinkPurpose.SIGN_IN)
    user = portal_account_ensure(email=link.email)
    if user is None or not user.is_active:
        raise NotPermitted(_("This address can't sign in to the portal."))
    return user, link.next_path


def portal_set_password(*, user: User, password: str) -> User:
    if not user.is_customer:
        raise NotPermitted(_("Only customers set their password here."))
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# --- tickets --------------------------------------------------------------------------------


@transaction.atomic
def ticket_submit(
    *,
    customer: Customer,
    subject: str,
    body: str,
    category: str = "",
    priority: str = "",
    attachments: Sequence[File] = (),
    tags: Sequence[str] = (),
    product: Product | None = None,
    version: Version | None = None,
    component: Component | None = None,
    fields: dict | None = None,
    form: TicketForm | None = None,
) -> Ticket:
    """File a ticket from the portal for a confirmed customer; once it is filed, they are mailed
    its reference (``portal.handlers``, from the ticket's ``created`` event)."""
    _check_submission(
        subject=subject, body=body, category=category, priority=priority, attachments=attachments
    )
    ticket = ticket_create(
        requester=customer,
        by=customer,
        subject=subject,
        body=body,
        channel=Channel.PORTAL,
        priority=priority or Priority.NORMAL,
        tags=[*tags, *([category_tag(category)] if category else [])],
        attachments=attachments,
        product=product,
        version=version,
        component=component,
        fields=fields,
        form=form,
    )
    return ticket


@transaction.atomic
def submission_hold(
    *,
    email: str,
    name: str,
    subject: str,
    body: str,
    category: str = "",
    priority: str = "",
    attachments: Sequence[File] = (),
    product: Product | None = None,
    version: Version | None = None,
    component: Component | None = None,
    fields: dict | None = None,
    form: TicketForm | None = None,
) -> PendingSubmission:
    """Keep a signed-out visitor's ticket until the address confirms it through a mailed link."""
    _check_submission(
        subject=subject, body=body, category=category, priority=priority, attachments=attachments
    )
    check_product_choice(product=product, version=version, component=component, for_new=True)
    # Custom fields and the form: checked as the ticket will check them (a customer's).
    values = fields_clean(fields or {}, current={}, customer=True)
    form_check(
        form,
        values=values,
        catalog={"product": product, "version": version, "component": component},
        customer=True,
    )
    email = normalize_email(email)
    submission = PendingSubmission.objects.create(
        email=email,
        name=name.strip()[:200],
        subject=" ".join(subject.split())[:250],
        body=body.strip(),
        category=category,
        priority=priority,
        product=product,
        version=version,
        component=component,
        fields=values,
        form=form,
    )
    for upload in attachments:
        pending = PendingAttachment(
            submission=submission,
            name=upload.name[:255],
            size=upload.size,
            content_type=getattr(upload, "content_type", None) or "application/octet-stream",
        )
        pending.file.save(upload.name, upload, save=False)
        pending.save()
    url = _link_create(purpose=LinkPurpose.SUBMISSION, email=email, submission=submission)
    with translation.override(mail_language(email)):
        portal_mail_queue(
            kind="portal_confirm_submission",
            to=email,
            template="confirm_submission",
            context={
                "url": url,
                "submission": submission,
                "minutes": settings.PORTAL_LINK_MAX_AGE // 60,
            },
            subject=_("Please confirm your request to %(site)s")
            % {"site": brand().portal_site_name},
        )
    return submission


@transaction.atomic
def submission_confirm(*, token: str) -> tuple[Ticket, User | None]:
    """File a held submission once its address is confirmed; the confirmation also signs the
    customer in (their portal account is made if needed)."""
    link = link_consume(token=token, purpose=LinkPurpose.SUBMISSION)
    submission = PendingSubmission.objects.select_for_update().get(pk=link.submission_id)
    if submission.ticket_id:
        raise ValidationFailed(_("This request was already confirmed."))
    user = portal_account_ensure(email=submission.email, name=submission.name)
    customer = customer_get_or_create(
        email=submission.email,
        name=submission.name,
        locale=language_for(translation.get_language()),
    )
    while customer.merged_into_id:
        customer = customer.merged_into
    files = []
    for pending in submission.attachments.all():
        handle = pending.file.open("rb")
        upload = File(handle, name=pending.name)
        upload.content_type = pending.content_type
        files.append(upload)
    try:
        ticket = ticket_submit(
            customer=customer,
            subject=submission.subject,
            body=submission.body,
            category=submission.category,
            priority=submission.priority,
            attachments=files,
            product=submission.product,
            version=submission.version,
            component=submission.component,
            fields=submission.fields,
            form=submission.form,
        )
    finally:
        for upload in files:
            upload.close()
    submission.ticket = ticket
    submission.save(update_fields=["ticket"])
    for pending in submission.attachments.all():
        pending.file.delete(save=False)
    submission.attachments.all().delete()
    return ticket, user


def needs_follow_up(ticket: Ticket) -> bool:
    """A ticket closed, or solved longer ago than the reopen window, takes no more replies."""
    if ticket.status == Status.CLOSED:
        return True
    if ticket.status == Status.SOLVED and ticket.solved_at:
        return ticket.solved_at < clock.now() - timedelta(days=settings.PORTAL_REOPEN_DAYS)
    return False


def follow_up_tag(ticket: Ticket) -> str:
    return FOLLOW_UP_TAG.format(id=ticket.pk)


@transaction.atomic
def customer_reply(
    *, ticket: Ticket, customer: Customer, body: str, attachments: Sequence[File] = ()
) -> tuple[Ticket, Message | None]:
    """Reply to a ticket; past the reopen window the reply starts a new ticket, tagged with the
    original's number. Returns the ticket the reply landed on (and the message, if a reply)."""
    if len(attachments) > settings.PORTAL_MAX_ATTACHMENTS:
        raise ValidationFailed(
            _("You can attach at most %(count)d files.")
            % {"count": settings.PORTAL_MAX_ATTACHMENTS},
            field="attachments",
        )
    if needs_follow_up(ticket):
        subject = _("Follow-up to %(ref)s: %(subject)s") % {
            "ref": ticket.reference,
            "subject": ticket.subject,
        }
        follow_up = ticket_submit(
            customer=customer,
            subject=subject[:250],
            body=body,
            attachments=attachments,
            tags=[follow_up_tag(ticket)],
        )
        return follow_up, None
    message = ticket_reply(
        ticket=ticket, body=body, by=customer, attachments=attachments, channel=Channel.PORTAL
    )
    return ticket, message


def customer_solve(*, ticket: Ticket, customer: Customer) -> Ticket:
    if ticket.status in (Status.SOLVED, Status.CLOSED):
        raise InvalidChange(_("This ticket is already solved."))
    return ticket_change_status(ticket=ticket, status=Status.SOLVED, by=customer)


def customer_reopen(*, ticket: Ticket, customer: Customer) -> Ticket:
    if ticket.status != Status.SOLVED:
        raise InvalidChange(_("Only a solved ticket can be reopened."))
    if needs_follow_up(ticket):
        raise InvalidChange(
            _(
                "This ticket was solved more than %(days)d days ago. Write a reply below and "
                "we'll open a new ticket that refers to it."
            )
            % {"days": settings.PORTAL_REOPEN_DAYS}
        )
    return ticket_change_status(ticket=ticket, status=Status.OPEN, by=customer)


@transaction.atomic
def customer_set_time_zone(*, customer: Customer, time_zone: str) -> Customer:
    """Dates in the portal (and in mail) are shown in this zone."""
    import zoneinfo

    if time_zone not in zoneinfo.available_timezones():
        raise ValidationFailed(_("Pick a time zone from the list."), field="time_zone")
    customer.time_zone = time_zone
    customer.save(update_fields=["time_zone"])
    if customer.user_id:
        User.objects.filter(pk=customer.user_id).update(time_zone=time_zone)
    return customer


def portal_cleanup(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Forget what the portal no longer needs: held submissions nobody confirmed (and their
    files) and old links. Returns how many submissions were dropped."""
    cutoff = clock.now() - older_than
    stale = PendingSubmission.objects.filter(ticket__isnull=True, created_at__lt=cutoff)
    count = 0
    for submission in stale.prefetch_related("attachments"):
        for pending in submission.attachments.all():
            pending.file.delete(save=False)
        submission.delete()
        count += 1
    PendingSubmission.objects.filter(ticket__isnull=False, created_at__lt=cutoff).delete()
    PortalLink.objects.filter(created_at__lt=cutoff, submission__isnull=True).delete()
    return count
