"""Business-time arithmetic: pure functions, no ORM, no I/O.

A :class:`Calendar` says when a support team is open: a time zone, weekly opening intervals in
local wall-clock time (several a day; an interval whose end is not after its start runs past
midnight into the next day), holiday dates, or open around the clock (24/7).

Business time is *real elapsed time* inside opening hours. Wall-clock intervals are turned into
UTC instants per local date, so a 00:00–06:00 window lasts 5 hours on the night clocks go forward
and 7 hours on the night they go back. Rules at the edges:

- A wall-clock time that doesn't exist (skipped by a spring-forward) is read with the offset in
  force before the change, i.e. it lands just after the gap; a time that happens twice starts an
  interval at its first occurrence and ends one at its second (the interval is never shortened).
- A holiday closes the intervals that *start* on that local date, including their part after
  midnight; a night shift that started the evening before still runs to its end.
- Adding business time lands inside opening hours: a due time can be exactly the end of an
  interval (09:00 + 9h on 09:00–18:00 is 18:00 the same day, not 09:00 the next).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no opening for this many days in a row is treated as closed for good.
MAX_CLOSED_DAYS = 3 * 366
_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class CalendarError(ValueError):
    """A calendar definition that can't be used (bad time, overlapping intervals, never open)."""


@dataclass(frozen=True, order=True)
class Interval:
    """Opening on ``weekday`` (0 = Monday) from ``start`` to ``end`` minutes after local midnight.

    ``end`` may exceed 1440: the interval then runs past midnight into the next day.
    """

    weekday: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise CalendarError(
                gettext("Weekday %(weekday)s is not 0 (Monday) to 6 (Sunday).")
                % {"weekday": self.weekday}
            )
        if not 0 <= self.start < DAY_MINUTES:
            raise CalendarError(gettext("An interval must start between 00:00 and 23:59."))
        if not self.start < self.end <= self.start + DAY_MINUTES:
            raise CalendarError(
                gettext("An interval must end after it starts and last at most a day.")
            )

    @property
    def week_start(self) -> int:
        return self.weekday * DAY_MINUTES + self.start

    @property
    def week_end(self) -> int:
        return self.weekday * DAY_MINUTES + self.end


def parse_hhmm(value: str) -> int:
    """``"09:30"`` → 570 minutes. ``"24:00"`` is accepted as the end of a day."""
    match = _HHMM.match(value.strip())
    if not match:
        raise CalendarError(gettext("%(value)s is not a time like 09:00.") % {"value": repr(value)})
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > DAY_MINUTES:
        raise CalendarError(gettext("%(value)s is past 24:00.") % {"value": repr(value)})
    return minutes


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    intervals: tuple[Interval, ...] = ()
    holidays: frozenset[date] = field(default_factory=frozenset)
    always_open: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.tz, ZoneInfo):
            raise CalendarError(gettext("A calendar needs a zoneinfo time zone."))
        object.__setattr__(self, "intervals", tuple(sorted(self.intervals)))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if self.always_open:
            return
        if not self.intervals:
            raise CalendarError(gettext("A calendar needs opening hours, or to be open 24/7."))
        # On the weekly circle (Sunday night wraps to Monday) no two intervals may overlap.
        spans = sorted((i.week_start, i.week_end) for i in self.intervals)
        for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
            if next_start < end:
                raise CalendarError(gettext("Opening intervals overlap."))
        first_start, last_end = spans[0][0], spans[-1][1]
        if last_end > WEEK_MINUTES and last_end - WEEK_MINUTES > first_start:
            raise CalendarError(
                gettext("Opening intervals overlap (Sunday night runs into Monday).")
            )

    @classmethod
    def from_spec(
        cls,
        *,
        time_zone: str,
        hours: Mapping[str, Iterable[Iterable[str]]] | None = None,
        holidays: Iterable[date] = (),
        always_open: bool = False,
    ) -> Calendar:
        """Build from ``{"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ...}``.

        An interval whose end is not after its start (``["22:00", "06:00"]``) runs past midnight;
        ``"24:00"`` ends at midnight.
        """
        intervals = []
        for day, pairs in (hours or {}).items():
            if day not in WEEKDAYS:
                raise CalendarError(
                    gettext("%(day)s is not a weekday (mon … sun).") % {"day": repr(day)}
                )
            for pair in pairs:
                start_s, end_s = pair
                start, end = parse_hhmm(start_s), parse_hhmm(end_s)
                if start == DAY_MINUTES:
                    raise CalendarError(gettext("An interval can't start at 24:00."))
                if end <= start:
                    end += DAY_MINUTES
                intervals.append(Interval(WEEKDAYS.index(day), start, end))
        return cls(
            tz=ZoneInfo(time_zone),
            intervals=tuple(intervals),
            holidays=frozenset(holidays),
            always_open=always_open,
        )

    def _intervals_on(self, weekday: int) -> list[Interval]:
        if self.always_open:
            return [Interval(weekday, 0, DAY_MINUTES)]
        return [i for i in self.intervals if i.weekday == weekday]


