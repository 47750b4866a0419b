"""The benchmark scenarios. Adding one is one small function; see bench/core.py.

As pages and endpoints land (agent queue, ticket page, search, API, portal, inbound mail, SLA,
reports), add a ``@page`` scenario for each, with the issue's target in ``target=``.
"""

from __future__ import annotations

import re
import uuid
from itertools import count
from urllib.parse import urlencode

from bench.context import Context
from bench.core import Request, call, page
from bench.fields_dataset import ensure_browser_values
from bench.queries import all_visible, cursor_at, page_of, team_all, team_open_queue
from tickets.mail.outbound import outbound_sweep
from tickets.selectors import messages_visible_to, ticket_get_for_agent
from tickets.services import ticket_create

# --- pages (in-process and over HTTP) --------------------------------------------------------


@page("Login page (anonymous GET)")
def login_page(ctx: Context) -> Request:
    return Request("/login/")


@page("Login page, 8 clients at once (server capacity)", throughput=True, concurrency=8)
def login_page_concurrent(ctx: Context) -> Request:
    return Request("/login/")


@page("Admin ticket changelist (100 rows, with count)")
def admin_ticket_changelist(ctx: Context) -> Request:
    return Request("/admin/tickets/ticket/", user=ctx.admin)


# --- queries and services (in-process) -------------------------------------------------------


@call("Team open queue, page 1 (keyset, 25 rows)", target="p50 ≤ 30 ms (whole page)")
def queue_open_first_page(ctx: Context):
    tickets = team_open_queue(agent=ctx.agent, team=ctx.team)
    return lambda: page_of(tickets, after=None)


@call("All visible tickets, page 1 (keyset, 25 rows)", target="p50 ≤ 30 ms (whole page)")
def all_tickets_first_page(ctx: Context):
    tickets = all_visible(agent=ctx.agent)
    return lambda: page_of(tickets, after=None)


@call("Team's tickets, all statuses, page 1 (keyset)", target="p50 ≤ 30 ms (whole page)")
def team_tickets_first_page(ctx: Context):
    tickets = team_all(agent=ctx.agent, team=ctx.team)
    return lambda: page_of(tickets, after=None)


@call("Team's tickets, all statuses, page 200 (keyset)", target="p50 ≤ 30 ms (whole page)")
def team_tickets_page_200(ctx: Context):
    tickets = team_all(agent=ctx.agent, team=ctx.team)
    after = cursor_at(tickets, page=200)
    return lambda: page_of(tickets, after=after)


@call("Ticket with 20 messages (selectors)", target="p50 ≤ 30 ms (whole page)")
def ticket_conversation(ctx: Context):
    ticket_id = ctx.ticket_with_messages(20)

    def run():
        ticket = ticket_get_for_agent(agent=ctx.agent, ticket_id=ticket_id)
        return list(messages_visible_to(user=ctx.agent, ticket=ticket))

    return run


@call(
    "Ticket create (service, one transaction)",
    target="≥ 300/s over HTTP",
    throughput=True,
    processes=4,
)
def ticket_create_service(ctx: Context):
    numbers = count(1)

    def run():
        n = next(numbers)
        return ticket_create(
            requester=ctx.customer,
            subject=f"Benchmark ticket {n}: the export is slow",
            body="Hello,\n\nThe CSV export takes minutes since this morning.\n\nThanks!",
            by=ctx.agent,
            team=ctx.team,
            tags=["bench", "export"],
        )

    return run


@call("Outbound mail sweep (nothing due)", target="≤ 50 ms")
def outbound_mail_sweep(ctx: Context):
    from tickets.mail.models import OutboundEmail, OutboundStatus
    from tickets.sla.models import SlaTarget

    # The SLA sweep scenarios breach the bench's clocks, which queues escalation mail that no
    # worker sends during a bench: an earlier run's would be due here. They are the bench's own
    # making, so they go, and "nothing due" is true.
    clocks = SlaTarget.objects.filter(pk__in=ctx.sla_clocks(SLA_DUE)).values("ticket_id")
    OutboundEmail.objects.filter(
        kind__startswith="sla_", status=OutboundStatus.PENDING, ticket_id__in=clocks
    ).delete()
    return outbound_sweep


# --- the pages and endpoints of issues 3-8 (in-process and over HTTP) ---------------------------

QUEUE = "/agent/queues/all/"


@page("Agent queue page, first page (all tickets)", target="p50 ≤ 20 ms")
def agent_queue_page(ctx: Context) -> Request:
    return Request(QUEUE, user=ctx.agent)


