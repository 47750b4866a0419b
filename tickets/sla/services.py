"""SLA writes: match a policy, start, pause, resume, meet and cancel clocks; calendars and policies.

The ticket services call the ``sla_on_*`` hooks inside their own transaction, after they have
changed the ticket, so the due times stored on the ticket always agree with its clocks. Nothing
here sends mail or records events: warnings and breaches are the sweep's (``tickets.sla.sweep``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from support import clock
from support.errors import InvalidChange, ValidationFailed
from tickets.fields.cache import ticket_fields
from tickets.fields.models import CHOICE_KINDS
from tickets.models import Message, Status, Ticket, ticket_keys_of
from tickets.sla.business_time import Calendar, add_business_time, business_time_between
from tickets.sla.cache import active_policies
from tickets.sla.models import (
    BusinessCalendar,
    Holiday,
    SlaPolicy,
    SlaTarget,
    TargetKind,
    TargetState,
    TicketSla,
)

PAUSING_STATUSES = frozenset({Status.PENDING, Status.ON_HOLD})
DONE_STATUSES = frozenset({Status.SOLVED, Status.CLOSED})
LIVE = (TargetState.RUNNING, TargetState.PAUSED)
DUE_FIELDS = {
    TargetKind.FIRST_RESPONSE: "first_response_due_at",
    TargetKind.NEXT_REPLY: "next_reply_due_at",
    TargetKind.RESOLUTION: "resolution_due_at",
}


# --- matching ------------------------------------------------------------------------------


def policy_matches(policy: SlaPolicy, ticket: Ticket, tag_ids: set[int]) -> bool:
    if policy.priorities and ticket.priority not in policy.priorities:
        return False
    if policy.channels and ticket.channel not in policy.channels:
        return False
    if policy.types and ticket.type not in policy.types:
        return False
    if policy.products and ticket.product_id not in policy.products:
        return False
    if policy.field_values and not _fields_match(policy.field_values, ticket.fields or {}):
        return False
    org_ids = {o.pk for o in policy.organizations.all()}
    if org_ids and ticket.organization_id not in org_ids:
        return False
    policy_tags = {t.pk for t in policy.tags.all()}
    return not (policy_tags and not policy_tags & tag_ids)


def _fields_match(wanted: dict, values: dict) -> bool:
    for key, choices in wanted.items():
        current = values.get(key)
        have = set(current) if isinstance(current, list) else {current}
        if not have & set(choices):
            return False
    return True


def policies_read_fields(keys: Iterable[str]) -> bool:
    """Does an active policy match on one of these custom fields (so a change of them may
    match another policy)?"""
    keys = set(keys)
    return any(keys & set(p.field_values or ()) for p in active_policies.get())


def policy_field_values_clean(values: object) -> dict:
    """A policy's custom field conditions checked: choice fields by key, each with a list of
    its choices' values (a retired one too: tickets may hold it). ``ValidationFailed`` naming
    ``field_values.<key>``."""
    if not isinstance(values, dict):
        raise ValidationFailed(_("Give field conditions as key: [values]."), field="field_values")
    known, clean = ticket_fields.get(), {}
    for key, wanted in values.items():
        field = known.get(key)
        at = f"field_values.{key}"
        if field is None or field.kind not in CHOICE_KINDS:
            raise ValidationFailed(
                _("There is no choice field “%(key)s”.") % {"key": key}, field=at
            )
        if isinstance(wanted, str):
            wanted = [wanted]
        if not isinstance(wanted, list):
            raise ValidationFailed(
                _("%(label)s: give a list of choices.") % {"label": field.label}, field=at
            )
        choices = {c.value for c in field.choice_list}
        for value in wanted:
            if value not in choices:
                raise ValidationFailed(
                    _("%(label)s: “%(value)s” is not one of the choices.")
                    % {"label": field.label, "value": value},
                    field=at,
                )
        if wanted:
            clean[key] = sorted(set(wanted))
    return clean


def policy_for(ticket: Ticket, *, tag_ids: set[int] | None = None) -> SlaPolicy | None:
    """First active policy (by position) whose conditions hold, else the default, else none.

    ``tag_ids``: the ticket's tags when the caller knows them (a ticket being created)."""
    policies = active_policies.get()  # kept per process, reloaded on every change
    if tag_ids is None:
        tag_ids = set(ticket.tags.values_list("pk", flat=True)) if ticket.pk else set()
    for policy in policies:
        if not policy.is_default and policy_matches(policy, ticket, tag_ids):
            return policy
    return next((p for p in policies if p.is_default), None)


