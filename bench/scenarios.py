"""The benchmark scenarios. Adding one is one small function; see bench/core.py.

As pages and endpoints land (agent queue, ticket page, search, API, portal, inbound mail, SLA,
reports), add a ``@page`` scenario for each, with the issue's target in ``target=``.
"""

from __future__ import annotations

from itertools import count

from bench.context import Context
from bench.core import Request, call, page
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
    return outbound_sweep
