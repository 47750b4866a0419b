"""Admin pages for routing, triggers and automations, in the agent workspace: the ordered lists
(move, enable, disable, copy, delete), the default team, the unrouted tickets, a JSON editor that
validates with the API's errors, and the test button (a dry run against a ticket)."""

from __future__ import annotations

import dataclasses
import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required
from accounts.models import Team
from support.errors import DomainError, NotFound, ValidationFailed
from tickets.automation import field_rules, schema, services
from tickets.automation.dryrun import automation_dry_run, dry_run
from tickets.automation.models import Automation, RoutingRule, Trigger
from tickets.automation.profile_rules import reference as profile_reference
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_agent

PURPOSE = _(
    "Routing rules and triggers: which team a new ticket goes to, and what happens "
    "automatically when a ticket changes."
)

KINDS = {"routing": RoutingRule, "triggers": Trigger, "automations": Automation}
LABELS = {"routing": _("Routing rule"), "triggers": _("Trigger"), "automations": _("Automation")}
NEW_LABELS = {
    "routing": _("New routing rule"),
    "triggers": _("New trigger"),
    "automations": _("New automation"),
}


def _model(kind: str):
    try:
        return KINDS[kind]
    except KeyError:
        raise Http404 from None


def unrouted_tickets():
    return Ticket.objects.open().filter(team__isnull=True, merged_into__isnull=True)


