"""Which of our languages a stored ``locale`` means ("de-AT", "es_MX" and "de" mean German), and
words looked up once per language (``per_language``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_supported_language_variant

T = TypeVar("T")


def language_for(locale: str | None) -> str:
    """One of ``settings.LANGUAGES`` for a stored locale; the default language when it is not one
    we translate."""
    code = (locale or "").strip().replace("_", "-").lower()
    if not code:
        return settings.LANGUAGE_CODE
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return settings.LANGUAGE_CODE


def per_language(build: Callable[[], T]) -> Callable[..., T]:
    """``build()``'s result once per language, then from memory: ``get()`` for the active
    language, ``get(language)`` for another. For words a hot loop repeats (a queue's 200 rows):
    each ``gettext`` looks the active language up (a context-local read), so a loop asks for the
    whole set once and reads plain strings after. Catalogs don't change while a process runs."""
    cache: dict[str, T] = {}

    def get(language: str | None = None) -> T:
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        found = cache.get(language)
        if found is None:
            with translation.override(language):
                found = cache[language] = build()
        return found

    return get