def _calendar(policy: SlaPolicy) -> Calendar:
    cached = getattr(policy, "business_calendar", None)  # set on the cached active policies
    return cached if cached is not None else policy.calendar.as_calendar()


# --- clock arithmetic ----------------------------------------------------------------------


def _schedule(target: SlaTarget, cal: Calendar) -> None:
    """Set due_at / warn_at from start, target and time paused."""
    paused = timedelta(seconds=target.paused_seconds)
    total = timedelta(minutes=target.target_minutes)
    target.due_at = add_business_time(target.started_at, total + paused, cal)
    target.warn_at = add_business_time(
        target.started_at, total * target.warning_percent / 100 + paused, cal
    )


def _taken(target: SlaTarget, until: datetime, cal: Calendar) -> int:
    elapsed = business_time_between(target.started_at, until, cal)
    return max(0, int(elapsed.total_seconds()) - target.paused_seconds)


def _build(
    ticket: Ticket, policy: SlaPolicy, kind: str, at: datetime, cal: Calendar
) -> SlaTarget | None:
    minutes = policy.target_minutes(kind)
    if not minutes:
        return None
    target = SlaTarget(
        ticket=ticket,
        kind=kind,
        target_minutes=minutes,
        warning_percent=policy.warning_percent,
        started_at=at,
        **ticket_keys_of(ticket),
    )
    _schedule(target, cal)
    return target


def _start(
    ticket: Ticket, policy: SlaPolicy, kind: str, at: datetime, cal: Calendar
) -> SlaTarget | None:
    target = _build(ticket, policy, kind, at, cal)
    if target is not None:
        target.save()
    return target


def _live(ticket: Ticket) -> dict[str, SlaTarget]:
    return {
        t.kind: t
        for t in SlaTarget.objects.select_for_update().filter(ticket=ticket, state__in=LIVE)
    }


def _meet(target: SlaTarget, at: datetime, cal: Calendar) -> None:
    target.state = TargetState.MET
    target.met_at = at
    target.business_seconds_taken = _taken(target, at, cal)
    target.save(update_fields=["state", "met_at", "business_seconds_taken"])


def _cancel(target: SlaTarget) -> None:
    target.state = TargetState.CANCELLED
    target.paused_since = None
    target.save(update_fields=["state", "paused_since"])


def _pause(target: SlaTarget, at: datetime) -> None:
    if target.state == TargetState.RUNNING:
        target.state = TargetState.PAUSED
        target.paused_since = at
        target.save(update_fields=["state", "paused_since"])


def _resume(target: SlaTarget, at: datetime, cal: Calendar) -> None:
    if target.state != TargetState.PAUSED:
        return
    target.paused_seconds += int(
        business_time_between(target.paused_since, at, cal).total_seconds()
    )
    target.paused_since = None
    target.state = TargetState.RUNNING
    _schedule(target, cal)
    _unwarn_if_moved(target, at)
    target.save(
        update_fields=["state", "paused_since", "paused_seconds", "due_at", "warn_at", "warned_at"]
    )


def _unwarn_if_moved(target: SlaTarget, now: datetime) -> None:
    # A warning given for a due time that has since moved out (pause, looser policy) may be given
    # again; a breach is history and stays.
    if target.warned_at and not target.breached_at and target.warn_at > now:
        target.warned_at = None


def _sync_ticket(ticket: Ticket) -> None:
    """Copy the running clocks' due times onto the ticket (a paused clock shows no due time)."""
    running = {
        t.kind: t.due_at for t in SlaTarget.objects.filter(ticket=ticket, state=TargetState.RUNNING)
    }
    changed = []
    for kind, field in DUE_FIELDS.items():
        value = running.get(kind)
        if getattr(ticket, field) != value:
            setattr(ticket, field, value)
            changed.append(field)
    if changed:
        Ticket.objects.filter(pk=ticket.pk).update(**{f: getattr(ticket, f) for f in changed})


