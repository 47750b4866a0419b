from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from tests import factories
from tickets.mail.models import OutboundEmail


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Rate-limit counters live in the cache; each test starts from zero."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal_user(db):
    """A customer with a portal login (``user.customer`` is the contact)."""
    return factories.CustomerUserFactory()


@pytest.fixture
def other_portal_user(db):
    return factories.CustomerUserFactory()


def link_path(kind: str, to: str) -> str:
    """The path of the latest link of ``kind`` mailed to ``to``, read from the outbox."""
    emails = OutboundEmail.objects.filter(kind=kind).order_by("-id")
    email = next((e for e in emails if to in e.to), None)
    assert email is not None, f"no {kind} mail to {to}"
    match = re.search(r"https?://[^/\s]+(/portal/\S+)", email.body_text)
    assert match, email.body_text
    return match.group(1)
