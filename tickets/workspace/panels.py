"""Sections that apps above tickets add to the side of the agent's ticket page.

tickets imports no app above it, so an app that has something to show about a ticket (feedback: the
satisfaction survey, linked product feedback) registers a panel source in its ``AppConfig.ready``::

    panels.register(csat_panel)

A source is called with the ticket, the agent and the conversation the page has already loaded,
and returns a ``Panel`` (a template and its context) or ``None`` to show nothing. The page renders
each panel in order with ``{% side_panel panel %}``: its template sees the panel's context and the
page's ``csrf_token`` and ``request``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from accounts.models import User
from tickets.models import Message, Ticket


@dataclass(frozen=True)
class Panel:
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


class PanelSource(Protocol):
    def __call__(
        self, *, ticket: Ticket, agent: User, conversation: Sequence[Message]
    ) -> Panel | None: ...


_sources: list[Callable[..., Panel | None]] = []


def register(source: PanelSource) -> PanelSource:
    """Add ``source`` after the panels registered before it (once, however often it is called)."""
    if source not in _sources:
        _sources.append(source)
    return source


def panels_for_ticket(
    *, ticket: Ticket, agent: User, conversation: Sequence[Message]
) -> list[Panel]:
    panels = (source(ticket=ticket, agent=agent, conversation=conversation) for source in _sources)
    return [panel for panel in panels if panel is not None]


# --- the customer's and the organization's pages (tickets.people) ---------------------------
# Sources are called with ``agent`` and either ``customer`` or ``organization`` (the other is
# ``None``) and return a ``Panel`` or ``None``: feedback adds the CSAT history and the feedback
# items they stand behind.

_profile_sources: list[Callable[..., Panel | None]] = []


def register_profile(source: Callable[..., Panel | None]) -> Callable[..., Panel | None]:
    if source not in _profile_sources:
        _profile_sources.append(source)
    return source


def panels_for_profile(
    *, agent: User, customer: Any = None, organization: Any = None
) -> list[Panel]:
    panels = (
        source(agent=agent, customer=customer, organization=organization)
        for source in _profile_sources
    )
    return [panel for panel in panels if panel is not None]
