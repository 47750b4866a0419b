"""Macros: check a bundle of actions once (:func:`macro_clean_actions`), keep macros
(:func:`macro_save`, :func:`macro_delete`), show what one would do to a ticket
(:func:`macro_preview`) and do it (:func:`macro_apply`) through the ticket services.

``actions`` keys (all optional, at least one): ``reply`` and ``note`` (text with the canned
responses' placeholders), ``status``, ``priority``, ``type``, ``team`` (a team id, or ``None`` to
clear it), ``assignee`` (an agent id, ``"me"`` for whoever applies it, or ``None`` to unassign),
``tags_add`` and ``tags_remove`` (lists of tag names), ``fields`` (custom field values by key,
``None`` clears one: checked as a trigger's ``set_field``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Team, User
from support import clock
from support.errors import InvalidChange, NotFound, NotPermitted, ValidationFailed
from tickets import services
from tickets.automation.announce import announce
from tickets.automation.field_rules import fields_clean_for_action
from tickets.events import applied_with, ticket_change
from tickets.fields.cache import ticket_fields
from tickets.fields.services import display
from tickets.macros.models import Macro, MacroScope
from tickets.models import Message, Priority, Status, Ticket, TicketType
from tickets.services import TicketChanges
from tickets.workspace.agent_cache import agent_lists_changed
from tickets.workspace.canned import render_placeholders

TEXT_KEYS = ("reply", "note")
FIELD_KEYS = (
    "status",
    "priority",
    "type",
    "team",
    "assignee",
    "tags_add",
    "tags_remove",
    "fields",
)
ACTION_KEYS = (*TEXT_KEYS, *FIELD_KEYS)
# A macro moves a ticket along, never opens a new one nor closes it (closing follows solving).
MACRO_STATUSES = (Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED)
MAX_TEXT = 20_000


def _choice(value, choices, field: str, what: str) -> str:
    if value not in {str(v) for v in choices}:
        raise ValidationFailed(
            _("%(value)s is not a %(what)s.") % {"value": repr(value), "what": what}, field=field
        )
    return str(value)


def _tags(value, field: str) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ValidationFailed(_("Tags are a list of names."), field=field)
    tags: list[str] = []
    for name in value:
        try:
            tag = services.normalize_tag(name)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, field=field) from None
        if tag not in tags:
            tags.append(tag)
    return tags


def _id_or_none(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).isdecimal():
        raise ValidationFailed(_("%(value)s is not an id.") % {"value": repr(value)}, field=field)
    return int(value)


def macro_clean_actions(actions: object) -> dict:
    """``actions`` checked and normalized, or ``ValidationFailed`` naming the first bad key.

    The one place that knows what a macro may do; the pages, the API and :func:`macro_save`
    all come through here."""
    if not isinstance(actions, dict):
        raise ValidationFailed(_("A macro's actions are an object."), field="actions")
    unknown = sorted(set(actions) - set(ACTION_KEYS))
    if unknown:
        raise ValidationFailed(
            _("Unknown action %(unknown)s: a macro can set %(keys)s.")
            % {"unknown": ", ".join(map(repr, unknown)), "keys": ", ".join(ACTION_KEYS)},
            field="actions",
        )
    clean: dict = {}
    for key in TEXT_KEYS:
        if key in actions:
            text = actions[key]
            if not isinstance(text, str):
                raise ValidationFailed(_("The %(key)s is text.") % {"key": key}, field=key)
            text = text.strip()
            if len(text) > MAX_TEXT:
                raise ValidationFailed(_("The %(key)s is too long.") % {"key": key}, field=key)
            if text:
                clean[key] = text
    if actions.get("status") not in (None, ""):
        clean["status"] = _choice(
            actions["status"],
            MACRO_STATUSES,
            "status",
            "status a macro can set (open, pending, on hold or solved)",
        )
    if actions.get("priority") not in (None, ""):
        clean["priority"] = _choice(actions["priority"], Priority.values, "priority", "priority")
    if actions.get("type") not in (None, ""):
        clean["type"] = _choice(actions["type"], TicketType.values, "type", "ticket type")
    if "team" in actions:
        team_id = _id_or_none(actions["team"], "team")
        # An id naming nothing is out of the caller's reach, as everywhere in the API (404).
        if team_id is not None and not Team.objects.filter(pk=team_id).exists():
            raise NotFound(_("No team with id %(team_id)s.") % {"team_id": team_id}, field="team")
        clean["team"] = team_id
    if "assignee" in actions:
        value = actions["assignee"]
        if value == "me":
            clean["assignee"] = "me"
        else:
            agent_id = _id_or_none(value, "assignee")
            if agent_id is not None:
                agent = User.objects.filter(pk=agent_id).first()
                if agent is None or not agent.is_agent or not agent.is_active:
                    raise NotFound(
                        _("%(value)s is not an active agent.") % {"value": repr(value)},
                        field="assignee",
                    )
            clean["assignee"] = agent_id
    for key in ("tags_add", "tags_remove"):
        if key in actions:
            tags = _tags(actions[key], key)
            if tags:
                clean[key] = tags
    if "fields" in actions:
        values = fields_clean_for_action(actions["fields"])
        if values:
            clean["fields"] = values
    # A tag in both lists ends removed, as adding then removing it would leave the ticket (no
    # schema can say two lists don't share an item, so the API takes it: docs/api.md).
    removed = set(clean.get("tags_remove", ()))
    if removed and "tags_add" in clean:
        clean["tags_add"] = [tag for tag in clean["tags_add"] if tag not in removed]
        if not clean["tags_add"]:
            del clean["tags_add"]
    if not clean:
        raise ValidationFailed(_("A macro needs at least one action."), field="actions")
    return clean


# --- keeping macros -------------------------------------------------------------------------


def macro_may_manage(agent: User, macro: Macro) -> bool:
    """Owners manage their personal macros; admins the team and shared ones."""
    if macro.owner_id is not None:
        return macro.owner_id == agent.pk
    return agent.is_admin


def _check_manage(agent: User, macro: Macro) -> None:
    """Another agent's personal macro does not exist for ``agent``; a team or shared one does,
    but only admins change it."""
    if macro_may_manage(agent, macro):
        return
    if macro.owner_id is not None:
        raise NotFound(_("No such macro."))
    raise NotPermitted(_("Only admins can change team and shared macros."))


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed(_("Give the macro a title."), field="title")
    if len(title) > 100:
        raise ValidationFailed(_("A title has at most 100 characters."), field="title")
    return title


@transaction.atomic
def macro_save(
    *,
    agent: User,
    title: str,
    actions: dict,
    scope: str = MacroScope.PERSONAL,
    team: Team | None = None,
    active: bool = True,
    macro: Macro | None = None,
) -> Macro:
    """Create (``macro`` None) or update a macro. Personal macros belong to ``agent``; team and
    shared macros are for admins. Someone else's personal macro is a ``NotFound``."""
    services.require_agent(agent)
    if macro is not None:
        _check_manage(agent, macro)
    title = _clean_title(title)
    actions = macro_clean_actions(actions)
    if scope not in MacroScope.values:
        raise ValidationFailed(_("Choose who the macro is for."), field="scope")
    if scope == MacroScope.TEAM and team is None:
        raise ValidationFailed(_("Choose the team the macro is for."), field="team_id")
    if scope != MacroScope.PERSONAL and not agent.is_admin:
        raise NotPermitted(_("Only admins can keep team and shared macros."))
    created = macro is None
    if macro is None:
        macro = Macro(created_at=clock.now())
    macro.title, macro.actions, macro.active = title, actions, bool(active)
    macro.owner = agent if scope == MacroScope.PERSONAL else None
    macro.team = team if scope == MacroScope.TEAM else None
    macro.updated_at = clock.now()
    macro.save()
    announce("created" if created else "updated", macro, by=agent)
    agent_lists_changed()
    return macro