def _state(ticket: Ticket) -> tuple[TicketSla | None, SlaPolicy | None]:
    sla = TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
    return sla, (sla.policy if sla else None)


# --- hooks called by tickets.services ------------------------------------------------------


@dataclass
class NewTicketSla:
    """The SLA of a ticket being created, worked out before its row is written."""

    policy: SlaPolicy | None
    targets: list[SlaTarget] = dataclasses.field(default_factory=list)


def sla_plan_new_ticket(*, ticket: Ticket, tag_ids: set[int]) -> NewTicketSla:
    """For a ticket not saved yet: match a policy, build its first clocks (first response and
    resolution from the ticket's creation) and set the ticket's due times on it, so the ticket's
    own INSERT carries them. The same clocks :func:`sla_on_created` starts, without reading back
    a ticket that can't have clocks yet; :func:`sla_save_new_ticket` writes them."""
    policy = policy_for(ticket, tag_ids=tag_ids)
    plan = NewTicketSla(policy=policy)
    if policy is not None:
        cal = _calendar(policy)
        at = ticket.created_at
        if ticket.first_responded_at is None:
            plan.targets.append(_build(ticket, policy, TargetKind.FIRST_RESPONSE, at, cal))
        if ticket.status not in DONE_STATUSES:
            target = _build(ticket, policy, TargetKind.RESOLUTION, at, cal)
            if target and ticket.status in PAUSING_STATUSES:
                target.state, target.paused_since = TargetState.PAUSED, at
            plan.targets.append(target)
        plan.targets = [t for t in plan.targets if t is not None]
    running = {t.kind: t.due_at for t in plan.targets if t.state == TargetState.RUNNING}
    for kind, due_field in DUE_FIELDS.items():
        setattr(ticket, due_field, running.get(kind))
    return plan


def sla_save_new_ticket(*, ticket: Ticket, plan: NewTicketSla) -> tuple[TicketSla, list[SlaTarget]]:
    """Write what :func:`sla_plan_new_ticket` worked out, once the ticket has its id: one INSERT
    for the match, one for all its clocks. Returns both as written."""
    matched = TicketSla.objects.create(
        ticket=ticket,
        policy=plan.policy,
        policy_name=plan.policy.name if plan.policy else "",
        matched_at=clock.now(),
    )
    for target in plan.targets:
        target.ticket = ticket
    targets = SlaTarget.objects.bulk_create(plan.targets) if plan.targets else []
    return matched, targets


def sla_on_created(
    *, ticket: Ticket, policy: SlaPolicy | None = None, pinned: bool = False
) -> None:
    """Match a policy (or take ``policy``, applied by a rule: ``pinned``) and start first
    response and resolution at the ticket's creation."""
    if policy is None:
        policy = policy_for(ticket)
    TicketSla.objects.update_or_create(
        ticket=ticket,
        defaults={
            "policy": policy,
            "policy_name": policy.name if policy else "",
            "matched_at": clock.now(),
            "pinned": pinned,
        },
    )
    if policy is None:
        return
    cal = _calendar(policy)
    live = _live(ticket)
    if ticket.first_responded_at is None and TargetKind.FIRST_RESPONSE not in live:
        _start(ticket, policy, TargetKind.FIRST_RESPONSE, ticket.created_at, cal)
    if TargetKind.RESOLUTION not in live and ticket.status not in DONE_STATUSES:
        target = _start(ticket, policy, TargetKind.RESOLUTION, ticket.created_at, cal)
        if target and ticket.status in PAUSING_STATUSES:
            _pause(target, ticket.created_at)
    _sync_ticket(ticket)


def sla_on_reply(*, ticket: Ticket, message: Message) -> None:
    """An agent's public reply meets first response and next reply; a customer's starts a next
    reply clock (unless one is already waiting, or the first response is still owed)."""
    sla, policy = _state(ticket)
    if sla is None or policy is None or not message.is_public:
        return
    cal = _calendar(policy)
    live = _live(ticket)
    at = message.created_at
    if message.author_user_id:
        for kind in (TargetKind.FIRST_RESPONSE, TargetKind.NEXT_REPLY):
            if kind in live:
                _meet(live[kind], at, cal)
    elif TargetKind.NEXT_REPLY not in live and TargetKind.FIRST_RESPONSE not in live:
        _start(ticket, policy, TargetKind.NEXT_REPLY, at, cal)
    _sync_ticket(ticket)


