"""The workflow engine's benchmarks (issue 15), registered from ``bench.scenarios``.

- A ticket change (priority low ↔ normal through ``ticket_update``) with no active trigger and
  with 100 active triggers that don't match it: the difference is what evaluating 100 triggers
  costs a change (the issue's budget: at most 1 ms).
- The automation sweep with nothing to do: the three shipped automations active (as "Bench: …"
  copies whose action only tags), every ticket they match now already acted on for its period
  (``AutomationRun`` rows, as the sweep leaves them), swept at that same moment. This is the
  pessimistic steady state: a real "close solved after 4 days" would have closed those tickets,
  taking them out of the partial indexes the sweep reads; here they stay in range. The first
  (warm-up) pass is a full one; the measured ones read only what can have come to match since
  the last pass (``tickets.automation.sweep``). ``automation_sweep_full`` measures the full pass
  the sweep makes at least hourly (its marks dropped before each run: one DELETE more).

The bench's triggers and automations are named "Bench: …"; each scenario switches on only what
it measures and leaves the rest of the data set's rules alone. Every run starts with them off
(:func:`bench_rules_off`): a trigger left on by an earlier run would act on every ticket the
other scenarios create (20 of the 100 tag each new mail ticket).
"""

from __future__ import annotations

from datetime import datetime

from bench.context import Context
from bench.core import call

BENCH = "Bench: "
TRIGGERS = 100


def bench_rules_off() -> None:
    """Switch off the bench's own triggers and automations (the runner calls it first)."""
    from tickets.automation.cache import active_rules
    from tickets.automation.models import Automation, Trigger

    if Trigger.objects.filter(name__startswith=BENCH, is_active=True).update(is_active=False):
        active_rules.invalidate()  # a queryset update sends no signal
    Automation.objects.filter(name__startswith=BENCH, is_active=True).update(is_active=False)


def _bench_triggers(active: bool) -> int:
    from tickets.automation import services
    from tickets.automation.cache import active_rules
    from tickets.automation.models import Trigger

    existing = Trigger.objects.filter(name__startswith=BENCH).count()
    for n in range(existing, TRIGGERS):
        # Ordinary conditions that don't hold for the measured change (a priority going to
        # low or normal on a ticket without these tags and words): evaluated, never acting.
        conditions = [
            {"all": [{"field": "priority", "operator": "changed_to", "value": "urgent"}]},
            {"all": [{"field": "subject", "operator": "contains", "value": f"zq{n}refund"}]},
            {"all": [{"field": "tags", "operator": "contains", "value": f"bench-vip-{n}"}]},
            {
                "all": [
                    {"field": "event", "operator": "is", "value": "created"},
                    {"field": "channel", "operator": "is", "value": "email"},
                ]
            },
            {
                "any": [
                    {"field": "status", "operator": "changed_to", "value": "on_hold"},
                    {"field": "message", "operator": "contains", "value": f"zq{n}cancel"},
                ]
            },
        ][n % 5]
        services.rule_save(
            Trigger(is_active=False),
            name=f"{BENCH}trigger {n:03d}",
            conditions=conditions,
            actions=[{"action": "add_tags", "value": f"bench-t{n}"}],
        )
    Trigger.objects.filter(name__startswith=BENCH).update(is_active=active)
    active_rules.invalidate()  # a queryset update sends no signal
    return Trigger.objects.filter(is_active=True).exclude(name__startswith=BENCH).count()


def _priority_change(ctx: Context):
    from tickets.models import Ticket
    from tickets.services import ticket_update

    ticket = Ticket.objects.get(pk=ctx.ticket_with_messages(20))
    flip = {"low": "normal"}

    def run():
        ticket_update(
            ticket=ticket, by=ctx.agent, changes={"priority": flip.get(ticket.priority, "low")}
        )

    return run


@call("Ticket change (priority), no active trigger", target="baseline for the next")
def ticket_change_no_triggers(ctx: Context):
    _bench_triggers(active=False)
    return _priority_change(ctx)


@call(
    f"Ticket change (priority), {TRIGGERS} active triggers not matching",
    target="≤ 1 ms more than with none (p50)",
)
def ticket_change_100_triggers(ctx: Context):
    _bench_triggers(active=True)
    return _priority_change(ctx)


def _trigger_hook(ctx: Context):
    """The trigger hook alone (``engine.run_triggers``) on the change a priority update makes:
    the same work as inside the change, without its writes and commit (whose noise on a busy
    machine is larger than the difference)."""
    from tickets import events
    from tickets.automation.engine import run_triggers
    from tickets.models import EventKind, Ticket, TicketEvent

    _priority_change(ctx)()
    ticket = Ticket.objects.get(pk=ctx.ticket_with_messages(20))
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.PRIORITY_CHANGED).latest("pk")
    event.ticket = ticket

    def run():
        run_triggers(events.Change(events=[event]))

    return run


@call("Trigger hook on one change, no active trigger", target="baseline for the next")
def trigger_hook_no_triggers(ctx: Context):
    _bench_triggers(active=False)
    return _trigger_hook(ctx)


@call(f"Trigger hook on one change, {TRIGGERS} active triggers", target="≤ 1 ms more than none")
def trigger_hook_100_triggers(ctx: Context):
    _bench_triggers(active=True)
    return _trigger_hook(ctx)


def _bench_automations(now: datetime) -> int:
    """The shipped examples as active "Bench: …" automations, every current match acted on."""
    from tickets.automation import services
    from tickets.automation.examples import EXAMPLES
    from tickets.automation.models import Automation, AutomationRun, TicketTimes
    from tickets.automation.sweep import candidates_query
    from tickets.automation.times import times_backfill
    from tickets.models import Ticket

    if TicketTimes.objects.count() < Ticket.objects.count():
        times_backfill()  # seed_scale loads tickets without their times
    for example in EXAMPLES:
        name = f"{BENCH}{example['name']}"
        if not Automation.objects.filter(name=name).exists():
            services.rule_save(
                Automation(is_active=True),
                name=name,
                conditions=example["conditions"],
                actions=[{"action": "add_tags", "value": "bench-automation"}],
            )
    Automation.objects.filter(name__startswith=BENCH).update(is_active=True)
    runs = 0
    for automation in Automation.objects.filter(name__startswith=BENCH):
        query, column = candidates_query(automation, now)
        made = AutomationRun.objects.bulk_create(
            [
                AutomationRun(automation=automation, ticket_id=pk, period_at=period, at=now)
                for pk, period in query.values_list("pk", column).iterator()
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        runs += len(made)
    return runs


@call("Automation sweep, nothing to do (the 3 shipped automations on)", target="< 10 ms")
def automation_sweep_idle(ctx: Context):
    from support import clock
    from tickets.automation.sweep import automations_sweep

    now = clock.now()
    _bench_automations(now)

    def run():
        counts = automations_sweep(now=now)
        if counts["acted"] or counts["failed"]:
            raise AssertionError(f"The idle sweep acted: {counts}")
        return counts

    return run


@call("Automation sweep, full pass, nothing to do (hourly)", target="—")
def automation_sweep_full(ctx: Context):
    from support import clock
    from tickets.automation.models import AutomationSweep
    from tickets.automation.sweep import automations_sweep

    now = clock.now()
    _bench_automations(now)

    def run():
        AutomationSweep.objects.filter(automation__name__startswith=BENCH).delete()
        counts = automations_sweep(now=now)
        if counts["acted"] or counts["failed"]:
            raise AssertionError(f"The full sweep acted: {counts}")
        return counts

    return run
