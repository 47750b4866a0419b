"""Auto-assignment of a team's tickets to its online agents (see ``services``).

:func:`register` (called from ``TicketsConfig.ready``, after routing and triggers) adds the change
hook and connects the availability signal.
"""

from __future__ import annotations


def register() -> None:
    from accounts.signals import availability_changed
    from tickets import events
    from tickets.assignment import hooks, tasks  # noqa: F401 - the worker registers the tasks

    events.on_change(hooks.assign_on_change)
    availability_changed.connect(hooks.agent_came_online, dispatch_uid="assignment-online")
