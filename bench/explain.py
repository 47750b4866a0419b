"""``python -m bench.explain``: the plans PostgreSQL picks for the list queries, on the loaded data.

Prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each query the queue scenarios run, so a regression (an
index no longer used, a sort creeping in) shows with its cause.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")
    import django

    django.setup()
    from bench.context import Context
    from bench.queries import all_visible, cursor_at, keyset, team_all, team_open_queue

    ctx = Context()
    queue = team_open_queue(agent=ctx.agent, team=ctx.team)
    team = team_all(agent=ctx.agent, team=ctx.team)
    queries = {
        "team open queue, page 1": keyset(queue, after=None),
        "team tickets, page 200": keyset(team, after=cursor_at(team, page=200)),
        "all visible, page 1": keyset(all_visible(agent=ctx.agent), after=None),
    }
    for name, qs in queries.items():
        qs = qs.select_related("requester", "assignee", "team")[:26]
        print(f"--- {name}")
        print(qs.explain(analyze=True, buffers=True))
        print()


if __name__ == "__main__":
    main()
