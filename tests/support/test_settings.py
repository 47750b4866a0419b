"""Settings come from the environment: check what each variable switches, in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "secure_cookies": settings.SESSION_COOKIE_SECURE,
}))
"""


def outside_env() -> dict[str, str]:
    """The environment as a deployment would have it: no database/broker of the test run, and
    not the async-safety switch the browser tests set for Playwright's event loop."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }


def run_settings(tmp_path, **env):
    clean = outside_env()
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "support.settings", "SWITCHBOARD_VAR_DIR": str(tmp_path)}
    )
    clean.update(env)
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_default_needs_no_server(tmp_path):
    found = run_settings(tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "switchboard.sqlite3")
    assert found["broker"] == "filesystem://"
    assert found["cache"].endswith("FileBasedCache")
    assert found["email"].endswith("console.EmailBackend")
    assert found["debug"] is False
    assert (tmp_path / "secret_key").exists()


def test_database_and_redis_urls_switch_to_postgresql_and_redis(tmp_path):
    found = run_settings(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.internal:5432/support",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "support"
    assert found["broker"] == "redis://cache.internal:6379/2"
    assert found["cache"].endswith("RedisCache")


def test_mail_host_switches_to_smtp(tmp_path):
    assert run_settings(tmp_path, EMAIL_HOST="smtp.internal")["email"].endswith("smtp.EmailBackend")


def test_bad_boolean_is_a_clear_error(tmp_path):
    with pytest.raises(subprocess.CalledProcessError) as error:
        run_settings(tmp_path, DEBUG="maybe")
    assert "DEBUG must be one of" in error.value.stderr


def test_production_settings_pass_check_deploy(tmp_path):
    """Given a real secret, host and an https SITE_URL, `check --deploy` finds nothing."""
    env = outside_env()
    env.update(
        SECRET_KEY="k3y-" + "x9Yq2" * 12,
        ALLOWED_HOSTS="support.example.com",
        SITE_URL="https://support.example.com",
        SWITCHBOARD_VAR_DIR=str(tmp_path),
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout
