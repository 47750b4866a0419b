"""The agent's "New ticket" page: a phone call or a chat follow-up becomes a ticket in one step.

The requester is an existing contact the agent may see (picked by type-ahead) or a new contact
(name and email; an address that is already a contact's reuses that contact). The first message
is a public reply or an internal note; ``tickets.services.ticket_create`` writes everything in
one change. The CC field copies people in (``Ticket.cc``): they get the public replies too.
"""

from __future__ import annotations

from email.utils import parseaddr

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import agent_required
from accounts.models import User
from accounts.selectors import agent_choices, team_choices
from customers import services as customer_services
from customers.models import Customer
from customers.selectors import customers_visible_to
from products.cache import catalog
from products.models import Component, Product, Version
from support.errors import DomainError
from tickets import services
from tickets.models import Channel, MessageKind, Priority, TicketType
from tickets.workspace.forms import AddressesField, AgentField, CatalogField, TagsField, TeamField
from tickets.workspace.new_ticket_fields import (
    chosen_form,
    field_values,
    form_context,
    form_field_rows,
)
from tickets.workspace.views import nav_context

MATCHES = 20  # type-ahead suggestions at most
EXISTING, NEW = "existing", "new"
# Fields the page marks an error at; any other error is said above the form.
FIELDS_SHOWN = frozenset(
    {"requester", "new_email", "subject", "body", "priority", "type", "team", "assignee"}
    | {"tags", "attachments", "cc", "product", "version", "component"}
)


def requester_label(customer: Customer) -> str:
    """How a contact reads in the type-ahead, and what its option puts in the field."""
    return f"{customer.name} <{customer.email}>" if customer.name else customer.email


def requester_matches(user: User, text: str) -> list[Customer]:
    """Contacts ``user`` may see whose name or address contains ``text`` (two letters at least),
    merged contacts left out, at most :data:`MATCHES`."""
    text = text.strip()
    if len(text) < 2:
        return []
    return list(
        customers_visible_to(user)
        .filter(merged_into__isnull=True)
        .filter(Q(name__icontains=text) | Q(email__icontains=text))
        .only("id", "name", "email")
        .order_by("name", "email")[:MATCHES]
    )


class NewTicketForm(forms.Form):
    requester_kind = forms.ChoiceField(
        choices=[(EXISTING, "Existing contact"), (NEW, "New contact")], initial=EXISTING
    )
    requester = forms.CharField(required=False, max_length=320)
    new_name = forms.CharField(required=False, max_length=200)
    new_email = forms.CharField(required=False, max_length=254)
    subject = forms.CharField(max_length=250, error_messages={"required": "Write a subject."})
    body = forms.CharField(
        strip=False, required=False, widget=forms.Textarea
    )  # the service says whether an empty message (with attachments) will do
    message_kind = forms.ChoiceField(
        choices=[(MessageKind.REPLY, "Public reply"), (MessageKind.NOTE, "Internal note")],
        initial=MessageKind.REPLY,
        error_messages={"invalid_choice": "Choose a public reply or an internal note."},
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    type = forms.ChoiceField(choices=TicketType.choices, initial=TicketType.QUESTION)
    team = TeamField(required=False)
    tags = TagsField(required=False)
    cc = AddressesField(required=False, max_length=2000)
    product = CatalogField(model=Product, missing="Choose a product from the list.")
    version = CatalogField(model=Version, missing="Choose a version from the list.")
    component = CatalogField(model=Component, missing="Choose a component from the list.")

    def __init__(self, data=None, *, user: User) -> None:
        super().__init__(data)
        self.user = user
        self.fields["assignee"] = AgentField(
            me=user, empty_is_nobody=True, missing="Choose an agent to assign."
        )

    def clean_requester(self) -> Customer | None:
        if self.data.get("requester_kind", EXISTING) != EXISTING:
            return None
        text = self.cleaned_data["requester"].strip()
        if not text:
            raise ValidationError(_("Choose the requester: type a name or an address."))
        email = parseaddr(text)[1] or text
        customer = (
            customers_visible_to(self.user)
            .filter(merged_into__isnull=True)
            .with_email(email)
            .first()
        )
        if customer is None:
            raise ValidationError(
                _(
                    "No contact you can see has the address %(email)s. Pick one from the list, or "
                    "add a new contact."
                )
                % {"email": email}
            )
        return customer

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].strip()
        if self.data.get("requester_kind") != NEW:
            return email
        if not email:
            raise ValidationError(_("A new contact needs an email address."))
        validate_email(email)
        return email

    def clean_assignee(self) -> User | None:
        assignee = self.cleaned_data.get("assignee")
        if assignee is not None and not (assignee.is_active and assignee.is_agent):
            raise ValidationError(_("Only an active agent can be assigned."))
        return assignee

    def requester_customer(self) -> Customer:
        """The requester: the contact picked, or the new contact (an existing address reuses
        its contact rather than making a second one). Call inside the creating transaction."""
        if self.cleaned_data["requester_kind"] == EXISTING:
            return self.cleaned_data["requester"]
        return customer_services.customer_get_or_create(
            email=self.cleaned_data["new_email"], name=self.cleaned_data["new_name"]
        )


