"""Changing a ticket's fields: :func:`ticket_update` applies any set of changes in one step.

The API's PATCH, the workspace's header edits and bulk actions (and rules that act on tickets)
all describe what they want as :class:`TicketChanges` and call :func:`ticket_update`; the named
services below it (``ticket_change_status``, ``ticket_assign``, …) are that call with one key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.utils.translation import gettext as _

from accounts.models import Team, User
from customers.models import Customer
from products.models import Component, Product, Version
from products.services import check_product_choice
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tickets.events import record_event, ticket_change
from tickets.fields import services as custom_fields
from tickets.fields.cache import ticket_fields
from tickets.fields.models import TicketForm
from tickets.models import EventKind, Priority, Status, Tag, Ticket, TicketType
from tickets.services.base import (
    Actor,
    check_cc_count,
    check_choice,
    clean_cc_addresses,
    clean_subject,
    customer_may_act,
    normalize_tag,
    require_agent,
    status_set,
    tags_named,
    ticket_lock,
    ticket_touch,
)
from tickets.sla import services as sla


class TicketChanges(TypedDict, total=False):
    """What to change; a key left out is left as it is. ``team``/``assignee`` ``None`` clears it;
    ``tags`` is the whole new set, ``tags_add``/``tags_remove`` change it by names."""

    subject: str
    status: str
    priority: str
    type: str
    team: Team | None
    assignee: User | None
    tags: Iterable[str]
    tags_add: Iterable[str]
    tags_remove: Iterable[str]
    followers_add: Iterable[User]
    followers_remove: Iterable[User]
    cc: Iterable[str]
    cc_add: Iterable[str]
    cc_remove: Iterable[str]
    product: Product | None
    version: Version | None
    component: Component | None
    fields: dict
    form: TicketForm | None


CHANGEABLE = frozenset(TicketChanges.__annotations__)
# Plain columns: (kind of event, whether the SLA policy may match differently after it).
_COLUMNS = {
    "subject": (EventKind.SUBJECT_CHANGED, False),
    "priority": (EventKind.PRIORITY_CHANGED, True),
    "type": (EventKind.TYPE_CHANGED, True),
}
# What the ticket is about: changing the product clears a version or component of another one.
PRODUCT_KEYS = ("product", "version", "component")
_PRODUCT_EVENTS = {
    "product": EventKind.PRODUCT_CHANGED,
    "version": EventKind.VERSION_CHANGED,
    "component": EventKind.COMPONENT_CHANGED,
}


def _check_actor(ticket: Ticket, by: Actor | None, keys: Iterable[str]) -> None:
    """Agents change anything, the system (``None``) too; a customer only the status of a ticket
    that is theirs (solve it, or reopen it once solved) and whom it copies in (``cc_add``: only
    their verified mail does that, ``tickets.mail.inbound``)."""
    if by is None:
        return
    if not isinstance(by, Customer):
        require_agent(by)
        return
    if set(keys) - {"status", "cc_add", "fields"}:
        raise NotPermitted(_("Only agents can do this."))
    if not customer_may_act(by, ticket):
        raise NotPermitted(_("You can only change your own tickets."))


def _check_customer_status(ticket: Ticket, status: str) -> None:
    if status == Status.SOLVED or (status == Status.OPEN and ticket.status == Status.SOLVED):
        return
    raise ValidationFailed(
        _("Customers can only mark a ticket solved, or reopen a solved ticket."), field="status"
    )


def _check_closed(ticket: Ticket, keys: set[str]) -> None:
    if ticket.status != Status.CLOSED:
        return
    if keys & {"team", "assignee"}:
        raise InvalidChange(_("A closed ticket can't be reassigned."))
    if keys & {"tags", "tags_add", "tags_remove"}:
        raise InvalidChange(_("A closed ticket can't be retagged."))
    for field in ("subject", "priority", "type", "fields", "form", *PRODUCT_KEYS):
        if field in keys:
            raise InvalidChange(_("A closed ticket can't be changed."), field=field)


def _check_assignment(ticket: Ticket, changes: TicketChanges) -> None:
    """An assignee is an active agent, and a member of the ticket's team when it has one."""
    team = changes["team"] if "team" in changes else ticket.team
    assignee = changes["assignee"] if "assignee" in changes else ticket.assignee
    if not isinstance(assignee, User):
        return
    if "assignee" in changes and (not assignee.is_agent or not assignee.is_active):
        raise ValidationFailed(_("Only active agents can be assigned."), field="assignee")
    if isinstance(team, Team) and not team.members.filter(pk=assignee.pk).exists():
        raise ValidationFailed(
            _("%(display_name)s is not a member of %(name)s.")
            % {"display_name": assignee.display_name, "name": team.name},
            field="assignee",
        )