def macro_copy(*, agent: User, macro: Macro) -> Macro:
    """A copy of a macro ``agent`` can see, titled "… (copy)": kept with the same scope when the
    agent may keep such macros (admins), else as the agent's personal macro."""
    scope = macro.scope if agent.is_admin else MacroScope.PERSONAL
    return macro_save(
        agent=agent,
        title=f"{macro.title[:93]} (copy)",
        actions=dict(macro.actions),
        scope=scope,
        team=macro.team if scope == MacroScope.TEAM else None,
        active=macro.active,
    )


@transaction.atomic
def macro_delete(*, agent: User, macro: Macro) -> None:
    _check_manage(agent, macro)
    announce("deleted", macro, by=agent)
    macro.delete()
    agent_lists_changed()


def macro_describe(macro: Macro) -> str:
    """One line on what the macro does, for lists ("reply · note · status solved · +refund")."""
    actions, parts = macro.actions, []
    parts += [key for key in TEXT_KEYS if key in actions]
    for key in ("status", "priority", "type"):
        if key in actions:
            parts.append(f"{key} {actions[key].replace('_', ' ')}")
    if "team" in actions:
        parts.append("team set" if actions["team"] else "no team")
    if "assignee" in actions:
        value = actions["assignee"]
        parts.append("assign to me" if value == "me" else ("assign" if value else "unassign"))
    parts += [f"+{tag}" for tag in actions.get("tags_add", ())]
    parts += [f"−{tag}" for tag in actions.get("tags_remove", ())]
    known = ticket_fields.get()
    for key, value in actions.get("fields", {}).items():
        field = known.get(key)
        label = field.label if field else key
        parts.append(
            f"{label} {display(field, value) if field else value}" if value else f"no {label}"
        )
    return " · ".join(parts)


# --- applying -------------------------------------------------------------------------------


