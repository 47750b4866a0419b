"""The published OpenAPI schema holds: schemathesis drives a live server with a real token and
finds no server error and no response that violates the schema."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.tokens import api_token_create
from tests import factories


@pytest.fixture
def seeded(transactional_db, settings):
    settings.API_RATE_LIMIT_USER = 1_000_000
    team = factories.TeamFactory()
    admin = factories.AdminFactory(teams=[team])
    org = factories.OrganizationFactory()
    for _ in range(3):
        factories.TicketFactory(team=team, requester=factories.CustomerFactory(organization=org))
    _, raw = api_token_create(user=admin, name="schemathesis")
    return raw


def test_schemathesis_finds_no_server_errors_and_no_schema_violations(live_server, seeded):
    executable = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8")
    result = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [
            executable,
            "run",
            f"{live_server.url}/api/schema/",
            "--header",
            f"Authorization: Bearer {seeded}",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--phases",
            "examples,fuzzing",
            "--max-examples",
            examples,
            "--workers",
            "1",
            "--seed",
            "1",
            "--request-timeout",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
