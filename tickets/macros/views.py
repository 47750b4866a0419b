"""Macro pages: the agent's list (their own; admins also team and shared macros) with a form to
create or edit one, delete, and the preview the composer asks for when a macro is picked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required
from accounts.models import Team
from accounts.selectors import agent_choices, team_choices
from support.errors import DomainError, NotFound
from tickets.fields.models import CHOICE_KINDS, FieldKind
from tickets.fields.services import active_fields
from tickets.macros import services
from tickets.macros.models import Macro, MacroScope
from tickets.macros.selectors import (
    macro_get_for_agent,
    macros_for_picker,
    macros_visible_to,
)
from tickets.models import Priority, TicketType
from tickets.selectors import ticket_get_for_agent
from tickets.workspace.views import nav_context

FORM_KEYS = (
    "title",
    "scope",
    "team_id",
    "active",
    "reply",
    "note",
    "status",
    "priority",
    "type",
    "team",
    "assignee",
    "tags_add",
    "tags_remove",
)


FIELD_PREFIX = "field."
CLEAR = "__clear__"


def _custom_fields_from(data: QueryDict) -> dict:
    """``field.<key>`` inputs: empty leaves the field as it is, ``__clear__`` clears it."""
    values: dict = {}
    for field in active_fields():
        value = data.get(FIELD_PREFIX + field.key, "").strip()
        if value == CLEAR:
            values[field.key] = None
        elif value:
            values[field.key] = value
    return values


def _field_rows(form: dict) -> list[dict]:
    """The form's custom field controls: a list (choices; yes for a checkbox) or a text box."""
    rows = []
    for field in active_fields():
        options = None
        if field.kind in CHOICE_KINDS:
            options = [(c.value, c.label) for c in field.choice_list if not c.retired]
        elif field.kind == FieldKind.CHECKBOX:
            options = [("true", "Yes")]
        rows.append(
            {
                "name": FIELD_PREFIX + field.key,
                "id": f"m-field-{field.key}",
                "label": field.label,
                "kind": field.kind,
                "options": options,
                "value": form.get(FIELD_PREFIX + field.key, ""),
            }
        )
    return rows


def actions_from_form(data: QueryDict) -> dict:
    """The form's fields as a macro's ``actions`` (checked by the service): an empty select is
    "leave it"; ``team``/``assignee`` ``none`` clear it, a custom field's ``__clear__`` too."""
    actions: dict = {}
    for key in ("reply", "note", "status", "priority", "type", "tags_add", "tags_remove"):
        if data.get(key, "").strip():
            actions[key] = data[key]
    for key in ("team", "assignee"):
        value = data.get(key, "").strip()
        if value == "none":
            actions[key] = None
        elif value:
            actions[key] = value
    fields = _custom_fields_from(data)
    if fields:
        actions["fields"] = fields
    return actions


def _form_from(macro: Macro) -> dict:
    actions = macro.actions
    form = {
        "title": macro.title,
        "scope": macro.scope,
        "team_id": str(macro.team_id or ""),
        "active": macro.active,
    }
    for key in ("reply", "note", "status", "priority", "type"):
        form[key] = actions.get(key, "")
    for key in ("team", "assignee"):
        if key in actions:
            form[key] = "none" if actions[key] is None else str(actions[key])
        else:
            form[key] = ""
    for key in ("tags_add", "tags_remove"):
        form[key] = " ".join(actions.get(key, []))
    for key, value in actions.get("fields", {}).items():
        if isinstance(value, list):  # a multiple choice: the form sets one value
            value = value[0] if value else None
        text = "true" if value is True else str(value)
        form[FIELD_PREFIX + key] = CLEAR if value is None else text
    return form


def _tried(request, macro: Macro) -> dict | None:
    """``?try=<ticket>``: what the macro would do to that ticket, without changing anything."""
    ref = request.GET.get("try", "").strip().lstrip("#")
    if not ref:
        return None
    try:
        if not ref.isdecimal():
            raise NotFound(_("No such ticket."))
        ticket = ticket_get_for_agent(agent=request.user, ticket_id=int(ref))
        preview = services.macro_preview(macro, ticket=ticket, agent=request.user)
    except NotFound:
        return {"ref": ref, "error": f"No ticket #{ref} that you can see."}
    except DomainError as exc:
        return {"ref": ref, "error": exc.message}
    return {"ref": ref, "ticket": ticket, **preview}


