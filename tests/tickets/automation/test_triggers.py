"""Triggers: in the change's transaction, attributed, once per change, bounded, failures skipped."""

import pytest
from django.utils import translation

from tests import factories
from tickets import services
from tickets.automation import engine
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, MessageKind, TicketEvent

pytestmark = pytest.mark.django_db

URGENT = {"all": [{"field": "subject", "operator": "contains", "value": "urgent"}]}


def test_a_trigger_acts_and_is_attributed(trigger, customer, ticket):
    rule = trigger("Urgent", URGENT, [{"action": "set_priority", "value": "urgent"}])
    ticket = services.ticket_create(requester=customer, subject="URGENT: down", body="x")
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.PRIORITY_CHANGED)
    assert event.data["rule"] == {"kind": "trigger", "id": rule.pk, "name": "Urgent"}


def test_triggers_run_on_updates_by_any_actor(trigger, ticket, agent):
    trigger(
        "Solved by agent",
        {
            "all": [
                {"field": "status", "operator": "changed_to", "value": "solved"},
                {"field": "actor", "operator": "is", "value": "agent"},
            ]
        },
        [{"action": "add_tags", "value": "solved-by-agent"}],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"status": "solved"})
    assert ticket.tags.filter(name="solved-by-agent").exists()


def test_each_trigger_fires_once_per_change_and_chains(trigger, ticket, agent):
    trigger(
        "High gets tagged",
        {"all": [{"field": "priority", "operator": "is", "value": "high"}]},
        [{"action": "add_tags", "value": "hot"}],
    )
    trigger(
        "Tagged hot gets a note",
        {"all": [{"field": "tags", "operator": "contains", "value": "hot"}]},
        [{"action": "add_note", "value": "Hot ticket."}],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    notes = ticket.messages.filter(kind=MessageKind.NOTE)
    assert [n.body_text for n in notes] == ["Hot ticket."]
    assert notes[0].author_user is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.TAG_ADDED).count() == 1


def test_a_trigger_whose_actions_make_its_conditions_hold_fires_once(trigger, ticket, agent):
    rule = trigger(
        "Always high",
        {"all": [{"field": "priority", "operator": "changed"}]},
        [{"action": "set_priority", "value": "high"}],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "low"})
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    changes = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.PRIORITY_CHANGED)
    by_rule = [e for e in changes if e.data and (e.data.get("rule") or {}).get("id") == rule.pk]
    assert changes.count() == 2 and len(by_rule) == 1


def test_passes_are_bounded(trigger, ticket, agent, monkeypatch, caplog):
    monkeypatch.setattr(engine, "MAX_PASSES", 2)
    # In reverse order: each pass fires only the next link of the chain.
    for tag, nxt in [("c", "d"), ("b", "c"), ("a", "b")]:
        trigger(
            f"{tag} to {nxt}",
            {"all": [{"field": "tags", "operator": "contains", "value": tag}]},
            [{"action": "add_tags", "value": nxt}],
        )
    services.ticket_update(ticket=ticket, by=agent, changes={"tags_add": ["a"]})
    names = set(ticket.tags.values_list("name", flat=True))
    assert names == {"a", "b", "c"}
    assert "passes" in caplog.text


def test_a_failing_trigger_is_skipped_and_the_change_stands(trigger, ticket, agent):
    gone = factories.AgentFactory()
    trigger(
        "Broken",
        {"all": [{"field": "priority", "operator": "changed"}]},
        [{"action": "add_tags", "value": "x"}, {"action": "set_assignee", "value": gone.pk}],
    )
    trigger("Works", {}, [{"action": "add_tags", "value": "seen"}])
    gone.delete()
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    assert set(ticket.tags.values_list("name", flat=True)) == {"seen"}
    failed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.RULE_FAILED)
    assert failed.data["failed"]["name"] == "Broken"


def test_mail_to_the_team(trigger, ticket, agent, team):
    trigger(
        "Tell the team",
        {"all": [{"field": "priority", "operator": "changed_to", "value": "urgent"}]},
        [
            {
                "action": "mail",
                "value": {
                    "to": "team",
                    "subject": "Urgent: {{ticket.subject}}",
                    "body": "See {{ticket.url}}",
                },
            }
        ],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "urgent"})
    mail = OutboundEmail.objects.get(kind="trigger")
    assert mail.subject == f"Urgent: {ticket.subject}"
    assert agent.email in mail.to
    assert mail.headers["Auto-Submitted"] == "auto-generated"


def test_webhook_is_an_event_for_integrations(trigger, ticket, agent):
    trigger("Hook", {}, [{"action": "webhook", "value": {"subscription": 7}}])
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TRIGGER_WEBHOOK)
    assert event.data["subscription"] == 7


def test_inactive_triggers_do_not_run(trigger, ticket, agent):
    trigger("Off", {}, [{"action": "add_tags", "value": "x"}], is_active=False)
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    assert not ticket.tags.exists()


def test_the_requester_is_never_mailed_about_an_internal_note(trigger, ticket, agent):
    mail = {"to": "requester", "subject": "Update on {{ticket.subject}}", "body": "{{ticket.id}}"}
    trigger("Tell the requester", {}, [{"action": "mail", "value": mail}])
    services.ticket_note(ticket=ticket, body="Internal: customer is difficult", by=agent)
    assert not OutboundEmail.objects.filter(kind="trigger").exists()
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    sent = OutboundEmail.objects.get(kind="trigger")
    assert sent.to == [ticket.requester.email]
    assert "difficult" not in sent.body_text


def test_the_timeline_names_the_trigger(trigger, ticket, agent):
    from tickets.workspace.presentation import event_sentence

    trigger("Refunds to Billing", {}, [{"action": "add_tags", "value": "refund"}])
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TAG_ADDED)
    assert event_sentence(event) == "Trigger “Refunds to Billing” added the tag “refund”"


def test_mail_placeholders_name_values_in_the_readers_language(trigger, ticket, agent):
    """``{{ticket.priority}}`` in a mail to a Spanish requester is Spanish, whatever language
    the agent who made the change reads; the team's mail keeps the default language."""
    ticket.requester.locale = "es"
    ticket.requester.save()
    body = "{{ticket.priority}} / {{ticket.status}}"
    for to in ("requester", "team"):
        mail = {"to": to, "subject": f"{to}: {{{{ticket.priority}}}}", "body": body}
        trigger(f"Tell {to}", {}, [{"action": "mail", "value": mail}])
    with translation.override("de"):
        services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    sent = {m.subject.split(":")[0]: m for m in OutboundEmail.objects.filter(kind="trigger")}
    assert sent["requester"].subject == "requester: Alta"
    assert sent["requester"].body_text.startswith("Alta / ")
    assert sent["team"].subject == "team: High"


def test_a_failing_trigger_stores_its_reason_in_the_default_language(trigger, ticket, agent):
    """A German agent sets it off; the reason is stored for every reader, so in English."""
    gone = factories.AgentFactory()
    trigger(
        "Broken",
        {"all": [{"field": "priority", "operator": "changed"}]},
        [{"action": "set_assignee", "value": gone.pk}],
    )
    gone.delete()
    with translation.override("de"):
        services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    failed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.RULE_FAILED)
    assert failed.new == "An agent of this rule doesn't exist."