def _clean_product(ticket: Ticket, changes: TicketChanges) -> dict:
    """The product, version and component the ticket will have: what was asked, and a version
    or component of another product cleared when only the product changes."""
    wanted = {key: changes[key] if key in changes else getattr(ticket, key) for key in PRODUCT_KEYS}
    product = wanted["product"]
    for key in ("version", "component"):
        part = wanted[key]
        if (
            key not in changes
            and part is not None
            and (product is None or part.product_id != product.pk)
        ):
            wanted[key] = None
    try:
        check_product_choice(**wanted)
    except ValidationFailed as exc:
        if "product" in changes:
            raise
        # The ticket's stored product decides (a version asked for a ticket with none, or of
        # another product): a conflict with what is stored, which the API's schema can't know.
        raise InvalidChange(exc.message, field=exc.field) from None
    return wanted


def _clean(ticket: Ticket, changes: TicketChanges, by: Actor | None = None) -> dict:
    """The changes checked and normalized, before anything is written."""
    clean: dict = {}
    if "subject" in changes:
        clean["subject"] = clean_subject(changes["subject"])
    for field, choices in (("priority", Priority), ("type", TicketType)):
        if field in changes:
            check_choice(changes[field], choices, field)
            clean[field] = changes[field]
    if "team" in changes or "assignee" in changes:
        _check_assignment(ticket, changes)
        for field in ("team", "assignee"):
            if field in changes:
                clean[field] = changes[field]
    if "tags" in changes or "tags_add" in changes or "tags_remove" in changes:
        add = {normalize_tag(t) for t in changes.get("tags_add", ())}
        remove = {normalize_tag(t) for t in changes.get("tags_remove", ())} - add
        current = set(ticket.tags.values_list("name", flat=True))
        if "tags" in changes:
            wanted = {normalize_tag(t) for t in changes["tags"]}
            add |= wanted - current
            remove |= current - wanted
        clean["tags_add"] = sorted(add - current)
        clean["tags_remove"] = sorted(remove & current)
    for field in ("followers_add", "followers_remove"):
        users = list(changes.get(field, ()))
        if any(not user.is_agent for user in users):
            raise ValidationFailed(_("Only agents can follow tickets."), field="followers")
        if users:
            clean[field] = users
    if "cc" in changes or "cc_add" in changes or "cc_remove" in changes:
        current = list(ticket.cc or [])
        requester = ticket.requester.email
        wanted = (
            clean_cc_addresses(changes["cc"], requester_email=requester)
            if "cc" in changes
            else list(current)
        )
        for address in clean_cc_addresses(changes.get("cc_add", ()), requester_email=requester):
            if address not in wanted:
                wanted.append(address)
        removing = {str(a).strip().lower() for a in changes.get("cc_remove", ())}
        wanted = [a for a in wanted if a not in removing]
        if wanted != current:
            if len(wanted) > len(current):
                check_cc_count(wanted)
            clean["cc"] = wanted
    if set(PRODUCT_KEYS) & set(changes):
        clean.update(_clean_product(ticket, changes))
    if "fields" in changes:
        clean["fields"] = custom_fields.fields_clean(
            changes["fields"], current=ticket.fields or {}, customer=isinstance(by, Customer)
        )
    if "form" in changes:
        form = changes["form"]
        if form is not None and not form.active and form.pk != ticket.form_id:
            raise ValidationFailed(
                _("The form “%(name)s” is archived.") % {"name": form.name}, field="form"
            )
        clean["form"] = form
    if "status" in changes:
        clean["status"] = changes["status"]
    return clean