def _page(request, *, editing=None, form=None, error="", status=200, tried=None) -> HttpResponse:
    items = list(macros_visible_to(request.user))
    for item in items:
        item.may_manage = services.macro_may_manage(request.user, item)
        item.description = services.macro_describe(item)
    context = {
        "items": items,
        "editing": editing,
        "form": form or {"scope": MacroScope.PERSONAL, "active": True},
        "error": error,
        "tried": tried,
        "scope_choices": MacroScope.choices if request.user.is_admin else [],
        "status_choices": [(s.value, s.label) for s in services.MACRO_STATUSES],
        "priority_choices": Priority.choices,
        "type_choices": TicketType.choices,
        "agents": agent_choices(),
        "teams": team_choices(),
        "field_rows": _field_rows(form or {}),
        "clear": CLEAR,
        **nav_context(request, current="macros"),
    }
    return render(request, "agent/macros.html", context, status=status)


@agent_required
def macro_list(request: HttpRequest) -> HttpResponse:
    editing = form = None
    if request.GET.get("edit", "").isdecimal():
        editing = macro_get_for_agent(agent=request.user, macro_id=int(request.GET["edit"]))
        if not services.macro_may_manage(request.user, editing):
            raise NotFound(_("No such macro."))
        form = _form_from(editing)
        return _page(request, editing=editing, form=form, tried=_tried(request, editing))
    return _page(request)


@agent_required
@require_POST
def macro_save_view(request: HttpRequest) -> HttpResponse:
    data = request.POST
    editing = None
    if data.get("id", "").isdecimal():
        editing = macro_get_for_agent(agent=request.user, macro_id=int(data["id"]))
    team_id = data.get("team_id", "")
    team = Team.objects.filter(pk=int(team_id)).first() if team_id.isdecimal() else None
    try:
        saved = services.macro_save(
            agent=request.user,
            title=data.get("title", ""),
            actions=actions_from_form(data),
            scope=data.get("scope") or MacroScope.PERSONAL,
            team=team,
            active=data.get("active") == "on",
            macro=editing,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound) and exc.field is None:  # the macro itself
            raise
        form = {key: data.get(key, "") for key in FORM_KEYS}
        form.update({k: v for k, v in data.items() if k.startswith(FIELD_PREFIX)})
        form["active"] = data.get("active") == "on"
        return _page(request, editing=editing, form=form, error=exc.message, status=400)
    messages.success(request, _("Saved macro “%(title)s”.") % {"title": saved.title})
    return redirect("macros:list")


@agent_required
@require_POST
def macro_copy_view(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = macro_get_for_agent(agent=request.user, macro_id=macro_id)
    copy = services.macro_copy(agent=request.user, macro=macro)
    messages.success(request, _("Copied to “%(title)s”.") % {"title": copy.title})
    return redirect(f"{reverse('macros:list')}?edit={copy.pk}")


@agent_required
@require_POST
def macro_delete_view(request: HttpRequest, macro_id: int) -> HttpResponse:
    macro = macro_get_for_agent(agent=request.user, macro_id=macro_id)
    services.macro_delete(agent=request.user, macro=macro)
    messages.success(request, _("Deleted macro “%(title)s”.") % {"title": macro.title})
    return redirect("macros:list")


@agent_required
def macro_picker(request: HttpRequest) -> JsonResponse:
    """The macros the agent may apply (id, title, source), for the composer's picker and the
    bulk bar; fetched when first needed, so pages don't pay for it."""
    return JsonResponse({"macros": macros_for_picker(request.user)})


@agent_required
def macro_preview_view(request: HttpRequest, ticket_id: int, macro_id: int) -> JsonResponse:
    """What the macro would do to this ticket (texts filled in, header changes), as JSON for the
    composer; nothing is saved."""
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    macro = macro_get_for_agent(agent=request.user, macro_id=macro_id, active=True)
    try:
        preview = services.macro_preview(macro, ticket=ticket, agent=request.user)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return JsonResponse({"error": exc.message}, status=400)
    return JsonResponse(preview)
