"""A webhook subscription's name, when none is given, is its URL — cut to fit the column."""

from __future__ import annotations

import pytest

from integrations.services import webhook_subscription_create

pytestmark = pytest.mark.django_db


def test_a_subscription_without_a_name_is_named_after_its_url_however_long(admin_user):
    """Found by schemathesis: a 300-character URL as the name overflowed the column (a 500)."""
    url = "https://hooks.example.com/" + "a" * 300
    subscription = webhook_subscription_create(
        name="", url=url, event_types=["ticket.created"], owner=admin_user
    )
    subscription.refresh_from_db()
    assert subscription.name == url[:100]
