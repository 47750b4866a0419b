"""Which of our languages a stored ``locale`` means ("de-AT", "es_MX" and "de" mean German)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant


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
