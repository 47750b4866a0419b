from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from django.db import connection
from django.test.testcases import LiveServerThread

from support.celery import app as celery_app
from tests import factories
from tests.liveserver import NoDelayWSGIServer

# The real processes (gunicorn + worker + beat) for browser journeys: tests/stack.py.
pytest_plugins = ["tests.stack"]


# Django's test server without Nagle's algorithm (every response waited 40 ms): tests/liveserver.py.
LiveServerThread.server_class = NoDelayWSGIServer


def pytest_collection_modifyitems(config, items):
    """The longest tests first: started last, one of them (the contract test, a quarter of an
    hour) ran alone at the end while the other workers had finished. PostgreSQL-only tests run
    in CI's PostgreSQL pass; on SQLite they are deselected, loudly."""
    items.sort(key=lambda item: item.get_closest_marker("longest") is None)  # stable
    if connection.vendor == "postgresql":
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(
                f"{len(dropped)} PostgreSQL-only tests deselected on {connection.vendor}; "
                "CI runs them on PostgreSQL."
            )


@pytest.fixture(scope="session", autouse=True)
def _prometheus_samples():
    """Metric samples of a test run (this process and the servers and workers it starts) go to
    a directory of the run's own, removed at the end — not into ``var/prometheus``, where they
    would pile up. prometheus-client opens its sample files on a metric's first use and reads
    the variable then, so setting it before the first test is in time."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # "off": samples stay in the process
        yield None
        return
    previous = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    folder = tempfile.mkdtemp(prefix="switchboard-prometheus-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    yield folder
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = previous
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process during tests unless a test starts a real worker."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request activates its reader's language on the thread (LocaleMiddleware) and nothing
    resets it: each test starts, and leaves, in the default language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Tables are emptied between tests (rollback, truncate) without signals: start each test
    without the per-process copies a previous test's rows filled (support.localcache)."""
    from accounts.branding import current as branding
    from customers.fields import profile_fields
    from products.cache import catalog
    from tickets.assignment.cache import assigning_team_ids
    from tickets.automation.cache import active_rules
    from tickets.fields.cache import ticket_fields, ticket_forms
    from tickets.mail.custom import saved as mail_templates
    from tickets.mail.loops import teams_with_address
    from tickets.sla.cache import active_policies

    caches = (
        branding,
        mail_templates,
        active_policies,
        teams_with_address,
        active_rules,
        assigning_team_ids,
        catalog,
        ticket_fields,
        ticket_forms,
        profile_fields,
    )
    for cached in caches:
        cached.forget()
    yield
    for cached in caches:
        cached.forget()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is deliberately slow; the tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(db):
    return factories.TeamFactory()


@pytest.fixture
def agent(team):
    return factories.AgentFactory(teams=[team])


@pytest.fixture
def other_agent(db):
    """An agent in a different team: sees none of ``team``'s tickets."""
    return factories.AgentFactory(teams=[factories.TeamFactory()])


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory()


@pytest.fixture
def customer(db):
    return factories.CustomerFactory()


@pytest.fixture
def ticket(team, customer):
    return factories.TicketFactory(team=team, requester=customer)


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets an empty in-memory cache (rate-limit counters, presence) of its own."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api(db):
    """``api(user, read_only=False)``: a DRF test client with a fresh Bearer token of ``user``."""
    from rest_framework.test import APIClient

    from accounts.tokens import api_token_create

    def make(user=None, *, read_only: bool = False) -> APIClient:
        client = APIClient()
        if user is not None:
            _, raw = api_token_create(user=user, name="test", read_only=read_only)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make


# --- Browser tests ------------------------------------------------------------------------------
# Debian's Chromium driven by Playwright; never a browser download. Where Chromium is missing the
# browser tests are skipped on a developer's machine, and fail in CI (CI=true), which installs it.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; each test opens its own pages in it."""
    if not shutil.which(CHROMIUM):
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen
    # in its own thread, so Django's async guard only needs lifting here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page (own cookies) at the desktop size the screenshots use."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    yield context.new_page()
    context.close()