def macro_changes(macro: Macro, *, agent: User) -> TicketChanges:
    """The macro's field changes as ``ticket_update`` takes them (``"me"`` is ``agent``)."""
    actions = macro.actions
    changes: TicketChanges = {}
    for key in ("status", "priority", "type"):
        if key in actions:
            changes[key] = actions[key]
    if "team" in actions:
        team = Team.objects.filter(pk=actions["team"]).first() if actions["team"] else None
        if actions["team"] and team is None:
            raise InvalidChange(
                _("The team of macro “%(title)s” no longer exists.") % {"title": macro.title}
            )
        changes["team"] = team
    if "assignee" in actions:
        value = actions["assignee"]
        assignee = (
            agent if value == "me" else (User.objects.filter(pk=value).first() if value else None)
        )
        if value and assignee is None:
            raise InvalidChange(
                _("The assignee of macro “%(title)s” no longer exists.") % {"title": macro.title}
            )
        changes["assignee"] = assignee
    for key in ("tags_add", "tags_remove"):
        if actions.get(key):
            changes[key] = list(actions[key])
    if actions.get("fields"):
        changes["fields"] = dict(actions["fields"])
    return changes


def _label(value) -> str:
    if value is None or value == "":
        return "nobody"
    if isinstance(value, User):
        return value.display_name
    if isinstance(value, Team):
        return value.name
    return str(value)


def macro_preview(macro: Macro, *, ticket: Ticket, agent: User) -> dict:
    """What applying ``macro`` to ``ticket`` would do, before anything is saved: its texts with
    the placeholders filled in and one line per header change that really changes something."""
    changes = macro_changes(macro, agent=agent)
    lines: list[dict] = []
    for key, choices in (("status", Status), ("priority", Priority), ("type", TicketType)):
        if key in changes and changes[key] != getattr(ticket, key):
            lines.append(
                {
                    "field": key,
                    "label": key.capitalize(),
                    "old": choices(getattr(ticket, key)).label,
                    "new": choices(changes[key]).label,
                }
            )
    for key in ("team", "assignee"):
        if key in changes:
            new = changes[key]
            if getattr(ticket, f"{key}_id") != (new.pk if new else None):
                lines.append(
                    {
                        "field": key,
                        "label": key.capitalize(),
                        "old": _label(getattr(ticket, key))
                        if key == "assignee"
                        else (ticket.team.name if ticket.team_id else "no team"),
                        "new": _label(new) if key == "assignee" or new else "no team",
                    }
                )
    current = set(ticket.tags.values_list("name", flat=True)) if ticket.pk else set()
    added = [t for t in changes.get("tags_add", ()) if t not in current]
    removed = [t for t in changes.get("tags_remove", ()) if t in current]
    if added or removed:
        lines.append(
            {
                "field": "tags",
                "label": "Tags",
                "old": "",
                "new": " ".join([*(f"+{t}" for t in added), *(f"−{t}" for t in removed)]),
            }
        )
    lines += _field_lines(ticket, changes.get("fields", {}))
    actions = macro.actions
    return {
        "id": macro.pk,
        "title": macro.title,
        "reply": render_placeholders(actions.get("reply", ""), ticket=ticket, agent=agent),
        "note": render_placeholders(actions.get("note", ""), ticket=ticket, agent=agent),
        "changes": lines,
    }


def _field_lines(ticket: Ticket, values: dict) -> list[dict]:
    """One preview line per custom field whose value would change, as the values read."""
    known, current, lines = ticket_fields.get(), ticket.fields or {}, []
    for key, value in values.items():
        field = known.get(key)
        if field is None or current.get(key) == value:
            continue
        lines.append(
            {
                "field": f"fields.{key}",
                "label": field.label,
                "old": display(field, current.get(key)),
                "new": display(field, value),
            }
        )
    return lines


@ticket_change
def macro_apply(
    *,
    ticket: Ticket,
    macro: Macro,
    by: User,
    reply: str | None = None,
    note: str | None = None,
    attachments: Sequence[File] = (),
    status: str | None = None,
) -> list[Message]:
    """Apply ``macro`` to ``ticket`` as one change (one transaction, the hooks run once): the
    field changes through ``ticket_update``, then the note through ``ticket_note``, then the
    reply through ``ticket_reply`` carrying the status (so the status moves last, as when an
    agent sends and sets it). ``reply``/``note`` are the texts to send (the agent's edit of the
    macro's; ``None`` or blank sends none); ``status`` overrides the macro's. ``attachments`` go
    with the reply, or with the note when there is no reply. Everything or nothing is saved."""
    services.require_agent(by)
    if not macro.active:
        raise InvalidChange(_("Macro “%(title)s” is turned off.") % {"title": macro.title})
    # Its changes are the agent's, made with the macro: the timeline names both.
    with applied_with({"kind": "macro", "id": macro.pk, "name": macro.title}):
        changes = macro_changes(macro, agent=by)
        target = status or changes.pop("status", None)
        changes.pop("status", None)
        reply = (reply or "").strip()
        note = (note or "").strip()
        sent: list[Message] = []
        if changes:
            services.ticket_update(ticket=ticket, by=by, changes=changes)
        if note:
            sent.append(
                services.ticket_note(
                    ticket=ticket, body=note, by=by, attachments=() if reply else attachments
                )
            )
        if reply:
            sent.append(
                services.ticket_reply(
                    ticket=ticket,
                    body=reply,
                    by=by,
                    attachments=attachments,
                    status=target if target and target != ticket.status else None,
                )
            )
        elif target:
            services.ticket_update(ticket=ticket, by=by, changes={"status": target})
    return sent
