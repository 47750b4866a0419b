"""Knowledge-base events on the one event stream (``support.events``): ``article.published`` when
an article goes live, ``article.updated`` when a published article's content changes.
``integrations`` turns them into webhooks. ``KbEvent`` joins the stream in ``KbConfig.ready``."""

from __future__ import annotations

from kb.models import KbEvent
from support import clock
from support.events import is_suppressed, publish_on_commit

ARTICLE_PUBLISHED = "article.published"
ARTICLE_UPDATED = "article.updated"
KINDS = (ARTICLE_PUBLISHED, ARTICLE_UPDATED)


def publish(kind: str, *, key: str, **data: object) -> KbEvent | None:
    """Announce a change once the transaction commits (quiet while importing history)."""
    if kind not in KINDS:
        raise ValueError(f"Unknown knowledge-base event kind {kind!r}.")
    if is_suppressed():
        return None
    event = KbEvent.objects.create(kind=kind, key=key, data=data, at=clock.now())
    publish_on_commit(KbEvent, [event.pk])
    return event
