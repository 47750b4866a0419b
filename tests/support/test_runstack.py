"""`manage.py runstack` is what `make run` starts: web + Celery worker with beat, stopped as one."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_runstack_serves_pages_runs_a_worker_and_stops_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env["SWITCHBOARD_VAR_DIR"] = str(tmp_path)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    log = open(tmp_path / "stack.log", "w+")  # noqa: SIM115
    stack = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runstack", "--port", str(port), "--web-workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz") as response:  # noqa: S310
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert body is not None and '"status": "ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as response:  # noqa: S310
            assert "Sign in" in response.read().decode()
        for _ in range(60):
            log.seek(0)
            if "ready." in log.read():
                break
            time.sleep(0.5)
        log.seek(0)
        output = log.read()
        assert "celery@" in output and "beat: Starting" in output
        assert "demo logins" in output.lower()

        # Links in mail point at the address this stack serves (no SITE_URL was set).
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/sign-in/")  # noqa: S310
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        cookie = page.headers["Set-Cookie"].split(";")[0]
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}/portal/sign-in/",
            data=urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token.group(1), "email": "pat@example.org"}
            ).encode(),
            headers={"Cookie": cookie, "Referer": f"http://127.0.0.1:{port}/portal/sign-in/"},
        )
        assert urllib.request.urlopen(request).status == 200  # noqa: S310
        link = f"http://127.0.0.1:{port}/portal/sign-in/"
        for _ in range(60):
            log.seek(0)
            if link in log.read():
                break
            time.sleep(0.5)
        log.seek(0)
        assert link in log.read(), "the sign-in link (printed by the console mail backend)"
    finally:
        stack.send_signal(signal.SIGTERM)
        code = stack.wait(timeout=40)
    assert code == 0
