"""Runs the registered scenarios in-process and over HTTP and reports them."""

from __future__ import annotations

import traceback
from argparse import Namespace
from collections.abc import Callable
from contextlib import nullcontext
from itertools import count
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client

from bench import report
from bench.context import Context
from bench.core import SCENARIOS, Request, Result, Scenario, measure, measure_processes


def request_maker(scenario: Scenario, ctx: Context) -> Callable[[int], Request]:
    made = scenario.fn(ctx)
    return made if callable(made) else (lambda i: made)


class InProcess:
    """Django's test client, one per signed-in user."""

    def __init__(self) -> None:
        self._clients: dict[int | None, Client] = {}
        if "testserver" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def client(self, user) -> Client:
        key = user.pk if user is not None else None
        if key not in self._clients:
            client = Client()
            if user is not None:
                client.force_login(user)
            self._clients[key] = client
        return self._clients[key]

    def send(self, req: Request) -> None:
        client = self.client(req.user)
        headers = req.headers or {}
        if req.json is not None:
            response = client.generic(
                req.method,
                req.path,
                data=_json(req.json),
                content_type="application/json",
                headers=headers,
            )
        elif req.method == "GET":
            response = client.get(req.path, headers=headers)
        else:
            response = client.generic(
                req.method,
                req.path,
                data=_form(req.data or {}),
                content_type="application/x-www-form-urlencoded",
                headers=headers,
            )
        if response.status_code != req.expect:
            raise AssertionError(f"{req.method} {req.path}: {response.status_code}")


def _json(value) -> str:
    import json

    return json.dumps(value)


def _form(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def run_in_process(scenario: Scenario, ctx: Context, *, n: int, warmup: int) -> Result:
    if scenario.max_runs:
        n, warmup = min(n, scenario.max_runs), min(warmup, 1)
    if scenario.kind == "call":
        return measure(scenario.fn(ctx), n=n, warmup=warmup)
    make = request_maker(scenario, ctx)
    local = InProcess()
    numbers = count()
    return measure(lambda: local.send(make(next(numbers))), n=n, warmup=warmup)


def in_transaction() -> bool:
    return connection.in_atomic_block


def selected(only: list[str] | None) -> list[Scenario]:
    import bench.scenarios  # noqa: F401 - registers the scenarios

    if not only:
        return list(SCENARIOS)
    known = {s.slug: s for s in SCENARIOS}
    missing = [name for name in only if name not in known]
    if missing:
        raise SystemExit(f"Unknown scenario(s): {', '.join(missing)}. See --list.")
    return [known[name] for name in only]


def run(args: Namespace) -> int:
    scenarios = selected(args.only)
    if args.list:
        for s in scenarios:
            print(f"{s.slug:<32} {s.kind:<5} {s.name}")
        return 0
    if connection.vendor != "postgresql":
        print(f"Note: benchmarking {connection.vendor}; the published numbers are PostgreSQL's.")
    from bench.workflow import bench_rules_off

    bench_rules_off()
    ctx = Context()
    results: dict[str, tuple[Result | None, Result | None]] = {}
    for s in scenarios:
        print(f"in-process  {s.name} …", flush=True)
        try:
            local = run_in_process(s, ctx, n=args.n, warmup=args.warmup)
        except Exception as exc:  # report the failure and go on with the next scenario
            traceback.print_exc()
            local = Result(error=f"{type(exc).__name__}: {exc}")
        results[s.slug] = (local, None)
        # Other processes can't see an open transaction's rows (the test suite runs in one).
        if s.kind == "call" and s.processes > 1 and not local.error and not in_transaction():
            print(f"{s.processes} processes {s.name} …", flush=True)
            try:
                parallel = measure_processes(
                    lambda s=s: s.fn(ctx), n=args.n * s.processes, processes=s.processes
                )
            except Exception as exc:
                traceback.print_exc()
                parallel = Result(error=f"{type(exc).__name__}: {exc}")
            results[s.slug] = (local, parallel)

    pages = [s for s in scenarios if s.kind == "page"]
    http_note = "not run"
    if pages and not args.no_http:
        from bench.http import Gunicorn, run_http

        server = nullcontext() if args.url else Gunicorn(port=args.port, workers=args.workers)
        base_url = args.url or server.url
        http_note = (
            f"existing server {args.url}"
            if args.url
            else f"gunicorn, {args.workers} sync workers, one keep-alive client on 127.0.0.1"
        )
        with server:
            for s in pages:
                print(f"HTTP        {s.name} …", flush=True)
                make = request_maker(s, ctx)
                try:
                    remote = run_http(
                        make,
                        base_url=base_url,
                        ctx=ctx,
                        n=args.n,
                        warmup=args.warmup,
                        concurrency=s.concurrency,
                    )
                except Exception as exc:
                    traceback.print_exc()
                    remote = Result(error=f"{type(exc).__name__}: {exc}")
                results[s.slug] = (results[s.slug][0], remote)

    rows = [(s, *results[s.slug]) for s in scenarios]
    body = report.table(rows, n=args.n, http=http_note)
    print()
    print(body)
    if getattr(args, "json", None):
        report.save_json(Path(args.json), rows, n=args.n, http=http_note)
        print(f"\nSaved {args.json}")
    if not args.no_write:
        report.write(Path(args.out), body)
        print(f"\nWrote {args.out}")
    return 1 if any(r and r.error for _, *pair in rows for r in pair) else 0