@page("Agent queue page, page 200 (keyset cursor)", target="p50 ≤ 20 ms")
def agent_queue_page_200(ctx: Context) -> Request:
    from tickets.workspace import queues

    tickets = queues.queue_tickets(queues.BUILTIN_BY_SLUG["all"].params, user=ctx.agent)
    cursor = None
    for _ in range(199):  # follow the "next" links, as an agent paging on would
        page_ = queues.page_of(tickets, sort=None, cursor=cursor, size=queues.DEFAULT_PAGE_SIZE)
        if page_.next_cursor is None:
            break  # a small data set: its last page
        cursor = page_.next_cursor
    return Request(f"{QUEUE}?{urlencode({'after': cursor})}" if cursor else QUEUE, user=ctx.agent)


@page("Ticket page with 20 messages", target="p50 ≤ 30 ms")
def agent_ticket_page(ctx: Context) -> Request:
    return Request(f"/agent/tickets/{ctx.ticket_with_messages(20)}/", user=ctx.agent)


@call("Sidebar counts, an admin who sees every ticket (uncached)", target="p50 ≤ 50 ms")
def sidebar_counts_admin(ctx: Context):
    """What every agent page shows and the sidebar refreshes: the built-in views' counts, each
    capped ("1,000+"), computed afresh each run (the 15-second per-agent cache dropped first)."""
    from django.core.cache import cache

    from tickets.workspace import queues

    admin = ctx.admin

    def run():
        cache.delete(f"workspace:view-counts:{admin.pk}")
        return queues.view_counts(admin)

    return run


def _search(ctx: Context, text: str) -> Request:
    return Request("/agent/search/?" + urlencode({"q": text}), user=ctx.agent)


# seed_scale's messages greet and thank: "hello" is in about 45% of its tickets, "thanks" in 80%.
@page("Search, a word in ~45% of tickets", target="p50 ≤ 100 ms")
def search_common_word(ctx: Context) -> Request:
    return _search(ctx, "hello")


@page("Search, two common words", target="p50 ≤ 100 ms")
def search_common_words(ctx: Context) -> Request:
    return _search(ctx, "hello thanks")


@page("Search, a phrase", target="p50 ≤ 100 ms")
def search_phrase(ctx: Context) -> Request:
    return _search(ctx, '"keeps timing out"')


@page("Search, a word in no ticket", target="p50 ≤ 100 ms")
def search_no_match(ctx: Context) -> Request:
    return _search(ctx, "zyzzogeton")


@page("Search, a ticket reference", target="p50 ≤ 100 ms")
def search_reference(ctx: Context) -> Request:
    return _search(ctx, f"#{ctx.ticket_with_messages(20)}")


@page("Search, one rare word", target="p50 ≤ 100 ms")
def search_rare_word(ctx: Context) -> Request:
    return _search(ctx, ctx.rare_word)


def _bearer(ctx: Context) -> dict[str, str]:
    return {"Authorization": f"Bearer {ctx.agent_token}"}


@page("API ticket list (50, expand=requester,organization)", target="p50 ≤ 25 ms")
def api_ticket_list(ctx: Context) -> Request:
    query = urlencode({"page_size": 50, "expand": "requester,organization"})
    return Request(f"/api/v1/tickets?{query}", headers=_bearer(ctx))


@page("API ticket list filtered by a custom field (?field.browser=firefox, 50)",
      target="p50 ≤ 100 ms", tags=("fields",))  # fmt: skip
def api_ticket_list_custom_field(ctx: Context) -> Request:
    ensure_browser_values()  # issue 17: about 12% of the tickets say firefox
    query = urlencode({"page_size": 50, "field.browser": "firefox"})
    return Request(f"/api/v1/tickets?{query}", headers=_bearer(ctx))


@page("API ticket list filtered by a rare custom field value (?field.browser=lynx, 50)",
      target="p50 ≤ 100 ms", tags=("fields",))  # fmt: skip
def api_ticket_list_custom_field_rare(ctx: Context) -> Request:
    ensure_browser_values()  # one ticket in a thousand
    query = urlencode({"page_size": 50, "field.browser": "lynx"})
    return Request(f"/api/v1/tickets?{query}", headers=_bearer(ctx))


@page("API ticket create", target="≥ 300/s over HTTP (4 workers)", throughput=True, concurrency=4)
def api_ticket_create(ctx: Context):
    headers, requester, team = _bearer(ctx), ctx.customer.pk, ctx.team.pk

    def make(i: int) -> Request:
        body = {
            "subject": f"API benchmark ticket {i}: invoices are missing",
            "body": "Hello,\n\nThe March invoices are not in the portal.\n\nThanks",
            "requester_id": requester,
            "team_id": team,
            "tags": ["bench"],
        }
        return Request("/api/v1/tickets", method="POST", json=body, headers=headers, expect=201)

    return make


