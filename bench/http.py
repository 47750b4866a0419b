"""Real HTTP: start gunicorn on the loaded database and send it the page scenarios' requests."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.context import Context
from bench.core import Request, Result

BASE_DIR = Path(__file__).resolve().parent.parent
SERVER_TIMING = re.compile(r'db;desc="(\d+) queries";dur=([\d.]+)')


class Gunicorn:
    """gunicorn with ``workers`` sync workers on 127.0.0.1:``port``, ``SERVER_TIMING`` on."""

    def __init__(self, *, port: int, workers: int = 4):
        self.port = port
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        env = {**os.environ, "SERVER_TIMING": "1", "DJANGO_SETTINGS_MODULE": "support.settings"}
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "support.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],  # fmt: skip
            cwd=BASE_DIR,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer on port {self.port} within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Client:
    """One keep-alive connection (reopened when the server closes it) sending bench Requests."""

    def __init__(self, base_url: str, ctx: Context):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.ctx = ctx
        self.csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def send(self, req: Request) -> tuple[float, int | None, float | None]:
        """Send one request: (seconds, SQL queries, SQL seconds) — SQL from ``Server-Timing``."""
        cookies = [f"csrftoken={self.csrf}"]
        if req.user is not None:
            cookies.append(f"sessionid={self.ctx.session_cookie(req.user)}")
        headers = {"Cookie": "; ".join(cookies), "Host": f"{self.host}:{self.port}"}
        headers.update(req.headers or {})
        body = None
        if req.method != "GET":
            headers["X-CSRFToken"] = self.csrf
            headers["Referer"] = f"http://{self.host}:{self.port}/"
            if req.json is not None:
                body = json.dumps(req.json).encode()
                headers["Content-Type"] = "application/json"
            else:
                body = urlencode(req.data or {}).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.conn.request(req.method, req.path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()
            self.conn.request(req.method, req.path, body=body, headers=headers)
            response = self.conn.getresponse()
        response.read()
        seconds = time.perf_counter() - started
        if response.status != req.expect:
            raise AssertionError(f"{req.method} {req.path}: {response.status}, not {req.expect}")
        timing = SERVER_TIMING.search(response.getheader("Server-Timing") or "")
        if timing:
            return seconds, int(timing.group(1)), float(timing.group(2)) / 1000
        return seconds, None, None


def run_http(
    make_request, *, base_url: str, ctx: Context, n: int, warmup: int, concurrency: int = 1
) -> Result:
    """Send ``n`` requests (after ``warmup``), from ``concurrency`` clients at once."""
    clients = [Client(base_url, ctx) for _ in range(concurrency)]
    for i in range(warmup):
        clients[0].send(make_request(-1 - i))
    result = Result(concurrency=concurrency)
    started = time.perf_counter()
    if concurrency == 1:
        samples = [clients[0].send(make_request(i)) for i in range(n)]
    else:
        # Each client sends its share in turn on its own connection.
        shares = [[make_request(i) for i in range(k, n, concurrency)] for k in range(concurrency)]
        with ThreadPoolExecutor(concurrency) as pool:
            parts = pool.map(
                lambda k: [clients[k].send(req) for req in shares[k]], range(concurrency)
            )
            samples = [sample for part in parts for sample in part]
    result.wall = time.perf_counter() - started
    for seconds, queries, sql in samples:
        result.seconds.append(seconds)
        if queries is not None:
            result.queries.append(queries)
            result.sql_seconds.append(sql)
    return result
