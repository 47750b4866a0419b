"""The aggregates every part of the report is built from: counts, and median and p90 of durations,
over a whole set of rows or per value of each of several columns at once (``by_each``).

Percentiles use PostgreSQL's ``percentile_cont``; SQLite has no such aggregate, so there (the
embedded default, small data) the durations are read as one sorted column and interpolated the
same way ``percentile_cont`` does.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Field,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)


class PercentilesCont(Aggregate):
    """``percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY expr)``: median and p90 from one
    sort. Returns ``[median, p90]`` (``[None, None]`` for no rows)."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = Field()

    def convert_value(self, value, expression, connection):
        return value or [None, None]

    def get_db_converters(self, connection):
        return [self.convert_value]


# Counted rows: COUNT(1), not COUNT(id), so an index-only scan needn't carry the id.
ROW = Value(1)


def _epoch(expr) -> Func:
    # date_part gives a float directly; EXTRACT gives a numeric, slower to sort and to cast.
    return Func(expr, template="date_part('epoch', %(expressions)s)", output_field=FloatField())


@dataclass(frozen=True)
class DurationStat:
    count: int
    median: float | None  # seconds
    p90: float | None


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as ``percentile_cont`` computes it."""
    if not sorted_values:
        return None
    pos = fraction * (len(sorted_values) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _sorted_stats(rows: QuerySet, expr, *, group: str | None = None) -> dict[object, DurationStat]:
    """Count, median and p90 of ``expr`` over ``rows``, per ``group`` value (or under the key
    ``None`` when not grouped), where the database has no ``percentile_cont`` (SQLite): one
    sorted column of durations, interpolated here. ``expr`` is a duration, or a number of
    seconds."""
    in_seconds = not isinstance(getattr(expr, "output_field", None), DurationField)
    values: dict[object, list[float]] = defaultdict(list)
    fields = [group, "_d"] if group else ["_d"]
    for row in rows.annotate(_d=expr).order_by(*fields).values_list(*fields):
        key, duration = (row[0], row[1]) if group else (None, row[0])
        values[key].append(float(duration) if in_seconds else duration.total_seconds())
    result = {
        key: DurationStat(len(v), percentile(v, 0.5), percentile(v, 0.9))
        for key, v in values.items()
    }
    if not group and None not in result:
        result[None] = DurationStat(0, None, None)
    return result


TOTAL = "*"  # by_each's key for the row over everything


def by_each(
    qs: QuerySet, fields: list[str], aggregates: dict, *, total: bool = False
) -> dict[str, dict[object, dict]]:
    """``aggregates`` over ``qs`` grouped by each of ``fields`` in turn: {field: {value: row}};
    with ``total``, also over all of ``qs``: ``{TOTAL: {None: row}}``.

    On PostgreSQL one scan serves every field: the ORM's grouped query, its ``GROUP BY`` turned
    into ``GROUPING SETS ((a), (b), ())``, with ``GROUPING(a, b)`` telling which set a row belongs
    to (a null value is a group of its own: unassigned, no team). Elsewhere (SQLite, small data)
    one query per field."""
    result: dict[str, dict[object, dict]] = {field: {} for field in fields}
    if connection.vendor != "postgresql":
        for field in fields:
            for row in qs.order_by().values(field).annotate(**aggregates):
                result[field][row.pop(field)] = row
        if total:
            result[TOTAL] = {None: qs.order_by().aggregate(**aggregates)}
        return result
    query = qs.order_by().values(*fields).annotate(**aggregates).query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    keys = []
    for field in fields:
        key_sql, key_params = compiler.compile(query.resolve_ref(field))
        if key_params:  # a plain column has none; anything else is not for this rewrite
            raise ValueError(f"by_each groups by columns, not by {field!r}.")
        keys.append(key_sql)
    head, sep, _ = sql.rpartition(" GROUP BY ")
    if not sep or not head.startswith("SELECT "):
        raise ValueError("Unexpected SQL for a grouped query.")
    sets = ", ".join([f"({key})" for key in keys] + (["()"] if total else []))
    sql = (
        f"SELECT GROUPING({', '.join(keys)}) AS _set, {head.removeprefix('SELECT ')} "
        f"GROUP BY GROUPING SETS ({sets})"
    )
    # GROUPING(...) has a bit per key, 1 where the key is not grouped: the set of field i has
    # every bit but its own.
    n = len(fields)
    masks = {(1 << n) - 1 - (1 << (n - 1 - i)): field for i, field in enumerate(fields)}
    masks[(1 << n) - 1] = TOTAL
    if total:
        result[TOTAL] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            field = masks[row.pop("_set")]
            value = None if field == TOTAL else row[field]
            for key in fields:
                row.pop(key)
            result[field][value] = row
    if total and None not in result[TOTAL]:  # no rows at all: GROUPING SETS has no () row then
        result[TOTAL][None] = qs.order_by().aggregate(**aggregates)
    return result


def _stat(row: dict, n: str = "_n", p: str = "_p") -> DurationStat:
    return DurationStat(row[n], *(row[p] or [None, None]))


def stats_by_each(
    rows: QuerySet,
    expr,
    fields: list[str],
    *,
    where: Q | None = None,
    counts: dict | None = None,
) -> tuple[dict, dict]:
    """Count, median and p90 of ``expr`` per value of each of ``fields`` and in total
    (``TOTAL``), optionally only over rows matching ``where``; with ``counts``, also those
    aggregates over all ``rows`` from the same scan (on PostgreSQL). Returns (stats, counts),
    both ``{field: {value: …}}``."""
    counts = counts or {}
    if connection.vendor != "postgresql":
        subset = rows.filter(where) if where is not None else rows
        result = {field: _sorted_stats(subset, expr, group=field) for field in fields}
        result[TOTAL] = {None: _sorted_stats(subset, expr)[None]}
        return result, by_each(rows, fields, counts, total=True) if counts else {}
    in_seconds = not isinstance(getattr(expr, "output_field", None), DurationField)
    seconds = expr if in_seconds else _epoch(expr)
    grouped = by_each(
        rows,
        fields,
        {"_n": Count(ROW, filter=where), "_p": PercentilesCont(seconds, filter=where), **counts},
        total=True,
    )
    stats = {
        field: {key: _stat(r) for key, r in groups.items() if r["_n"]}
        | ({None: _stat(groups[None])} if field == TOTAL else {})
        for field, groups in grouped.items()
    }
    return stats, grouped