@page("API reply create", throughput=True, concurrency=4)
def api_reply_create(ctx: Context):
    headers = _bearer(ctx)
    path = f"/api/v1/tickets/{ctx.ticket_with_messages(20)}/messages"

    def make(i: int) -> Request:
        body = {"body": f"Thanks, we are looking into it ({i})."}
        return Request(path, method="POST", json=body, headers=headers, expect=201)

    return make


# The harness runs with REPORTS_CACHE_SECONDS=0 (bench/__main__.py): every request computes.
@page("Report dashboard, 90 days (computed, uncached)", target="< 1 s", tags=("reports",))
def report_dashboard(ctx: Context) -> Request:
    return Request("/reports/?days=90", user=ctx.admin)


@page("Report dashboard, 90 days, one team", target="< 1 s", tags=("reports",))
def report_dashboard_team(ctx: Context) -> Request:
    return Request(f"/reports/?days=90&team={ctx.team.pk}", user=ctx.admin)


@page("Report dashboard, 90 days, the busiest organization", target="< 1 s", tags=("reports",))
def report_dashboard_organization(ctx: Context) -> Request:
    from django.db.models import Count

    from customers.models import Organization

    busiest = Organization.objects.annotate(n=Count("tickets")).order_by("-n").first()
    org = f"&organization={busiest.pk}" if busiest else ""
    return Request(f"/reports/?days=90{org}", user=ctx.admin)


@page('Portal "my tickets" (customer with the most tickets)', target="p50 ≤ 30 ms")
def portal_my_tickets(ctx: Context) -> Request:
    return Request("/portal/", user=ctx.portal_user)


# --- mail and SLA (in-process) -----------------------------------------------------------------

MESSAGE_ID = re.compile(rb"(?im)^message-id:[^\n]*\n(?:[ \t][^\n]*\n)*")


def fresh_message_id(raw: bytes, n: int) -> bytes:
    """``raw`` with its Message-ID replaced by a new one (so it is stored, not deduplicated)."""
    head, sep, body = raw.partition(b"\n\n")
    if not sep:
        head, sep, body = raw.partition(b"\r\n\r\n")
    head = MESSAGE_ID.sub(b"", head + b"\n")[:-1]
    new = f"Message-ID: <bench-{n}-{uuid.uuid4().hex}@bench.example>\n".encode()
    return new + head + sep + body


@call(
    "Inbound mail ingestion, stdlib email corpus (store + process)",
    target="≥ 100 messages/s per worker process",
    throughput=True,
)
def inbound_mail(ctx: Context):
    from support.errors import DomainError
    from tickets.mail.inbound import inbound_process, inbound_store

    corpus, numbers = ctx.mail_corpus, count()

    def run():
        n = next(numbers)
        raw = fresh_message_id(corpus[n % len(corpus)], n)
        try:
            row, _ = inbound_store(raw=raw, mailbox="bench", source="pipe")
        except DomainError:
            return None  # refused at the door (e.g. not a message): the pipeline's answer too
        return inbound_process(inbound_id=row.pk)

    return run


SLA_DUE = 10_000


@call("SLA sweep, nothing due", target="≤ 50 ms")
def sla_sweep_nothing_due(ctx: Context):
    from tickets.sla.sweep import sla_sweep

    ctx.sla_clocks(SLA_DUE)  # clocks running, none due
    return sla_sweep


@call(f"SLA sweep, up to {SLA_DUE:,} clocks due (incl. the UPDATE making them due)", max_runs=3)
def sla_sweep_many_due(ctx: Context):
    from datetime import timedelta

    from support import clock
    from tickets.sla.models import SlaTarget
    from tickets.sla.sweep import sla_sweep

    ids = ctx.sla_clocks(SLA_DUE)

    def run():
        now = clock.now()
        SlaTarget.objects.filter(pk__in=ids).update(
            state="running",
            breached_at=None,
            warned_at=None,
            due_at=now - timedelta(minutes=1),
            warn_at=now - timedelta(minutes=10),
        )
        return sla_sweep(now=now, time_budget=600)

    return run


# The workflow engine's scenarios (triggers on a change, the idle automation sweep) and the
# knowledge base's search and suggestions at 10,000 articles in 3 languages.
from bench import kb, workflow  # noqa: E402, F401 - registers them