@ticket_change
def ticket_update(*, ticket: Ticket, by: Actor | None, changes: TicketChanges) -> Ticket:
    """Apply ``changes`` to ``ticket`` as one change: every value is checked before anything is
    written; each field that really changes records its event; the status moves last (so "set
    the team and solve" solves the ticket as it now is). A value equal to the current one is no
    change. ``by`` is an agent, a customer (status only) or ``None`` for the system.
    """
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValidationFailed(
            _("%(unknown)s can't be changed here.") % {"unknown": ", ".join(sorted(unknown))}
        )
    _check_actor(ticket, by, changes)
    ticket_lock(ticket)
    _check_closed(ticket, set(changes) - {"status", "followers_add", "followers_remove"})
    if isinstance(by, Customer) and "status" in changes:
        _check_customer_status(ticket, changes["status"])
    clean = _clean(ticket, changes, by)

    saved: list[str] = []
    rematch = False
    for field, (kind, matching) in _COLUMNS.items():
        if field in clean and getattr(ticket, field) != clean[field]:
            old = getattr(ticket, field)
            setattr(ticket, field, clean[field])
            saved.append(field)
            rematch = rematch or matching
            record_event(ticket, kind=kind, by=by, field=field, old=old, new=clean[field])
    for field in PRODUCT_KEYS:
        new = clean.get(field, ticket)
        if new is not ticket and getattr(ticket, f"{field}_id") != (new.pk if new else None):
            old = getattr(ticket, field)
            setattr(ticket, field, new)
            saved.append(field)
            rematch = True
            record_event(
                ticket,
                kind=_PRODUCT_EVENTS[field],
                by=by,
                field=field,
                old=old,
                new=new,
                data={"old_id": old.pk if old else None, "new_id": new.pk if new else None},
            )
    for field, kind in (("team", EventKind.TEAM_CHANGED), ("assignee", EventKind.ASSIGNEE_CHANGED)):
        new = clean.get(field, ticket)
        if new is not ticket and getattr(ticket, f"{field}_id") != (new.pk if new else None):
            old = getattr(ticket, field)
            setattr(ticket, field, new)
            saved.append(field)
            record_event(ticket, kind=kind, by=by, field=field, old=old, new=new)
    if "form" in clean and ticket.form_id != (clean["form"].pk if clean["form"] else None):
        old_form, ticket.form = ticket.form, clean["form"]
        saved.append("form")
        record_event(
            ticket,
            kind=EventKind.FIELD_CHANGED,
            by=by,
            field="form",
            old=old_form.name if old_form else "",
            new=ticket.form.name if ticket.form else "",
            data={
                "label": "Form",
                "old": old_form.pk if old_form else None,
                "new": ticket.form_id,
            },
        )
    if "fields" in clean and clean["fields"] != (ticket.fields or {}):
        old_values = ticket.fields or {}
        moved = {
            k
            for k in {*old_values, *clean["fields"]}
            if old_values.get(k) != clean["fields"].get(k)
        }
        rematch = rematch or sla.policies_read_fields(moved)
        _record_field_changes(ticket, ticket.fields or {}, clean["fields"], by=by)
        ticket.fields = clean["fields"]
        saved.append("fields")
    if saved:
        ticket_touch(ticket, *saved)

    added, removed = clean.get("tags_add", []), clean.get("tags_remove", [])
    if added:
        ticket.tags.add(*tags_named(added))
    if removed:
        ticket.tags.remove(*Tag.objects.filter(name__in=removed))
    for name in added:
        record_event(ticket, kind=EventKind.TAG_ADDED, by=by, field="tags", new=name)
    for name in removed:
        record_event(ticket, kind=EventKind.TAG_REMOVED, by=by, field="tags", old=name)
    if added or removed:
        rematch = True
        if not saved:
            ticket_touch(ticket, internal=True)  # tags are the agents' alone

    _change_followers(ticket, clean, by=by)
    if "cc" in clean:
        _change_ccs(ticket, clean["cc"], by=by, saved=bool(saved or added or removed))
    if rematch:
        sla.sla_on_matching_changed(ticket=ticket)  # SLA: another policy may match now
    if "status" in clean and clean["status"] != ticket.status:
        status_set(ticket, clean["status"], by=by)
    return ticket


