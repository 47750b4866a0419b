from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from support import clock
from support import events as stream
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tickets import events, services
from tickets.models import (
    Channel,
    EventKind,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

pytestmark = pytest.mark.django_db


def kinds(ticket):
    return list(ticket.events.order_by("id").values_list("kind", flat=True))


def new_ticket(customer, **kwargs):
    return services.ticket_create(
        requester=customer,
        subject="Export fails",
        body="The CSV export stops.",
        by=customer,
        **kwargs,
    )


class TestTicketCreate:
    def test_creates_ticket_first_message_and_created_event(self, customer):
        ticket = new_ticket(customer, channel=Channel.PORTAL, tags=["Export", "csv"])
        assert ticket.status == Status.NEW
        assert ticket.reference == f"#{ticket.pk}"
        message = ticket.messages.get()
        assert message.author_customer == customer and message.kind == MessageKind.REPLY
        assert message.channel == Channel.PORTAL
        event = ticket.events.get()
        assert (event.kind, event.actor_customer, event.message) == (
            EventKind.CREATED,
            customer,
            message,
        )
        assert sorted(ticket.tags.values_list("name", flat=True)) == ["csv", "export"]

    def test_takes_the_requesters_organization(self):
        org = factories.OrganizationFactory()
        customer = factories.CustomerFactory(organization=org)
        assert new_ticket(customer).organization == org

    def test_agent_filing_for_a_customer_authors_the_first_message(self, agent, customer):
        ticket = services.ticket_create(
            requester=customer, subject="Phone call", body="x", by=agent
        )
        assert ticket.messages.get().author_user == agent
        assert ticket.events.get().actor == agent

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("subject", "   ", "needs a subject"),
            ("priority", "critical", "not a valid priority"),
            ("type", "bug", "not a valid type"),
            ("channel", "fax", "not a valid channel"),
        ],
    )
    def test_refuses_bad_input_with_a_sentence(self, customer, field, value, message):
        kwargs = {"subject": "Valid", field: value} if field != "subject" else {"subject": value}
        with pytest.raises(ValidationFailed, match=message):
            services.ticket_create(requester=customer, body="Hello", by=customer, **kwargs)
        assert not Ticket.objects.exists()

    def test_refuses_an_empty_body(self, customer):
        with pytest.raises(ValidationFailed, match="empty"):
            services.ticket_create(requester=customer, subject="Hi", body="  ", by=customer)
        assert not Ticket.objects.exists()

    def test_a_customer_cannot_file_in_someone_elses_name(self, customer):
        other = factories.CustomerFactory()
        with pytest.raises(NotPermitted):
            services.ticket_create(requester=other, subject="Hi", body="x", by=customer)

    def test_stores_attachments_under_an_unguessable_name(self, customer):
        upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
        ticket = new_ticket(customer, attachments=[upload])
        attachment = ticket.attachments.get()
        assert attachment.name == "report.pdf" and attachment.size == 13
        assert attachment.content_type == "application/pdf"
        assert "report" not in attachment.file.name and str(attachment.id) in attachment.file.name
        assert attachment.file.read() == b"%PDF-1.4 demo"

    @pytest.mark.parametrize("name", ["setup.exe", "run.BAT", "script.js"])
    def test_refuses_executable_attachments(self, customer, name):
        with pytest.raises(ValidationFailed, match="programs and scripts"):
            new_ticket(customer, attachments=[SimpleUploadedFile(name, b"MZ")])
        assert not Ticket.objects.exists()

    def test_refuses_attachments_over_the_size_limit(self, customer, settings):
        settings.ATTACHMENT_MAX_BYTES = 10
        with pytest.raises(ValidationFailed, match="at most"):
            new_ticket(customer, attachments=[SimpleUploadedFile("big.txt", b"x" * 11)])

    def test_html_body_is_sanitized(self, customer):
        ticket = new_ticket(customer, body_html='<p onclick="x()">Hi<script>alert(1)</script></p>')
        assert ticket.messages.get().body_html == "<p>Hi</p>"


