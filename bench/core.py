"""The benchmark harness: scenarios, the context they run in, and the measurements.

A scenario is one small function, registered with a decorator:

- ``@page(...)`` returns a :class:`Request` (or a function of the iteration number returning one).
  It runs in-process through Django's test client *and* over real HTTP against gunicorn.
- ``@call(...)`` returns a no-argument function (a selector, a service, a sweep). It runs
  in-process only; ``throughput=True`` also reports operations per second.

Both report latency p50 / p95 / max and SQL queries and SQL time per operation.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from support.timing import QueryStats


@dataclass
class Request:
    path: str
    method: str = "GET"
    user: Any = None  # a User to be signed in as, or None for anonymous
    data: dict[str, Any] | None = None  # form fields (POST)
    json: Any = None  # a JSON body (API)
    expect: int = 200
    headers: dict[str, str] | None = None  # extra headers, e.g. {"Authorization": "Bearer …"}


@dataclass
class Scenario:
    name: str
    kind: str  # "page" or "call"
    fn: Callable[..., Any]
    target: str = ""
    throughput: bool = False
    concurrency: int = 1  # HTTP clients at once (page scenarios measuring throughput)
    tags: tuple[str, ...] = ()
    processes: int = 0  # call scenarios: also run in this many processes at once (like workers)
    max_runs: int = 0  # at most this many measured runs (heavy scenarios); 0: no cap

    @property
    def slug(self) -> str:
        return self.fn.__name__


SCENARIOS: list[Scenario] = []


def page(
    name: str,
    *,
    target: str = "",
    throughput: bool = False,
    concurrency: int = 1,
    tags: tuple[str, ...] = (),
):
    """Register a scenario that is an HTTP request (measured in-process and over HTTP)."""

    def register(fn):
        SCENARIOS.append(Scenario(name, "page", fn, target, throughput, concurrency, tags))
        return fn

    return register


def call(
    name: str,
    *,
    target: str = "",
    throughput: bool = False,
    processes: int = 0,
    tags: tuple[str, ...] = (),
    max_runs: int = 0,
):
    """Register a scenario that is a Python call (measured in-process; with ``processes``, also
    in that many processes at once, as gunicorn or Celery workers would run it)."""

    def register(fn):
        SCENARIOS.append(
            Scenario(name, "call", fn, target, throughput, 1, tags, processes, max_runs)
        )
        return fn

    return register


@dataclass
class Result:
    seconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)
    wall: float = 0.0
    concurrency: int = 1
    error: str = ""

    def ms(self, q: float) -> float:
        if not self.seconds:
            return float("nan")
        ordered = sorted(self.seconds)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        return self.ms(0.5)

    @property
    def p95(self) -> float:
        return self.ms(0.95)

    @property
    def max(self) -> float:
        return self.ms(1.0)

    @property
    def median_queries(self) -> float:
        return statistics.median(self.queries) if self.queries else float("nan")

    @property
    def median_sql_ms(self) -> float:
        return statistics.median(self.sql_seconds) * 1000 if self.sql_seconds else float("nan")

    @property
    def per_second(self) -> float:
        return len(self.seconds) / self.wall if self.wall else float("nan")


def measure(fn: Callable[[], Any], *, n: int, warmup: int) -> Result:
    """Run ``fn`` ``warmup`` times unmeasured, then ``n`` times measured (time and SQL)."""
    for _ in range(warmup):
        fn()
    result = Result()
    started = time.perf_counter()
    for _ in range(n):
        stats = QueryStats()
        t0 = time.perf_counter()
        with connection.execute_wrapper(stats):
            fn()
        result.seconds.append(time.perf_counter() - t0)
        result.queries.append(stats.count)
        result.sql_seconds.append(stats.seconds)
    result.wall = time.perf_counter() - started
    return result


def measure_processes(make: Callable[[], Callable[[], Any]], *, n: int, processes: int) -> Result:
    """Run ``n`` operations split over ``processes`` forked processes, all started together.

    Each process builds its own operation with ``make`` and opens its own database connection.
    """
    import multiprocessing

    from django.db import connections

    connections.close_all()  # children must not share the parent's database socket
    mp = multiprocessing.get_context("fork")
    ready = mp.Barrier(processes + 1)
    out = mp.Queue()
    share = max(1, n // processes)

    def child() -> None:
        fn = make()
        fn()  # warm up this process (connection, caches)
        ready.wait()
        seconds = []
        for _ in range(share):
            t0 = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - t0)
        out.put(seconds)
        connections.close_all()

    workers = [mp.Process(target=child) for _ in range(processes)]
    for w in workers:
        w.start()
    ready.wait()
    started = time.perf_counter()
    samples = [out.get() for _ in workers]
    result = Result(wall=time.perf_counter() - started, concurrency=processes)
    for w in workers:
        w.join()
    result.seconds = [s for part in samples for s in part]
    return result
