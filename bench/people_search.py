"""``python -m bench.people_search``: the plans and times of the people search (the search box's
people and organizations, the merge page's contacts, the new-ticket requester type-ahead) on the
loaded data. On PostgreSQL the name, address and domain columns carry trigram indexes
(``customers/migrations/0002_people_search_trigram.py``), so a substring match reads the index
instead of every contact.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

TERMS = ("carpenter", "mary", "org248", "michelle.branch", "zzqx")


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")
    import django

    django.setup()
    from django.db import connection, reset_queries

    from accounts.models import Role, User
    from customers.models import Customer
    from tickets.people import selectors
    from tickets.workspace.new_ticket import requester_matches

    agent = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    print(f"{Customer.objects.count():,} contacts on {connection.vendor}")
    searches = {
        "contacts": lambda t: selectors.customer_matches(agent=agent, text=t),
        "organizations": lambda t: selectors.organization_matches(agent=agent, text=t),
        "requester type-ahead": lambda t: requester_matches(agent, t),
    }
    for name, search in searches.items():
        for term in TERMS:
            search(term)  # warm
            best = min(_timed(search, term) for _ in range(5))
            print(f"{name:22} {term!r:20} {best * 1000:7.2f} ms")
    if "--explain" in sys.argv:
        from django.test.utils import CaptureQueriesContext

        for name, search in searches.items():
            with CaptureQueriesContext(connection) as captured:
                search("carpenter")
            sql = captured.captured_queries[0]["sql"]
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print(f"--- {name} 'carpenter'\n" + "\n".join(r[0] for r in cursor.fetchall()))
    reset_queries()


def _timed(search, term: str) -> float:
    start = time.perf_counter()
    search(term)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
