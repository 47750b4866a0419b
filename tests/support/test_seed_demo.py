import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Role, Team, User
from customers.models import Customer, Organization
from support.localcache import ProcessCache
from tests.checks import assert_ticket_keys_copied
from tickets.macros.models import Macro
from tickets.mail.models import InboundEmail, OutboundEmail
from tickets.models import Attachment, MessageKind, Priority, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def only_invalidates_cache(callback) -> bool:
    """Whether an ``on_commit`` callback only invalidates a cache — a ``ProcessCache`` telling
    other processes of a change, or a function marked ``invalidates_cache = True`` (the
    shared-cache drops of ``accounts.selectors`` and ``tickets.workspace.agent_cache``) — rather
    than queueing work."""
    return isinstance(getattr(callback, "__self__", None), ProcessCache) or getattr(
        callback, "invalidates_cache", False
    )


def test_seed_demo_builds_realistic_data_through_the_services(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed_demo", tickets=120)
    # History is imported without notifying anyone; the only work queued is the mail demo's
    # inbound messages, handed to the real inbound pipeline (besides dropping cached agent lists
    # and telling other processes that the SLA policies and teams it made changed).
    queued = [c for c in callbacks if not only_invalidates_cache(c)]
    assert len(queued) == InboundEmail.objects.count()
    assert not OutboundEmail.objects.exists()
    assert Team.objects.count() == 3
    assert User.objects.filter(role__in=[Role.AGENT, Role.ADMIN]).count() == 9
    assert Organization.objects.count() == 30 and Customer.objects.count() >= 300
    # 120 from the base loop; each area's demo module may add its own (portal, feedback, ...).
    assert Ticket.objects.count() >= 120
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("priority", flat=True)) == set(Priority.values)
    kinds = dict(Ticket.objects.values_list("messages__kind").annotate(n=Count("id")))
    assert kinds[MessageKind.REPLY] > 120 and kinds[MessageKind.NOTE] > 0
    assert Attachment.objects.exists()
    # Every ticket's history is there: one created event each, plus the changes made.
    assert TicketEvent.objects.filter(kind="created").count() == Ticket.objects.count()
    for user in ("admin@example.com", "agent@example.com", "customer@example.com"):
        assert User.objects.get(email=user).check_password("demo")
    assert User.objects.get(email="customer@example.com").customer.tickets.exists()
    # Shared macros every agent can apply.
    assert {"Refund issued — solve", "Need more info — pending"} <= set(
        Macro.objects.filter(owner=None, team=None).values_list("title", flat=True)
    )
    # The reports group clocks and surveys by the copy of their ticket's keys: all made, all equal.
    assert_ticket_keys_copied()
    # Routing: a default team, a few rules and triggers, and no ticket without a team.
    from tickets.automation.models import RoutingRule, RoutingSettings, Trigger

    assert RoutingSettings.objects.get().default_team.name == "Customer Support"
    # Three example rules and one by product (tickets.product_demo).
    assert RoutingRule.objects.count() == 4 and Trigger.objects.count() == 2
    assert not Ticket.objects.filter(team__isnull=True).exists()
    # Ticket forms, and tickets filed through them with their fields (tickets.product_demo).
    from tickets.fields.models import TicketForm

    assert {"Bug report", "Billing question"} <= set(
        TicketForm.objects.values_list("name", flat=True)
    )
    bugs = Ticket.objects.filter(form__name="Bug report")
    assert bugs.exists() and not bugs.filter(version__isnull=True).exists()
    billed = Ticket.objects.filter(form__name="Billing question")
    assert billed.exists() and all(t.fields.get("invoice") for t in billed)


def test_seed_demo_runs_once(capsys):
    call_command("seed_demo", tickets=5)
    loaded = Ticket.objects.count()
    call_command("seed_demo", tickets=5)
    assert Ticket.objects.count() == loaded
    assert "already loaded" in capsys.readouterr().out


def test_seed_demo_refuses_https_sites(settings):
    from django.core.management.base import CommandError

    settings.HTTPS = True
    with pytest.raises(CommandError, match="HTTPS"):
        call_command("seed_demo", tickets=1)
