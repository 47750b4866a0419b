"""Loading rows with PostgreSQL ``COPY``: the text format, a streaming ``copy_rows`` that fills the
columns the caller doesn't know with their model defaults, and the catalogue reads a bulk load needs
(the secondary indexes and foreign keys to drop and rebuild, the highest id in use).

Shared by every part of the scale data set (``bench.dataset``, ``bench.people_dataset``,
``bench.ticket_dataset``, ``bench.sla_dataset``); it knows none of them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from django.db import connection, models

NULL = r"\N"


def escape(value: str) -> str:
    """One value in COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def ts(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), tz=UTC).isoformat()


@dataclass
class LoadStats:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, table: str, rows: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows


class _Stream:
    """A file-like object ``copy_expert`` reads from, fed by a generator of COPY lines."""

    def __init__(self, lines: Iterable[str], suffix: str = "", chunk: int = 2000):
        self._lines = iter(lines)
        self._suffix = suffix + "\n"
        self._chunk = chunk

    def read(self, size: int = -1) -> bytes:
        # psycopg2 sends whatever read() returns, so a chunk of whole lines is fine.
        lines = list(islice(self._lines, self._chunk))
        if not lines:
            return b""
        return (self._suffix.join(lines) + self._suffix).encode()

    def readline(self, size: int = -1) -> bytes:  # part of the file protocol psycopg2 checks for
        return self.read(size)


def _default_text(f: models.Field) -> str:
    """The COPY text of a column's default, for columns the generator doesn't fill."""
    if f.has_default():
        value = f.get_default()
    elif f.null:
        return NULL
    elif getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
        raise LookupError(f.name)  # COPY with an explicit column list can't use DB defaults: omit
    elif f.blank and isinstance(f, models.CharField | models.TextField):
        value = ""
    else:
        raise LookupError(f.name)
    if value is None:
        return NULL
    if isinstance(f, models.JSONField):
        return escape(json.dumps(value))
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return escape(str(f.get_db_prep_save(value, connection)))


def copy_rows(
    cursor, model: type[models.Model], columns: list[str], rows: Iterable[str], stats: LoadStats
) -> int:
    """COPY ``rows`` (tab-joined, escaped, in ``columns`` order) into ``model``'s table.

    The model's other columns get their defaults; returns the number of rows loaded.
    """
    table = model._meta.db_table
    known = set(columns)
    extra_cols, extra_vals = [], []
    for f in model._meta.concrete_fields:
        if f.column in known or f.generated:
            continue  # a generated column is the database's to fill
        try:
            extra_vals.append(_default_text(f))
            extra_cols.append(f.column)
        except LookupError:
            if getattr(f, "db_default", models.NOT_PROVIDED) is not models.NOT_PROVIDED:
                continue  # the database fills it
            raise RuntimeError(
                f"seed_scale does not know how to fill {table}.{f.column} (no default, not null): "
                "generate it in bench/people_dataset.py or bench/ticket_dataset.py"
            ) from None
    counted = _Counter(rows)
    cols = ", ".join(connection.ops.quote_name(c) for c in [*columns, *extra_cols])
    suffix = "".join("\t" + v for v in extra_vals)
    started = time.perf_counter()
    cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN", _Stream(counted, suffix))
    stats.seconds[table] = stats.seconds.get(table, 0.0) + time.perf_counter() - started
    stats.add(table, counted.n)
    return counted.n


class _Counter:
    def __init__(self, rows: Iterable[str]):
        self._rows = iter(rows)
        self.n = 0

    def __iter__(self) -> Iterator[str]:
        for row in self._rows:
            self.n += 1
            yield row


def secondary_indexes(cursor, tables: Iterable[str]) -> list[tuple[str, str]]:
    """(name, definition) of the plain indexes of ``tables``: not unique, no constraint's."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND i.indexdef NOT LIKE 'CREATE UNIQUE INDEX%%'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.tablename, i.indexname
        """,
        [list(tables)],
    )
    return list(cursor.fetchall())


def foreign_key_constraints(cursor, tables: Iterable[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the foreign keys declared on ``tables``."""
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
        ORDER BY 1, 2
        """,
        [list(tables)],
    )
    return list(cursor.fetchall())


def max_id(cursor, model: type[models.Model]) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608
    return cursor.fetchone()[0]