def sla_on_status_changed(*, ticket: Ticket, old: str, new: str) -> None:
    """Pending / on hold pause the resolution clock; open resumes it; solved meets it (and
    cancels clocks still owed); reopening resumes it without counting the time it was solved."""
    sla, policy = _state(ticket)
    if sla is None or policy is None:
        return
    cal = _calendar(policy)
    now = clock.now()
    resolution = (
        SlaTarget.objects.select_for_update()
        .filter(ticket=ticket, kind=TargetKind.RESOLUTION)
        .order_by("-started_at", "-id")
        .first()
    )
    if new == Status.SOLVED:
        for target in _live(ticket).values():
            if target.kind == TargetKind.RESOLUTION:
                if target.state == TargetState.PAUSED:
                    _resume(target, now, cal)
                _meet(target, now, cal)
            else:
                _cancel(target)
    elif old == Status.SOLVED and new not in DONE_STATUSES:
        if resolution is not None and resolution.state == TargetState.MET:
            # Reopened: the clock picks up where it stopped; the solved spell counts as paused.
            resolution.state = TargetState.PAUSED
            resolution.paused_since = resolution.met_at
            resolution.met_at = None
            resolution.business_seconds_taken = None
            resolution.save()
            _resume(resolution, now, cal)
        if new in PAUSING_STATUSES and resolution is not None:
            _pause(resolution, now)
    elif resolution is not None and resolution.is_live:
        if new in PAUSING_STATUSES:
            _pause(resolution, now)
        else:
            _resume(resolution, now, cal)
    _sync_ticket(ticket)


def sla_on_matching_changed(*, ticket: Ticket) -> None:
    """Priority, type, tags or organization changed: match again; live clocks take the new
    policy's targets (measured from when they started), clocks it lacks are cancelled, and
    clocks it adds start from the ticket's creation (first response, resolution)."""
    sla, old_policy = _state(ticket)
    if sla is None:
        sla_on_created(ticket=ticket)
        return
    if sla.pinned:
        return  # a rule applied this policy: it stays
    policy = policy_for(ticket)
    if policy is not None and old_policy is not None and policy.pk == old_policy.pk:
        return
    _switch(ticket, sla, policy)


def sla_apply_policy(*, ticket: Ticket, policy: SlaPolicy) -> bool:
    """A rule's "apply SLA policy": the ticket takes ``policy`` and keeps it (pinned) when its
    matching fields change; live clocks take its targets as on a re-match. False: it had it."""
    sla, old_policy = _state(ticket)
    if sla is None:
        sla_on_created(ticket=ticket, policy=policy, pinned=True)
        return True
    if old_policy is not None and old_policy.pk == policy.pk and sla.pinned:
        return False
    sla.pinned = True
    _switch(ticket, sla, policy)
    return True


def _switch(ticket: Ticket, sla: TicketSla, policy: SlaPolicy | None) -> None:
    sla.policy = policy
    sla.policy_name = policy.name if policy else ""
    sla.matched_at = clock.now()
    sla.save()
    live = _live(ticket)
    now = clock.now()
    if policy is None:
        for target in live.values():
            _cancel(target)
        _sync_ticket(ticket)
        return
    cal = _calendar(policy)
    for kind, target in live.items():
        minutes = policy.target_minutes(kind)
        if not minutes:
            _cancel(target)
            continue
        target.target_minutes = minutes
        target.warning_percent = policy.warning_percent
        _schedule(target, cal)
        _unwarn_if_moved(target, now)
        target.save()
    # Starts the kinds the new policy adds.
    sla_on_created(ticket=ticket, policy=policy, pinned=sla.pinned)


# --- calendars and policies ----------------------------------------------------------------


@transaction.atomic
def calendar_save(*, calendar: BusinessCalendar) -> BusinessCalendar:
    calendar.full_clean()
    calendar.save()
    return calendar


@transaction.atomic
def calendar_set_holidays(
    *, calendar: BusinessCalendar, holidays: Iterable[tuple[date, str]]
) -> BusinessCalendar:
    """Replace the calendar's holidays with these ``(date, name)`` pairs."""
    wanted = dict(holidays)
    calendar.holidays.exclude(date__in=wanted).delete()
    existing = set(calendar.holidays.values_list("date", flat=True))
    Holiday.objects.bulk_create(
        Holiday(calendar=calendar, date=day, name=name[:120])
        for day, name in sorted(wanted.items())
        if day not in existing
    )
    calendar._holiday_cache = None
    active_policies.invalidate()  # bulk_create sends no signal
    return calendar


@transaction.atomic
def calendar_seed_holidays(
    *, calendar: BusinessCalendar, country: str, years: Iterable[int], subdiv: str | None = None
) -> int:
    """Add a country's public holidays (from the ``holidays`` package); returns how many."""
    import holidays as holidays_lib

    try:
        found = holidays_lib.country_holidays(country.upper(), subdiv=subdiv, years=list(years))
    except NotImplementedError as exc:
        raise ValidationFailed(
            _("No holiday list for %(country)s.") % {"country": repr(country)},
            field="holiday_country",
        ) from exc
    existing = set(calendar.holidays.values_list("date", flat=True))
    new = [
        Holiday(calendar=calendar, date=day, name=str(name)[:120])
        for day, name in sorted(found.items())
        if day not in existing
    ]
    Holiday.objects.bulk_create(new)
    calendar.holiday_country = country.upper()
    calendar.save(update_fields=["holiday_country"])
    calendar._holiday_cache = None
    active_policies.invalidate()  # bulk_create sends no signal
    return len(new)


@transaction.atomic
def calendar_delete(*, calendar: BusinessCalendar) -> None:
    """Delete a calendar and its holidays; refused (409) while a policy still uses it."""
    in_use = list(SlaPolicy.objects.filter(calendar=calendar).values_list("name", flat=True))
    if in_use:
        raise InvalidChange(
            _("The calendar is used by %(in_use)s; move those policies to another calendar first.")
            % {"in_use": ", ".join(sorted(in_use))}
        )
    calendar.delete()


@transaction.atomic
def policy_save(
    *,
    policy: SlaPolicy,
    organizations: Iterable | None = None,
    tags: Iterable[str] | None = None,
    notify: Iterable | None = None,
) -> SlaPolicy:
    """Save a policy (from the admin form). Making it the default takes the flag from the old
    default. Tickets keep the policy they matched until one of their matching fields changes."""
    from tickets.models import Tag
    from tickets.services import normalize_tag

    for field in ("priorities", "channels", "types", "products"):
        setattr(policy, field, sorted(set(getattr(policy, field) or [])))
    policy.field_values = policy_field_values_clean(policy.field_values or {})
    if not any(policy.target_minutes(k) for k in TargetKind.values):
        raise ValidationFailed(
            _("A policy needs at least one target."), field="first_response_minutes"
        )
    if policy.is_default:
        SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(is_default=False)
    policy.full_clean()
    policy.save()
    if organizations is not None:
        policy.organizations.set(organizations)
    if notify is not None:
        policy.notify.set(notify)
    if tags is not None:
        names = sorted({normalize_tag(t) for t in tags})
        policy.tags.set([Tag.objects.get_or_create(name=n)[0] for n in names])
    return policy


@transaction.atomic
def policy_delete(*, policy: SlaPolicy) -> None:
    """Delete a policy. Tickets that matched it keep its name and their running clocks (with the
    targets they had); they match again when one of their matching fields changes."""
    policy.delete()


def preview_due(
    *, policy: SlaPolicy, at: datetime | None = None
) -> dict[str, tuple[datetime, datetime]]:
    """What a ticket created at ``at`` under ``policy`` would be due at: ``{kind: (warn, due)}``."""
    at = at or clock.now()
    cal = _calendar(policy)
    out = {}
    for kind in TargetKind.values:
        minutes = policy.target_minutes(kind)
        if minutes:
            probe = SlaTarget(
                target_minutes=minutes, warning_percent=policy.warning_percent, started_at=at
            )
            _schedule(probe, cal)
            out[kind] = (probe.warn_at, probe.due_at)
    return out
