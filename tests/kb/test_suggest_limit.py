"""The request form's suggestions are rate-limited per address: 429 with a sentence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_too_many_suggestion_requests_get_429_with_a_message(client, settings):
    settings.KB_SUGGEST_RATE_PER_MINUTE = 3
    factories.KbArticleFactory(title="Export invoices")
    url = reverse("kb:suggest")
    for _ in range(3):
        assert client.get(url, {"subject": "export"}).status_code == 200
    limited = client.get(url, {"subject": "export"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Suggestions are paused for a minute" in limited.content.decode()


def test_the_limit_message_is_translated(client, settings):
    settings.KB_SUGGEST_RATE_PER_MINUTE = 0
    limited = client.get(reverse("kb:suggest"), {"subject": "x"}, headers={"accept-language": "de"})
    assert limited.status_code == 429
    assert "Vorschläge" in limited.content.decode()