def _defaults(user: User) -> dict:
    """A fresh form: the agent assigns it to themselves, and files it in their team when they
    are in exactly one."""
    teams = list(user.teams.values_list("pk", flat=True)[:2])
    return {
        "requester_kind": EXISTING,
        "message_kind": MessageKind.REPLY,
        "priority": Priority.NORMAL,
        "type": TicketType.QUESTION,
        "team": str(teams[0]) if len(teams) == 1 else "",
        "assignee": str(user.pk),
    }


def _page(request: HttpRequest, values: dict, *, errors=None, status: int = 200) -> HttpResponse:
    context = {
        **nav_context(request, current="new-ticket"),
        "values": values,
        "errors": errors or {},
        "agents": agent_choices(),
        "teams": team_choices(),
        "priority_choices": Priority.choices,
        "type_choices": TicketType.choices,
        "files_dropped": bool(request.FILES),
        **_product_lists(values.get("product", "")),
        **form_context(request.POST if request.method == "POST" else None),
    }
    return render(request, "agent/new_ticket.html", context, status=status)


def _product_lists(chosen: str) -> dict:
    """Every product, and the versions and components of the chosen one (``products:options``
    swaps these lists when the product changes)."""
    known = catalog.get()
    product_id = int(chosen) if chosen.isdecimal() and len(chosen) < 10 else None
    return {
        "products": known.products,
        "chosen_product": product_id if known.product(product_id) else None,
        "versions": known.versions_of(product_id),
        "components": known.components_of(product_id),
    }


@agent_required
@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest) -> HttpResponse:
    """Show the form (GET) or open the ticket (POST); on any error the page comes back with
    everything typed, and the new ticket's page after success."""
    if request.method != "POST":
        return _page(request, _defaults(request.user))
    values = {
        key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"
    }
    form = NewTicketForm(request.POST, user=request.user)
    if not form.is_valid():
        errors = {
            ("form" if field == "__all__" else field): " ".join(errs)
            for field, errs in form.errors.items()
        }
        return _page(request, values, errors=errors, status=400)
    data = form.cleaned_data
    ticket_form = chosen_form(request.POST)
    if request.POST.get("form") and ticket_form is None:
        errors = {"form_choice": "Choose a form from the list."}
        return _page(request, values, errors=errors, status=400)
    files = request.FILES.getlist("attachments")
    try:
        with transaction.atomic():
            ticket = services.ticket_create(
                requester=form.requester_customer(),
                subject=data["subject"],
                body=data["body"],
                by=request.user,
                channel=Channel.WEB,
                priority=data["priority"],
                type=data["type"],
                team=data["team"],
                assignee=data["assignee"],
                tags=data["tags"],
                attachments=files,
                first_message_kind=data["message_kind"],
                cc=data["cc"],
                product=data["product"],
                version=data["version"],
                component=data["component"],
                form=ticket_form,
                fields=field_values(ticket_form, request.POST),
            )
    except DomainError as error:
        field = {"email": "new_email", "name": "new_name", "form": "form_choice"}.get(
            error.field, error.field
        )
        if field and field.startswith("fields."):  # a custom field: shown as field_<key>
            field = "field_" + field.removeprefix("fields.")
        shown = {f"field_{r['field'].key}" for r in form_field_rows(ticket_form, request.POST)}
        if field not in FIELDS_SHOWN | shown | {"form_choice"}:
            field = "form"
        return _page(request, values, errors={field: str(error)}, status=400)
    except ValidationError as error:  # the new contact's own checks (``Customer.full_clean``)
        errors = {"new_email": " ".join(error.messages)}
        return _page(request, values, errors=errors, status=400)
    # An agent always sees the tickets they created, even one filed in another team.
    messages.success(request, _("Ticket #%(pk)s created.") % {"pk": ticket.pk})
    return redirect(reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk}))


@agent_required
@require_GET
def requester_options(request: HttpRequest) -> HttpResponse:
    """The type-ahead's suggestions: ``<option>`` rows for the requester's ``<datalist>``."""
    found = requester_matches(request.user, request.GET.get("requester", ""))
    return render(
        request,
        "agent/_requester_options.html",
        {"options": [(requester_label(c), c.email) for c in found]},
    )
