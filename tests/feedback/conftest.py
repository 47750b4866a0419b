import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set a password on every user; the default hasher made these tests crawl."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
