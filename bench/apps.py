from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Scale tooling as an app, for its management commands (seed_scale, sla_benchmark,
    bench_reports). It sits above every other app and has no models."""

    name = "bench"
    verbose_name = "Benchmarks"
