"""Small ORM helpers that know no app."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model


def remember_prefetched(instance: Model, name: str, rows: Iterable[Model]) -> None:
    """Store ``rows`` as ``instance.<name>.all()``, as ``prefetch_related(name)`` would: for an
    object a service has just written along with its related rows, so showing it reads nothing
    back. Only for rows that are exactly what the database now holds for that relation."""
    loaded = getattr(instance, name).get_queryset()
    loaded._result_cache, loaded._prefetch_done = list(rows), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = loaded
