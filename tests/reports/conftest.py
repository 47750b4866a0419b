"""A small fixed data set for the report tests, with every figure worked out by hand in the
tests: seven tickets, five CSAT surveys, four feedback links and (``sla_data``) fourteen SLA
clocks, over 1–10 March 2026 (``rf``)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from feedback.models import CsatSurvey, FeedbackItem, TicketFeedbackLink
from reports.filters import ReportFilter
from tests import factories
from tickets.models import Channel, Status, Ticket, ticket_keys_of

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
H = 3600


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_reports(settings):
    """Each test computes its own report (no dashboard reused from another test's data)."""
    settings.REPORTS_CACHE_SECONDS = 0


@pytest.fixture
def data(db):
    t1, t2 = factories.TeamFactory(name="Alpha"), factories.TeamFactory(name="Beta")
    a1 = factories.AgentFactory(teams=[t1], name="Ann")
    a2 = factories.AgentFactory(teams=[t2], name="Bo")
    org = factories.OrganizationFactory(name="Org One")
    c1 = factories.CustomerFactory(organization=org)
    c3 = factories.CustomerFactory(organization=org)

    def ticket(
        created,
        *,
        fr=None,
        solved=None,
        status=Status.OPEN,
        team,
        agent=None,
        requester=None,
        channel=Channel.WEB,
        tags=(),
    ):
        t = factories.TicketFactory(
            created_at=created,
            first_responded_at=created + timedelta(hours=fr) if fr is not None else None,
            solved_at=solved,
            closed_at=solved + timedelta(days=1) if status == Status.CLOSED else None,
            status=status,
            team=team,
            assignee=agent,
            channel=channel,
            **({"requester": requester} if requester else {}),
        )
        for name in tags:
            t.tags.add(factories.TagFactory(name=name))
        return t

    T = {}
    T[1] = ticket(
        at(1, 10),
        fr=1,
        solved=at(2, 10),
        status=Status.SOLVED,
        team=t1,
        agent=a1,
        requester=c1,
        channel=Channel.EMAIL,
        tags=["billing"],
    )
    T[2] = ticket(
        at(1, 12),
        fr=2,
        solved=at(1, 16),
        status=Status.SOLVED,
        team=t1,
        agent=a1,
        tags=["billing", "bug"],
    )
    T[3] = ticket(
        at(3, 9),
        fr=4,
        solved=at(5, 9),
        status=Status.CLOSED,
        team=t2,
        agent=a2,
        requester=c3,
        channel=Channel.EMAIL,
        tags=["bug"],
    )
    T[4] = ticket(at(5, 8), fr=10, team=t2, agent=a2, tags=["billing"])
    T[5] = ticket(at(9, 0), status=Status.NEW, team=t1, channel=Channel.EMAIL)
    T[6] = ticket(
        at(20, 0, month=2), fr=6, solved=at(4, 0), status=Status.SOLVED, team=t1, agent=a1
    )
    T[7] = ticket(at(1, 0, month=2), status=Status.PENDING, team=t2, agent=a2)

    def survey(t, sent, rating=""):
        CsatSurvey.objects.create(
            ticket=t,
            customer=t.requester,
            token=f"tok{t.pk}",
            due_at=sent,
            sent_at=sent,
            rating=rating,
            answered_at=sent + timedelta(hours=1) if rating else None,
            **ticket_keys_of(t),
        )

    survey(T[1], at(3), "good")
    survey(T[2], at(2), "bad")
    survey(T[3], at(6))
    survey(T[6], at(5), "good")
    survey(T[7], at(25, month=2), "good")  # sent before the range

    x = FeedbackItem.objects.create(title="SSO")
    y = FeedbackItem.objects.create(title="Dark mode")

    def link(t, item, when):
        TicketFeedbackLink.objects.create(
            ticket=t, item=item, customer=t.requester, organization=t.organization, created_at=when
        )

    link(T[1], x, at(2))
    link(T[3], x, at(4))
    link(T[6], x, at(25, month=2))  # before the range
    link(T[2], y, at(6))
    return {"t1": t1, "t2": t2, "a1": a1, "a2": a2, "org": org, "T": T, "x": x, "y": y}


def rf(**kw) -> ReportFilter:
    return ReportFilter(start=date(2026, 3, 1), end=date(2026, 3, 10), tz=ZoneInfo("UTC"), **kw)


@pytest.fixture
def sla_data(data):
    """SLA clocks on the fixed tickets, with their stored outcomes (as the SLA engine leaves
    them). Range 1–10 March; outcome = breached_at if breached, else met_at."""
    from tickets.sla.models import SlaTarget, TargetKind, TargetState

    T = data["T"]
    FR, NR, RES = TargetKind.FIRST_RESPONSE, TargetKind.NEXT_REPLY, TargetKind.RESOLUTION
    MET, RUN = TargetState.MET, TargetState.RUNNING

    def clock_(t, kind, started, due, *, state=MET, met=None, breached=None, business=None):
        SlaTarget.objects.create(
            ticket=t,
            kind=kind,
            state=state,
            target_minutes=60,
            started_at=started,
            due_at=due,
            warn_at=due - timedelta(minutes=15),
            paused_since=due if state == TargetState.PAUSED else None,
            met_at=met,
            breached_at=breached,
            business_seconds_taken=business,
            **ticket_keys_of(t),
        )

    clock_(T[1], FR, at(1, 10), at(1, 14), met=at(1, 11), business=1 * H)  # met
    clock_(T[1], RES, at(1, 10), at(3, 10), met=at(2, 10), business=8 * H)  # met
    # T2: first response met after its due time before the sweep marked it: breached.
    clock_(T[2], FR, at(1, 12), at(1, 13), met=at(1, 14), business=2 * H)
    clock_(T[2], RES, at(1, 12), at(2, 12), met=at(1, 16), business=4 * H)  # met
    clock_(T[2], NR, at(1, 15), at(1, 16), state=TargetState.CANCELLED, breached=at(1, 16))
    clock_(T[3], FR, at(3, 9), at(3, 11), met=at(3, 13), breached=at(3, 11), business=4 * H)
    clock_(T[3], RES, at(3, 9), at(6, 9), met=at(5, 9), business=16 * H)  # met
    clock_(T[4], FR, at(5, 8), at(5, 12), met=at(5, 18), breached=at(5, 12), business=9 * H)
    clock_(T[4], NR, at(5, 20), at(6, 4), met=at(5, 22), business=2 * H)  # met
    clock_(T[4], RES, at(5, 8), at(20, 8), state=RUN)  # no outcome yet
    clock_(T[5], FR, at(9, 0), at(9, 4), state=RUN, breached=at(9, 4))  # breached, still owed
    # T6: first response met in February; resolution breached in February (outside the range)
    # but met — i.e. solved — on 4 March, so its business time counts.
    clock_(T[6], FR, at(20, 0, 2), at(20, 8, 2), met=at(20, 6, 2), business=6 * H)
    clock_(T[6], RES, at(20, 0, 2), at(27, 0, 2), met=at(4, 0), breached=at(27, 0, 2),
           business=40 * H)  # fmt: skip
    clock_(T[7], RES, at(1, 0, 2), at(2, 0), state=TargetState.PAUSED, breached=at(2, 0))
    return data


# --- the product insight page (tests/reports/test_product_insight*.py) ----------------------


@pytest.fixture
def cloud(db):
    product = factories.ProductFactory(name="Cloud")
    factories.VersionFactory(product=product, name="4.1")
    factories.VersionFactory(product=product, name="4.2")
    factories.TicketFieldFactory(key="browser", kind="choice", choices=["safari", "chrome"])
    factories.TicketFieldFactory(key="os", kind="multi_choice", choices=["mac", "linux"])
    factories.TicketFieldFactory(key="vip", kind="checkbox")
    factories.TicketFieldFactory(key="order", kind="text")  # not counted: free text
    return product


def insight_ticket(product, version, created, *, fields=None, responded=None, solved=None):
    ticket = factories.TicketFactory(
        product=product,
        version=version,
        created_at=created,
        status=Status.SOLVED if solved else Status.OPEN,
        solved_at=solved,
    )
    Ticket.objects.filter(pk=ticket.pk).update(fields=fields or {}, first_responded_at=responded)
    return ticket


def insight_survey(ticket, rating, sent):
    CsatSurvey.objects.create(
        ticket=ticket,
        customer=ticket.requester,
        token=f"tok{ticket.pk}",
        due_at=sent,
        sent_at=sent,
        rating=rating,
        answered_at=sent,
        **ticket_keys_of(ticket),
    )


@pytest.fixture
def insight_data(cloud):
    v41, v42 = cloud.versions.get(name="4.1"), cloud.versions.get(name="4.2")
    h = timedelta(hours=1)
    a = insight_ticket(
        cloud, v41, at(2), fields={"browser": "safari", "os": ["mac", "linux"]}, responded=at(2) + h
    )
    b = insight_ticket(
        cloud,
        v42,
        at(3),
        fields={"browser": "safari", "vip": True},
        responded=at(3) + 3 * h,
        solved=at(3) + 10 * h,
    )
    c = insight_ticket(cloud, v42, at(9), fields={"browser": "chrome", "os": ["mac"]})
    insight_ticket(cloud, None, at(10))
    insight_ticket(cloud, v41, at(20))  # out of range
    insight_ticket(
        factories.ProductFactory(name="Other"), None, at(3), fields={"browser": "chrome"}
    )
    insight_survey(b, "good", at(5))
    insight_survey(c, "bad", at(9))
    insight_survey(a, "good", at(9))
    return cloud
