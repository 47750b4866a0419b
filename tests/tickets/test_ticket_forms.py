"""Ticket forms in the one validation path (``ticket_create`` → ``form_check``): a customer
fills in what the chosen form asks and must fill in its required fields; agents file any field;
defining forms is for admins, and a form tickets were filed with can only be archived."""

from __future__ import annotations

import pytest

from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tests.tickets.form_setup import make_forms
from tickets import services
from tickets.fields.models import TicketForm
from tickets.fields.services import field_delete
from tickets.fields.ticket_forms import form_delete, form_items, form_save, forms_offered
from tickets.models import EventKind
from tickets.workspace.presentation import event_sentence

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    return make_forms()


def _file(customer, setup, **extra):
    return services.ticket_create(
        requester=customer, by=customer, subject="It broke", body="Steps…", **extra
    )


def test_a_customer_files_through_a_form_and_the_ticket_keeps_it(customer, setup):
    ticket = _file(
        customer,
        setup,
        form=setup.bug,
        product=setup.cloud,
        version=setup.v42,
        fields={"browser": "chrome"},
    )
    ticket.refresh_from_db()
    assert (ticket.form, ticket.version, ticket.fields) == (
        setup.bug,
        setup.v42,
        {"browser": "chrome"},
    )


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"fields": {"browser": "chrome"}}, "version", "Fill in Version to send the request."),
        (
            {"version": "v42"},
            "fields.browser",
            "Fill in Your browser to send the request.",
        ),
        (
            {"version": "v42", "fields": {"browser": "ie"}},
            "fields.browser",
            "Browser: “Internet Explorer” is no longer offered.",
        ),
        (
            {"version": "v42", "fields": {"browser": "safari"}},
            "fields.browser",
            "Browser: “safari” is not one of the choices.",
        ),
        (
            {"version": "v42", "fields": {"browser": "chrome", "invoice": "INV-1234"}},
            "fields.invoice",
            "Invoice number is not asked on the form “Bug report”.",
        ),
    ],
)
def test_a_customer_is_refused_with_a_sentence_naming_the_field(
    customer, setup, extra, field, message
):
    if extra.get("version") == "v42":
        extra = {**extra, "product": setup.cloud, "version": setup.v42}
    with pytest.raises(ValidationFailed) as refused:
        _file(customer, setup, form=setup.bug, **extra)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_a_version_of_another_product_is_refused_through_a_form(customer, setup):
    other = factories.VersionFactory(name="9.9")
    with pytest.raises(ValidationFailed) as refused:
        _file(
            customer,
            setup,
            form=setup.bug,
            product=setup.cloud,
            version=other,
            fields={"browser": "chrome"},
        )
    assert refused.value.field == "version"


def test_an_agent_files_any_field_through_a_form_without_its_required_ones(customer, agent, setup):
    ticket = services.ticket_create(
        requester=customer,
        by=agent,
        subject="Phone call",
        body="Called about an invoice",
        form=setup.bug,
        fields={"invoice": "INV-2024"},
    )
    assert ticket.form == setup.bug and ticket.fields == {"invoice": "INV-2024"}


def test_an_archived_form_is_offered_for_no_new_ticket(customer, agent, setup):
    setup.billing.active = False
    form_save(form=setup.billing, items=[{"key": "invoice"}], by=setup.admin)
    assert forms_offered(customer=True) == [setup.bug]
    for by in (customer, agent):
        with pytest.raises(ValidationFailed) as refused:
            services.ticket_create(
                requester=customer, by=by, subject="Bill", body="?", form=setup.billing
            )
        assert refused.value.field == "form"


def test_a_form_not_offered_to_customers_is_for_agents_only(customer, agent, setup):
    setup.billing.customer_visible = False
    form_save(form=setup.billing, items=[{"key": "invoice"}], by=setup.admin)
    assert forms_offered(customer=True) == [setup.bug]
    assert forms_offered(customer=False) == [setup.bug, setup.billing]
    with pytest.raises(ValidationFailed):
        _file(customer, setup, form=setup.billing, fields={"invoice": "INV-1234"})


def test_without_a_form_every_field_required_on_submit_is_asked(customer, setup):
    setup.browser.required_on_submit = True
    setup.browser.save()
    with pytest.raises(ValidationFailed) as refused:
        _file(customer, setup)
    assert refused.value.field == "fields.browser"


def test_changing_the_form_is_an_event_that_reads_as_a_sentence(ticket, agent, setup):
    services.ticket_update(ticket=ticket, by=agent, changes={"form": setup.bug})
    services.ticket_update(ticket=ticket, by=agent, changes={"form": setup.billing})
    services.ticket_update(ticket=ticket, by=agent, changes={"form": setup.billing})  # no change
    events = ticket.events.filter(kind=EventKind.FIELD_CHANGED, field="form").order_by("id")
    name = agent.display_name
    assert [event_sentence(e) for e in events] == [
        f"{name} set Form to Bug report",
        f"{name} changed Form from Bug report to Billing question",
    ]
    assert events[1].data == {"label": "Form", "old": setup.bug.pk, "new": setup.billing.pk}


def test_a_customer_cant_change_the_form(ticket, setup):
    with pytest.raises(NotPermitted):
        services.ticket_update(ticket=ticket, by=ticket.requester, changes={"form": setup.bug})


def test_form_items_follow_the_order_and_show_customers_what_they_fill_in(setup):
    setup.browser.customer_editable = False
    setup.browser.save()
    assert [k for k, _f, _r in form_items(setup.bug, customer=False)] == [
        "product",
        "version",
        "browser",
    ]
    assert [(k, r) for k, _f, r in form_items(setup.bug, customer=True)] == [
        ("product", False),
        ("version", True),
    ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"key": "version"}], "Version needs Product before it on the form"),
        ([{"key": "nope"}], "There is no field “nope”."),
        ([{"key": "browser"}, {"key": "browser"}], "Browser is on the form twice."),
        ([], "A form needs at least one field."),
    ],
)
def test_a_bad_form_is_refused(setup, items, message):
    with pytest.raises(ValidationFailed) as refused:
        form_save(form=TicketForm(name="Another"), items=items, by=setup.admin)
    assert refused.value.message.startswith(message)


def test_form_names_are_unique_in_any_case_and_only_admins_define_forms(setup, agent):
    with pytest.raises(ValidationFailed, match="already a form named"):
        form_save(form=TicketForm(name="bug  REPORT"), items=[{"key": "browser"}], by=setup.admin)
    with pytest.raises(NotPermitted):
        form_save(form=TicketForm(name="Mine"), items=[{"key": "browser"}], by=agent)


def test_a_used_form_cant_be_deleted_an_unused_one_can(customer, setup):
    _file(customer, setup, form=setup.billing, fields={"invoice": "INV-1234"})
    with pytest.raises(InvalidChange, match="used by 1 ticket: archive it instead"):
        form_delete(form=setup.billing, by=setup.admin)
    form_delete(form=setup.bug, by=setup.admin)
    assert not TicketForm.objects.filter(name="Bug report").exists()


def test_deleting_a_field_takes_it_off_the_forms(setup):
    field_delete(field=setup.browser, by=setup.admin)
    setup.bug.refresh_from_db()
    assert [i.key for i in setup.bug.items.all()] == ["product", "version"]


def test_a_custom_field_cant_take_a_ticket_columns_key(setup):
    from tickets.fields.models import FieldKind, TicketField
    from tickets.fields.services import field_save

    with pytest.raises(ValidationFailed, match="ticket's own field"):
        field_save(field=TicketField(key="version", kind=FieldKind.TEXT, label="V"), by=setup.admin)
