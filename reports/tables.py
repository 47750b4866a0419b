"""A table of the report: what the dashboard shows and what its CSV export writes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # shown on the page
    csv_headers: list[str] | None = None
    csv_rows: list[list] = field(default_factory=list)  # raw values for the export
    numeric_from: int = 1  # columns from here on are right-aligned numbers
