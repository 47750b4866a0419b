"""``Server-Timing`` on every response: SQL queries, SQL time and total time in the process.

Switched on by ``SERVER_TIMING=1`` (benchmarks, development): the benchmark reads it to report SQL
per request over real HTTP, and a browser's developer tools show it beside each request. Off in
production unless wanted: it tells clients how many queries a page ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse


class QueryStats:
    """Counts and times the queries run on the default connection while installed."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stats = QueryStats()
        started = time.perf_counter()
        with connection.execute_wrapper(stats):
            response = self.get_response(request)
        total = time.perf_counter() - started
        response["Server-Timing"] = (
            f'db;desc="{stats.count} queries";dur={stats.seconds * 1000:.2f}, '
            f"app;dur={total * 1000:.2f}"
        )
        return response
