"""Rules compiled once per cache generation (``tickets.automation.cache``): each rule's conditions
become one Python predicate over :class:`~tickets.automation.evaluate.Facts`, and the triggers
are indexed by what a change must contain for them to be able to fire.

**Predicates.** Each condition becomes a closure specialised to its field and operator, with its
value normalised once (the interpreter, ``evaluate.condition_holds``, does both on every call),
and the clock read once per change (``Facts.now``).
The ``all`` conditions are evaluated cheapest first — ticket columns and the change's events
before the requester, then the tags and the latest message (a query each) — so a rule whose cheap
condition fails never reads the expensive one; ``all`` doesn't depend on order. ``any`` keeps the
written order (an ``any`` that stops at a condition that holds would otherwise skip one that
raises, and the interpreter says a rule that raises doesn't match). The result is the
interpreter's for every condition (``tests/tickets/automation/test_compiled.py``).

**The trigger index.** A trigger with a condition in ``all`` that can only hold on some changes
— ``ticket is created`` / ``updated``, or a field ``changed`` / ``changed to`` / ``changed
from`` — is listed under those changes' keys (``Facts.keys``: "created" or "updated",
"changed:<field>"); a trigger whose ``any`` conditions are all of that kind, under the union of
theirs. A change evaluates the triggers listed under its keys and those that can fire on any
change, in their order; the others can't hold and are not evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter

from tickets.automation import field_rules
from tickets.automation.evaluate import Facts, _changed
from tickets.automation.profile_rules import is_profile_condition
from tickets.automation.profile_rules import predicate as profile_predicate
from tickets.automation.schema import CHANGE, ORDERED
from tickets.automation.timing import TIME_COLUMNS, time_holds

Predicate = Callable[[Facts], bool]

# Evaluation cost of a condition, cheapest first: the ticket row and the change's events; the
# requester (a query unless loaded) and the clock; the tags and the latest message (a query).
_COLUMN, _NEAR, _QUERY = 0, 1, 2


def _getter(name: str) -> Callable[[Facts], object]:
    """``Facts.current(name)`` as a closure (the same values)."""
    if name == "event":
        return lambda f: "created" if f.created else "updated"
    if name in ("status", "priority", "type", "channel", "subject"):
        get = attrgetter(name)
        return lambda f: get(f.ticket)
    if name in ("team", "assignee", "organization", "product", "version", "component"):
        get = attrgetter(f"{name}_id")
        return lambda f: get(f.ticket)
    if name == "requester":
        return lambda f: f.requester
    if name == "requester_domain":
        return lambda f: f.requester.rpartition("@")[2]
    if name == "mail_to":
        return lambda f: (f.ticket.mail_to or "").lower()
    if name == "message":
        return lambda f: f.message
    if name == "actor":
        return lambda f: f.actor
    raise KeyError(name)


def _cost(name: str) -> int:
    if name in ("tags", "message"):
        return _QUERY
    if name in ("requester", "requester_domain", "business_hours") or name in TIME_COLUMNS:
        return _NEAR
    if is_profile_condition(name):  # the organization's or requester's row
        return _NEAR
    return _COLUMN


def _compare(name: str, operator: str, value) -> Predicate:
    """``is`` / ``is not`` / ``contains`` / ordered comparisons on the current value, with the
    interpreter's case folding: both sides lower-cased when both are text."""
    get = _getter(name)
    text = isinstance(value, str)
    folded = value.strip().lower() if text else value

    def pair(f: Facts):
        current = get(f)
        if text and isinstance(current, str):
            return current.lower(), folded
        return current, value

    if operator == "is":

        def holds(f: Facts) -> bool:
            current, want = pair(f)
            return current == want

    elif operator == "is_not":

        def holds(f: Facts) -> bool:
            current, want = pair(f)
            return current != want

    elif operator == "contains":

        def holds(f: Facts) -> bool:
            current, want = pair(f)
            return want in (current or "")

    elif operator == "not_contains":

        def holds(f: Facts) -> bool:
            current, want = pair(f)
            return want not in (current or "")

    else:
        order = ORDERED[name]
        less = operator == "less_than"

        def holds(f: Facts) -> bool:
            current, want = pair(f)
            here, there = order.index(current), order.index(want)
            return here < there if less else here > there

    return holds


