"""``python -m bench``: run the scenarios against DATABASE_URL and write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("-n", type=int, default=50, help="measured runs per scenario")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="scenario function names (see --list)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and stop")
    parser.add_argument("--no-http", action="store_true", help="in-process only")
    parser.add_argument("--url", help="benchmark this running server instead of starting gunicorn")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8900)))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--out", default=str(BASE_DIR / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument(
        "--json", help="also save the results here, for `python -m bench.compare` (two sizes)"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")
    # Reports are measured computing their numbers, not read back from their cache; gunicorn
    # inherits this environment (a server given with --url must be started with it too).
    os.environ["REPORTS_CACHE_SECONDS"] = "0"
    # The suggestions are measured answering, not refusing past 60 a minute (bench/kb.py).
    os.environ["KB_SUGGEST_RATE_PER_MINUTE"] = "1000000"
    import django

    django.setup()
    from bench.runner import run

    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
