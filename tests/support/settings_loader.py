"""Load support/settings.py afresh under a given environment, without touching the live settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SETTINGS = Path(__file__).resolve().parents[2] / "support" / "settings.py"
SWITCHES = ("DATABASE_URL", "DATABASE_REPLICA_URL", "STORAGE_URL", "REDIS_URL", "CELERY_BROKER_URL")


def load_settings(monkeypatch, **env: str) -> ModuleType:
    for name in SWITCHES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
