"""No Docker engine runs here, so prove docker-compose.yml parses and names real entry points."""

import importlib
from pathlib import Path

import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services_with_health_checks():
    services = load()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker"):
        assert "healthcheck" in services[name], name
    assert "attachments" in load()["volumes"]
    assert any("attachments:" in volume for volume in services["web"]["volumes"])


def test_compose_commands_match_real_entry_points():
    services = load()["services"]
    wsgi_target = next(arg for arg in services["web"]["command"] if ":application" in arg)
    module, attr = wsgi_target.split(":")
    assert callable(getattr(importlib.import_module(module), attr))
    for name in ("worker", "beat"):
        command = services[name]["command"]
        assert command[:3] == ["celery", "-A", "support"]
        assert importlib.import_module("support").celery_app.main == "support"
    assert services["migrate"]["command"][1:3] == ["manage.py", "migrate"]
    assert "migrate" in get_commands()


def test_compose_points_the_apps_at_postgres_and_redis():
    env = load()["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://")
    assert "SECRET_KEY" in env