def compile_condition(cond: dict) -> Predicate:
    """One condition as a predicate: ``evaluate.condition_holds(facts, cond)``, precomputed."""
    name, operator, value = cond["field"], cond["operator"], cond.get("value")
    if name in TIME_COLUMNS:
        return lambda f: time_holds(f.ticket, cond, f.now)
    if field_rules.is_field_condition(name):
        return field_rules.predicate(cond)
    if operator in CHANGE:
        return lambda f: _changed(f, cond)
    if name == "business_hours":
        if operator == "is":
            return lambda f: f.in_business_hours(value, f.now)
        return lambda f: not f.in_business_hours(value, f.now)
    if name == "tags":
        tag = value.strip().lower()
        if operator == "contains":
            return lambda f: tag in f.tags
        return lambda f: tag not in f.tags
    if is_profile_condition(name):
        return profile_predicate(cond)
    return _compare(name, operator, value)


def compile_conditions(conditions: dict) -> Predicate:
    """All of ``all`` (cheapest first) and, when there are any, one of ``any`` (in order)."""
    alls = sorted(conditions.get("all", ()), key=lambda c: _cost(c["field"]))
    every = tuple(compile_condition(c) for c in alls)
    anys = tuple(compile_condition(c) for c in conditions.get("any", ()))
    if not anys:
        if len(every) == 1:
            return every[0]
        return lambda f: all(p(f) for p in every)
    return lambda f: all(p(f) for p in every) and any(p(f) for p in anys)


def reads(conditions: dict) -> frozenset[str]:
    """What the conditions read that costs a query: "tags" and/or "message"."""
    found = set()
    for cond in (*conditions.get("all", ()), *conditions.get("any", ())):
        if cond["field"] == "tags" and cond["operator"] not in CHANGE:
            found.add("tags")
        elif cond["field"] == "message":
            found.add("message")
    return frozenset(found)


def _keys_of(cond: dict) -> frozenset[str] | None:
    """The change keys at least one of which a change needs for ``cond`` to hold (``None``: it
    can hold on any change). Mirrors ``evaluate._changed``: a new ticket's first values count as
    changed to, except for tags and for "changed from"."""
    name, operator, value = cond["field"], cond["operator"], cond.get("value")
    if isinstance(value, str):
        value = value.strip().lower()
    if name == "event" and operator in ("is", "is_not") and value in ("created", "updated"):
        other = "updated" if value == "created" else "created"
        return frozenset({value if operator == "is" else other})
    if operator in CHANGE:
        if name == "tags" or operator == "changed_from":
            return frozenset({f"changed:{name}"})
        return frozenset({f"changed:{name}", "created"})
    return None


def gate(conditions: dict) -> frozenset[str] | None:
    """The keys a change needs for these conditions to be able to hold, or ``None``."""
    best = None
    for cond in conditions.get("all", ()):
        keys = _keys_of(cond)
        if keys is not None and (best is None or len(keys) < len(best)):
            best = keys
    if best is not None:
        return best
    anys = [_keys_of(c) for c in conditions.get("any", ())]
    if anys and all(keys is not None for keys in anys):
        return frozenset().union(*anys)
    return None


@dataclass(frozen=True)
class CompiledRule:
    rule: object  # a RoutingRule, Trigger or Automation
    holds: Predicate
    gate: frozenset[str] | None
    reads: frozenset[str]


def compile_rule(rule) -> CompiledRule:
    return CompiledRule(
        rule=rule,
        holds=compile_conditions(rule.conditions),
        gate=gate(rule.conditions),
        reads=reads(rule.conditions),
    )


@dataclass(frozen=True)
class TriggerIndex:
    """The active triggers in order, and which of them each kind of change can fire."""

    rules: tuple[CompiledRule, ...] = ()
    anywhere: tuple[int, ...] = ()  # positions of the triggers any change can fire
    by_key: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, triggers: Iterable) -> TriggerIndex:
        rules = tuple(compile_rule(t) for t in triggers)
        anywhere: list[int] = []
        by_key: dict[str, list[int]] = {}
        for position, compiled in enumerate(rules):
            if compiled.gate is None:
                anywhere.append(position)
            else:
                for key in compiled.gate:
                    by_key.setdefault(key, []).append(position)
        return cls(rules, tuple(anywhere), {k: tuple(v) for k, v in by_key.items()})

    def candidates(self, facts: Facts, start: int = 0) -> list[int]:
        """Positions (from ``start``, in order) of the triggers this change could fire."""
        found = set(self.anywhere)
        for key in facts.keys:
            found.update(self.by_key.get(key, ()))
        return sorted(p for p in found if p >= start)

    def reads(self, positions: Iterable[int]) -> frozenset[str]:
        return frozenset().union(*(self.rules[p].reads for p in positions))