def _to_utc(day: date, minutes: int, tz: ZoneInfo, *, fold: int) -> datetime:
    day = day + timedelta(days=minutes // DAY_MINUTES)
    minutes %= DAY_MINUTES
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz).replace(fold=fold)
    return local.astimezone(UTC)


def _require_aware(*values: datetime) -> None:
    for value in values:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("Business time needs aware datetimes.")


def open_periods(start: datetime, calendar: Calendar) -> Iterator[tuple[datetime, datetime]]:
    """Opening periods as UTC ``(from, to)`` pairs from ``start`` on: in order, not overlapping,
    clipped to begin no earlier than ``start``. Infinite for a calendar that is ever open."""
    _require_aware(start)
    tz = calendar.tz
    day = start.astimezone(tz).date() - timedelta(days=1)  # yesterday's night shift may still run
    last_end = start.astimezone(UTC)
    closed_days = 0
    while True:
        produced = False
        if day not in calendar.holidays:
            for interval in calendar._intervals_on(day.weekday()):
                # A wall time that happens twice (autumn) opens at its first and closes at its
                # second occurrence; one that never happens (the spring gap) means the instant
                # that far past the last hour before the jump, for a start and an end alike
                # (the later of the two readings: with fold=1 alone, a night shift ending at
                # 02:00 would end an hour early, or before it began, and drop out).
                begin = _to_utc(day, interval.start, tz, fold=0)
                end = max(
                    _to_utc(day, interval.end, tz, fold=0), _to_utc(day, interval.end, tz, fold=1)
                )
                begin = max(begin, last_end)
                if begin < end:
                    yield begin, end
                    last_end = end
                    produced = True
        closed_days = 0 if produced else closed_days + 1
        if closed_days > MAX_CLOSED_DAYS:
            raise CalendarError(
                gettext("The calendar is never open (holidays cover every opening).")
            )
        day += timedelta(days=1)


def add_business_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The instant ``duration`` of business time after ``start`` (returned in UTC)."""
    _require_aware(start)
    if duration < timedelta(0):
        raise ValueError("Business time can only be added, not subtracted.")
    start = start.astimezone(UTC)
    if calendar.always_open and not calendar.holidays:
        return start + duration
    if duration == timedelta(0):
        return start
    remaining = duration
    for begin, end in open_periods(start, calendar):
        begin = max(begin, start)
        available = end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: open_periods is infinite")  # pragma: no cover


def business_time_between(a: datetime, b: datetime, calendar: Calendar) -> timedelta:
    """Business time from ``a`` to ``b``; negative when ``b`` is before ``a``."""
    _require_aware(a, b)
    if b < a:
        return -business_time_between(b, a, calendar)
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    if calendar.always_open and not calendar.holidays:
        return b - a
    total = timedelta(0)
    for begin, end in open_periods(a, calendar):
        if begin >= b:
            break
        total += min(end, b) - max(begin, a)
    return total