@admin_required(PURPOSE)
def overview(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        team_id = request.POST.get("default_team") or None
        team = get_object_or_404(Team, pk=team_id) if team_id else None
        services.default_team_set(team)
        messages.success(
            request,
            (
                gettext("Default team: %(name)s.") % {"name": team.name}
                if team
                else gettext("Default team: none.")
            ),
        )
        return redirect("automation:overview")
    unrouted = unrouted_tickets()
    return render(
        request,
        "tickets/automation/overview.html",
        {
            "routing": RoutingRule.objects.order_by("position", "id"),
            "triggers": Trigger.objects.order_by("position", "id"),
            "automations": Automation.objects.order_by("position", "id"),
            "teams": Team.objects.order_by("name"),
            "default_team_id": services.default_team_id(),
            "unrouted": unrouted.order_by("-updated_at")[:20],
            "unrouted_count": unrouted.count(),
            "ops": OPS,
            "nav": "automation",
        },
    )


OPS = [
    ("up", "Up"),
    ("down", "Down"),
    ("enable", "Enable"),
    ("disable", "Disable"),
    ("copy", "Copy"),
    ("delete", "Delete"),
]


@admin_required(PURPOSE)
@require_POST
def rule_action(request: HttpRequest, kind: str, pk: int, op: str) -> HttpResponse:
    rule = get_object_or_404(_model(kind), pk=pk)
    by = request.user
    if op == "up":
        services.rule_move(rule, -1, by=by)
    elif op == "down":
        services.rule_move(rule, 1, by=by)
    elif op in ("enable", "disable"):
        services.rule_set_active(rule, op == "enable", by=by)
    elif op == "copy":
        copy = services.rule_copy(rule, by=by)
        messages.success(
            request,
            gettext("Copied as “%(name)s” (off until you enable it).") % {"name": copy.name},
        )
    elif op == "delete":
        services.rule_delete(rule, by=by)
        messages.success(request, gettext("Deleted “%(name)s”.") % {"name": rule.name})
    else:
        raise Http404
    return redirect("automation:overview")


def _parse(text: str, field: str, errors: dict):
    try:
        return json.loads(text or ("[]" if field == "actions" else "{}"))
    except json.JSONDecodeError as exc:
        errors[field] = f"Not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        return None


def _form_values(request: HttpRequest, errors: dict) -> dict:
    values = {
        "name": request.POST.get("name", ""),
        "is_active": request.POST.get("is_active") == "on",
        "conditions": _parse(request.POST.get("conditions", ""), "conditions", errors),
        "actions": _parse(request.POST.get("actions", ""), "actions", errors),
    }
    if "description" in request.POST:
        values["description"] = request.POST["description"][:250]
    return values


def _error_field(field: str) -> str:
    return field.split(".", 1)[0].split("[", 1)[0] if field else "name"


def _fields(kind: str) -> dict:
    if kind != "automations":
        return schema.FIELDS
    plain = {
        name: dataclasses.replace(
            spec, operators=tuple(o for o in spec.operators if o not in schema.CHANGE)
        )
        for name, spec in schema.FIELDS.items()
        if name not in schema.CHANGE_ONLY_FIELDS
    }
    return {**schema.TIME_FIELDS, **plain}


@admin_required(PURPOSE)
def rule_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    model = _model(kind)
    rule = get_object_or_404(model, pk=pk) if pk else model()
    errors: dict[str, str] = {}
    text = {
        "conditions": json.dumps(rule.conditions or {"all": [], "any": []}, indent=2),
        "actions": json.dumps(rule.actions or [], indent=2),
    }
    if request.method == "POST":
        values = _form_values(request, errors)
        text = {k: request.POST.get(k, "") for k in ("conditions", "actions")}
        if not errors:
            try:
                rule = services.rule_save(rule, by=request.user, **values)
            except ValidationFailed as exc:
                errors[_error_field(exc.field)] = f"{exc.field}: {exc.message}"
            else:
                messages.success(request, gettext("Saved “%(name)s”.") % {"name": rule.name})
                if kind == "triggers" and schema.refires_itself(rule.conditions, rule.actions):
                    messages.warning(
                        request,
                        gettext(
                            "Each condition of this trigger is a change its own actions make, so "
                            "it takes over every such change: whatever someone else sets there, "
                            "it sets back. (It fires once per change, so it can't loop.) Add a "
                            "condition its actions don't change if that isn't what you want."
                        ),
                    )
                return redirect("automation:edit", kind=kind, pk=rule.pk)
        for key, value in values.items():
            if value is not None and key not in ("conditions", "actions"):
                setattr(rule, key, value)
    return render(
        request,
        "tickets/automation/rule_form.html",
        {
            "rule": rule,
            "kind": kind,
            "label": LABELS[kind],
            "new_label": NEW_LABELS[kind],
            "errors": errors,
            "text": text,
            "fields": _fields(kind),
            "actions": [
                name
                for name, (_, routing) in schema.ACTIONS.items()
                if routing or kind != "routing"
            ],
            "placeholders": schema.PLACEHOLDERS,
            "custom_fields": field_rules.editor_fields(automation=kind == "automations"),
            "profile_fields": profile_reference(),
            "nav": "automation",
        },
        status=400 if errors else 200,
    )


@admin_required(PURPOSE)
@require_POST
def rule_test(request: HttpRequest, kind: str) -> HttpResponse:
    """The form's rule, as typed (saved or not), tried on a ticket: nothing is written."""
    model = _model(kind)
    errors: dict[str, str] = {}
    values = _form_values(request, errors)
    result = None
    ticket_ref = request.POST.get("ticket", "").strip().lstrip("#")
    if not errors:
        try:
            conditions, actions = services.rule_validate(
                model, values["conditions"], values["actions"]
            )
            ticket = ticket_get_for_agent(agent=request.user, ticket_id=int(ticket_ref))
        except ValidationFailed as exc:
            errors["test"] = f"{exc.field}: {exc.message}"
        except (ValueError, NotFound, DomainError):
            errors["test"] = "Give the number of a ticket you can see."
        else:
            rule = model(
                pk=None,
                name=values["name"] or "This rule",
                is_active=True,
                conditions=conditions,
                actions=actions,
            )
            if model is Automation:
                outcome = automation_dry_run(ticket, automations=[rule])["automations"][0]
            else:
                run = dry_run(ticket, rules=[rule])
                outcome = (run["routing"] + run["triggers"])[0]
            result = {"ticket": ticket, "outcome": outcome}
    return render(
        request, "tickets/automation/_test_result.html", {"errors": errors, "result": result}
    )