class TestReply:
    def test_agent_reply_opens_a_new_ticket_and_stamps_first_response(self, agent, customer):
        ticket = new_ticket(customer)
        message = services.ticket_reply(ticket=ticket, body="On it.", by=agent)
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN
        assert ticket.first_responded_at == message.created_at
        assert kinds(ticket) == [EventKind.CREATED, EventKind.REPLIED, EventKind.STATUS_CHANGED]

    def test_first_reply_writes_the_ticket_row_once(self, agent, customer):
        """The first response is saved with the status it moves (new → open), in one UPDATE."""
        ticket = new_ticket(customer)
        table = connection.ops.quote_name(Ticket._meta.db_table)
        with CaptureQueriesContext(connection) as done:
            services.ticket_reply(ticket=ticket, body="On it.", by=agent)
        writes = [q["sql"] for q in done.captured_queries if q["sql"].startswith(f"UPDATE {table}")]
        assert len(writes) == 1, writes
        ticket.refresh_from_db()
        assert ticket.first_responded_at is not None and ticket.status == Status.OPEN
        assert ticket.updated_at == ticket.public_updated_at

    def test_first_response_is_stamped_once(self, agent, customer):
        ticket = new_ticket(customer)
        first = services.ticket_reply(ticket=ticket, body="One", by=agent)
        services.ticket_reply(ticket=ticket, body="Two", by=agent)
        ticket.refresh_from_db()
        assert ticket.first_responded_at == first.created_at

    def test_agent_can_reply_and_set_pending(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_reply(ticket=ticket, body="Can you send logs?", by=agent, status="pending")
        ticket.refresh_from_db()
        assert ticket.status == Status.PENDING

    def test_agent_reply_and_solve_stamps_solved_at(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_reply(ticket=ticket, body="Fixed.", by=agent, status=Status.SOLVED)
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED and ticket.solved_at is not None

    @pytest.mark.parametrize("status", [Status.PENDING, Status.ON_HOLD, Status.SOLVED])
    def test_customer_reply_reopens(self, agent, customer, status):
        ticket = new_ticket(customer)
        services.ticket_reply(ticket=ticket, body="x", by=agent, status=status)
        services.ticket_reply(ticket=ticket, body="Still broken", by=customer)
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN
        assert ticket.solved_at is None
        event = ticket.events.filter(kind=EventKind.STATUS_CHANGED).last()
        assert (event.old, event.new, event.actor_customer) == (status, Status.OPEN, customer)

    def test_customer_reply_keeps_a_new_ticket_new(self, customer):
        ticket = new_ticket(customer)
        services.ticket_reply(ticket=ticket, body="More detail", by=customer)
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW

    def test_a_closed_ticket_takes_no_reply(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_reply(ticket=ticket, body="Done", by=agent, status=Status.SOLVED)
        services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
        with pytest.raises(InvalidChange, match="closed"):
            services.ticket_reply(ticket=ticket, body="Hello?", by=customer)

    def test_another_customer_cannot_reply(self, customer):
        ticket = new_ticket(customer)
        with pytest.raises(NotPermitted):
            services.ticket_reply(ticket=ticket, body="x", by=factories.CustomerFactory())

    def test_organization_manager_can_reply_to_the_organizations_tickets(self):
        org = factories.OrganizationFactory()
        requester = factories.CustomerFactory(organization=org)
        manager = factories.CustomerFactory(organization=org, is_org_manager=True)
        ticket = new_ticket(requester)
        services.ticket_reply(ticket=ticket, body="Adding context", by=manager)
        assert ticket.messages.last().author_customer == manager

    def test_customer_cannot_set_status_while_replying(self, customer):
        ticket = new_ticket(customer)
        with pytest.raises(NotPermitted):
            services.ticket_reply(ticket=ticket, body="x", by=customer, status=Status.SOLVED)

    def test_customer_login_user_is_not_an_agent(self, customer):
        ticket = new_ticket(customer)
        portal_user = factories.CustomerUserFactory()
        with pytest.raises(NotPermitted):
            services.ticket_reply(ticket=ticket, body="x", by=portal_user)

    def test_empty_reply_is_refused_and_nothing_changes(self, agent, customer):
        ticket = new_ticket(customer)
        with pytest.raises(ValidationFailed, match="empty"):
            services.ticket_reply(ticket=ticket, body="   ", by=agent)
        assert ticket.messages.count() == 1 and kinds(ticket) == [EventKind.CREATED]


class TestNote:
    def test_note_is_internal_and_recorded(self, agent, customer):
        ticket = new_ticket(customer)
        note = services.ticket_note(ticket=ticket, body="Customer is VIP", by=agent)
        assert note.kind == MessageKind.NOTE and not note.is_public
        assert kinds(ticket)[-1] == EventKind.NOTE_ADDED
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW and ticket.first_responded_at is None

    def test_customers_cannot_write_notes(self, customer):
        ticket = new_ticket(customer)
        with pytest.raises(NotPermitted):
            services.ticket_note(ticket=ticket, body="x", by=factories.CustomerUserFactory())


class TestStatus:
    def test_change_records_old_and_new(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_change_status(ticket=ticket, status=Status.ON_HOLD, by=agent)
        event = ticket.events.last()
        assert (event.kind, event.field, event.old, event.new, event.actor) == (
            EventKind.STATUS_CHANGED,
            "status",
            Status.NEW,
            Status.ON_HOLD,
            agent,
        )

    def test_illegal_change_is_refused_and_nothing_is_written(self, agent, customer):
        ticket = new_ticket(customer)
        with pytest.raises(InvalidChange):
            services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
        ticket.refresh_from_db()
        assert ticket.status == Status.NEW and kinds(ticket) == [EventKind.CREATED]

    def test_customer_may_solve_and_reopen_only(self, agent, customer):
        ticket = new_ticket(customer)
        with pytest.raises(ValidationFailed, match="Customers can only mark a ticket solved"):
            services.ticket_change_status(ticket=ticket, status=Status.PENDING, by=customer)
        services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=customer)
        services.ticket_change_status(ticket=ticket, status=Status.OPEN, by=customer)
        ticket.refresh_from_db()
        assert ticket.status == Status.OPEN

    def test_closing_stamps_closed_at(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
        services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
        ticket.refresh_from_db()
        assert ticket.closed_at is not None and ticket.solved_at is not None


class TestFields:
    def test_priority_type_subject_changes_write_events(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_update(ticket=ticket, by=agent, changes={"priority": Priority.URGENT})
        services.ticket_update(ticket=ticket, by=agent, changes={"type": TicketType.INCIDENT})
        services.ticket_update(
            ticket=ticket, by=agent, changes={"subject": "  Export   fails on Safari "}
        )
        ticket.refresh_from_db()
        assert (ticket.priority, ticket.type, ticket.subject) == (
            Priority.URGENT,
            TicketType.INCIDENT,
            "Export fails on Safari",
        )
        changes = list(ticket.events.values_list("kind", "old", "new").order_by("id"))[1:]
        assert changes == [
            (EventKind.PRIORITY_CHANGED, "normal", "urgent"),
            (EventKind.TYPE_CHANGED, "question", "incident"),
            (EventKind.SUBJECT_CHANGED, "Export fails", "Export fails on Safari"),
        ]

    def test_setting_the_same_value_writes_nothing(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_update(ticket=ticket, by=agent, changes={"priority": Priority.NORMAL})
        assert kinds(ticket) == [EventKind.CREATED]

    def test_unknown_priority_is_refused(self, agent, customer):
        with pytest.raises(ValidationFailed):
            services.ticket_update(
                ticket=new_ticket(customer), by=agent, changes={"priority": "p0"}
            )

    def test_updated_at_moves_with_each_change(self, agent, customer):
        ticket = new_ticket(customer)
        later = clock.now() + timedelta(hours=1)
        with clock.travel(later):
            services.ticket_update(ticket=ticket, by=agent, changes={"priority": Priority.HIGH})
        ticket.refresh_from_db()
        assert ticket.updated_at == later


class TestAssign:
    def test_assign_team_and_agent_records_both(self, agent, team, customer):
        ticket = new_ticket(customer)
        services.ticket_assign(ticket=ticket, team=team, assignee=agent, by=agent)
        ticket.refresh_from_db()
        assert (ticket.team, ticket.assignee) == (team, agent)
        assert kinds(ticket)[1:] == [EventKind.TEAM_CHANGED, EventKind.ASSIGNEE_CHANGED]
        assert ticket.events.last().new == agent.display_name

    def test_unassign(self, agent, team, customer):
        ticket = new_ticket(customer, team=team, assignee=agent)
        services.ticket_assign(ticket=ticket, assignee=None, by=agent)
        ticket.refresh_from_db()
        assert ticket.assignee is None and ticket.team == team

    def test_assignee_must_be_in_the_team(self, agent, other_agent, team, customer):
        ticket = new_ticket(customer, team=team)
        with pytest.raises(ValidationFailed, match="not a member"):
            services.ticket_assign(ticket=ticket, assignee=other_agent, by=agent)

    def test_customers_cannot_be_assigned(self, agent, customer):
        ticket = new_ticket(customer)
        with pytest.raises(ValidationFailed, match="agents"):
            services.ticket_assign(
                ticket=ticket, assignee=factories.CustomerUserFactory(), by=agent
            )


class TestTagsAndFollowers:
    def test_tags_are_normalized_and_recorded(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_set_tags(ticket=ticket, add=["Needs Info", "vip"], by=agent)
        services.ticket_set_tags(ticket=ticket, remove=["vip"], by=agent)
        assert list(ticket.tags.values_list("name", flat=True)) == ["needs-info"]
        assert kinds(ticket)[1:] == [
            EventKind.TAG_ADDED,
            EventKind.TAG_ADDED,
            EventKind.TAG_REMOVED,
        ]

    def test_bad_tag_is_refused(self, agent, customer):
        with pytest.raises(ValidationFailed, match="not a valid tag"):
            services.ticket_set_tags(ticket=new_ticket(customer), add=["<b>"], by=agent)

    def test_follow_and_unfollow(self, agent, customer):
        ticket = new_ticket(customer)
        services.ticket_follow(ticket=ticket, user=agent, by=agent)
        services.ticket_follow(ticket=ticket, user=agent, by=agent)  # no second event
        services.ticket_unfollow(ticket=ticket, user=agent, by=agent)
        assert kinds(ticket)[1:] == [EventKind.FOLLOWER_ADDED, EventKind.FOLLOWER_REMOVED]
        assert not ticket.followers.exists()


class TestCustomerMerge:
    def test_moves_tickets_and_messages_with_events(self, agent):
        source, target = factories.CustomerFactory(), factories.CustomerFactory()
        ticket = new_ticket(source)
        services.customer_merge(source=source, target=target, by=agent)
        ticket.refresh_from_db()
        source.refresh_from_db()
        assert ticket.requester == target
        assert ticket.messages.get().author_customer == target
        assert source.merged_into == target
        event = ticket.events.last()
        assert (event.kind, event.old, event.new) == (
            EventKind.REQUESTER_CHANGED,
            source.email,
            target.email,
        )

    def test_cannot_merge_into_itself(self, agent, customer):
        with pytest.raises(InvalidChange):
            services.customer_merge(source=customer, target=customer, by=agent)


class TestPublishing:
    def test_events_are_published_after_commit_only(
        self, agent, customer, django_capture_on_commit_callbacks
    ):
        heard = []
        handler = stream.subscribe(EventKind.REPLIED)(lambda event: heard.append(event.pk))
        try:
            ticket = new_ticket(customer)
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                services.ticket_reply(ticket=ticket, body="Hi", by=agent)
            assert heard == []  # nothing leaves before the commit
            for callback in callbacks:
                callback()
        finally:
            stream.unsubscribe(handler)
        assert heard == [TicketEvent.objects.get(kind=EventKind.REPLIED).pk]

    def test_suppressed_events_are_recorded_but_not_published(
        self, customer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks, events.suppressed():
            ticket = new_ticket(customer)
        assert callbacks == [] and kinds(ticket) == [EventKind.CREATED]

    def test_events_are_append_only(self, customer):
        event = new_ticket(customer).events.get()
        with pytest.raises(RuntimeError):
            event.save()
        with pytest.raises(RuntimeError):
            event.delete()