def _record_field_changes(ticket: Ticket, old: dict, new: dict, *, by: Actor | None) -> None:
    """One event per custom field that changed, with the values as they read now (a choice's
    label) and as stored (``data``), so renaming a choice later leaves the sentence as it was."""
    known = ticket_fields.get()
    for key in [k for k in known if k in old or k in new]:
        if old.get(key) == new.get(key):
            continue
        field = known[key]
        record_event(
            ticket,
            kind=EventKind.FIELD_CHANGED,
            by=by,
            field=key[:32],
            old=custom_fields.display(field, old.get(key)),
            new=custom_fields.display(field, new.get(key)),
            data={"label": field.label, "old": old.get(key), "new": new.get(key)},
        )


def _change_followers(ticket: Ticket, clean: dict, *, by: Actor | None) -> None:
    adding, removing = clean.get("followers_add", []), clean.get("followers_remove", [])
    if not adding and not removing:
        return
    current = set(
        ticket.followers.filter(pk__in=[u.pk for u in adding + removing]).values_list(
            "pk", flat=True
        )
    )
    for user in adding:
        if user.pk not in current:
            ticket.followers.add(user)
            record_event(ticket, kind=EventKind.FOLLOWER_ADDED, by=by, field="followers", new=user)
    for user in removing:
        if user.pk in current:
            ticket.followers.remove(user)
            record_event(
                ticket, kind=EventKind.FOLLOWER_REMOVED, by=by, field="followers", old=user
            )


def _change_ccs(ticket: Ticket, wanted: list[str], *, by: Actor | None, saved: bool) -> None:
    before = list(ticket.cc or [])
    ticket.cc = wanted
    if saved:
        ticket.save(update_fields=["cc"])
    else:
        ticket_touch(ticket, "cc")
    for address in wanted:
        if address not in before:
            record_event(ticket, kind=EventKind.CC_ADDED, by=by, field="cc", new=address)
    for address in before:
        if address not in wanted:
            record_event(ticket, kind=EventKind.CC_REMOVED, by=by, field="cc", old=address)


# --- one change each ------------------------------------------------------------------------


@ticket_change
def ticket_change_status(*, ticket: Ticket, status: str, by: Actor | None) -> Ticket:
    """Move the ticket through the state machine; asking for the status it already has is an
    error here (a person asked for a move). Customers may only solve or reopen their own."""
    _check_actor(ticket, by, ["status"])
    ticket_lock(ticket)
    if isinstance(by, Customer):
        _check_customer_status(ticket, status)
    status_set(ticket, status, by=by)
    return ticket


_UNSET = object()


def ticket_assign(
    *,
    ticket: Ticket,
    by: User | None,
    assignee: User | None | object = _UNSET,
    team: Team | None | object = _UNSET,
) -> Ticket:
    """Set the assignee, the team, or both; leave one out to keep it, pass ``None`` to clear it.

    An assignee must be an active agent, and a member of the ticket's team when it has one.
    """
    changes: TicketChanges = {}
    if assignee is not _UNSET:
        changes["assignee"] = assignee
    if team is not _UNSET:
        changes["team"] = team
    return ticket_update(ticket=ticket, by=by, changes=changes)


def ticket_set_tags(
    *, ticket: Ticket, by: User | None, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> Ticket:
    return ticket_update(ticket=ticket, by=by, changes={"tags_add": add, "tags_remove": remove})


def ticket_follow(*, ticket: Ticket, user: User, by: User) -> Ticket:
    """Add an agent as a follower: they hear about the ticket without being its assignee."""
    require_agent(by)
    return ticket_update(ticket=ticket, by=by, changes={"followers_add": [user]})


def ticket_unfollow(*, ticket: Ticket, user: User, by: User) -> Ticket:
    require_agent(by)
    return ticket_update(ticket=ticket, by=by, changes={"followers_remove": [user]})
