"""Business-time arithmetic: DST, holidays, midnight-crossing intervals, 24/7, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tickets.sla.business_time import (
    Calendar,
    CalendarError,
    add_business_time,
    business_time_between,
    open_periods,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_5 = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
SPLIT_DAY = {
    d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
}
NIGHTS = {d: [["22:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def h(hours: float) -> timedelta:
    return timedelta(hours=hours)


def is_open(at: datetime, cal: Calendar) -> bool:
    """Whether ``at`` falls in one of the open periods the arithmetic walks (an interval's start
    counts, its end doesn't)."""
    at = at.astimezone(UTC)
    for begin, end in open_periods(at, cal):
        if begin > at:
            return False
        if at < end:
            return True
    return False


# --- plain weeks ---------------------------------------------------------------------------


def test_adding_within_one_interval_stays_the_same_day():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5)
    assert add_business_time(berlin(2026, 6, 1, 10), h(2), cal) == berlin(2026, 6, 1, 12)


def test_due_time_can_be_the_end_of_an_interval():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5)
    assert add_business_time(berlin(2026, 6, 1, 9), h(8), cal) == berlin(2026, 6, 1, 17)


def test_adding_rolls_over_the_weekend():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5)
    # Friday 16:00 + 2h = 1h on Friday and 1h on Monday.
    assert add_business_time(berlin(2026, 6, 5, 16), h(2), cal) == berlin(2026, 6, 8, 10)


def test_starting_outside_hours_counts_from_the_next_opening():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5)
    assert add_business_time(berlin(2026, 6, 6, 12), h(1), cal) == berlin(2026, 6, 8, 10)
    assert add_business_time(berlin(2026, 6, 1, 7), h(1), cal) == berlin(2026, 6, 1, 10)


def test_several_intervals_a_day_skip_the_lunch_break():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=SPLIT_DAY)
    assert add_business_time(berlin(2026, 6, 1, 11), h(2), cal) == berlin(2026, 6, 1, 14)
    assert business_time_between(berlin(2026, 6, 1, 8), berlin(2026, 6, 1, 20), cal) == h(8)


def test_between_is_negative_when_reversed_and_zero_when_closed():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5)
    assert business_time_between(berlin(2026, 6, 1, 12), berlin(2026, 6, 1, 10), cal) == -h(2)
    assert business_time_between(berlin(2026, 6, 6, 0), berlin(2026, 6, 7, 23), cal) == h(0)


def test_results_are_utc_and_inputs_may_be_any_zone():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5)
    due = add_business_time(datetime(2026, 6, 1, 8, tzinfo=UTC), h(1), cal)  # 10:00 Berlin
    assert due.tzinfo is UTC and due == berlin(2026, 6, 1, 11)


def test_naive_datetimes_are_refused():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5)
    with pytest.raises(ValueError, match="aware"):
        add_business_time(datetime(2026, 6, 1, 9), h(1), cal)  # noqa: DTZ001


# --- midnight ------------------------------------------------------------------------------


def test_interval_crossing_midnight():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=NIGHTS)
    assert add_business_time(berlin(2026, 6, 1, 23), h(3), cal) == berlin(2026, 6, 2, 2)
    assert add_business_time(berlin(2026, 6, 2, 5), h(2), cal) == berlin(2026, 6, 2, 23)
    assert business_time_between(berlin(2026, 6, 1, 12), berlin(2026, 6, 2, 12), cal) == h(8)


def test_sunday_night_shift_runs_into_monday():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours={"sun": [["20:00", "04:00"]]})
    assert add_business_time(berlin(2026, 6, 7, 23), h(4), cal) == berlin(2026, 6, 8, 3)
    assert is_open(berlin(2026, 6, 8, 1), cal)
    assert not is_open(berlin(2026, 6, 8, 5), cal)


def test_overlapping_intervals_are_refused():
    with pytest.raises(CalendarError):
        Calendar.from_spec(time_zone="UTC", hours={"mon": [["09:00", "12:00"], ["11:00", "13:00"]]})
    with pytest.raises(CalendarError):
        Calendar.from_spec(
            time_zone="UTC", hours={"mon": [["22:00", "06:00"]], "tue": [["05:00", "09:00"]]}
        )
    with pytest.raises(CalendarError):
        Calendar.from_spec(
            time_zone="UTC", hours={"sun": [["22:00", "06:00"]], "mon": [["05:00", "09:00"]]}
        )
    with pytest.raises(CalendarError):
        Calendar.from_spec(time_zone="UTC", hours={})


# --- holidays ------------------------------------------------------------------------------


def test_holidays_are_skipped():
    # 2026-12-25 and 26 fall on Friday and Saturday.
    cal = Calendar.from_spec(
        time_zone="Europe/Berlin", hours=WEEKDAYS_9_TO_5, holidays=[date(2026, 12, 25)]
    )
    assert add_business_time(berlin(2026, 12, 24, 16), h(2), cal) == berlin(2026, 12, 28, 10)
    assert business_time_between(berlin(2026, 12, 24, 0), berlin(2026, 12, 29, 0), cal) == h(16)


def test_a_holiday_closes_the_night_shift_that_starts_on_it_not_the_one_before():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=NIGHTS, holidays=[date(2026, 6, 2)])
    # Monday night's shift runs into the holiday morning; the holiday's own night shift is closed.
    assert is_open(berlin(2026, 6, 2, 3), cal)
    assert not is_open(berlin(2026, 6, 2, 23), cal)
    assert not is_open(berlin(2026, 6, 3, 3), cal)
    assert add_business_time(berlin(2026, 6, 2, 5), h(2), cal) == berlin(2026, 6, 3, 23)


def test_24_7_with_a_holiday():
    cal = Calendar(tz=BERLIN, always_open=True, holidays=frozenset({date(2026, 6, 3)}))
    assert add_business_time(berlin(2026, 6, 2, 23), h(2), cal) == berlin(2026, 6, 4, 1)


def test_a_calendar_never_open_is_reported():
    cal = Calendar(
        tz=BERLIN,
        always_open=True,
        holidays=frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(5 * 366)),
    )
    with pytest.raises(CalendarError, match="never open"):
        add_business_time(berlin(2026, 1, 1), h(1), cal)


# --- 24/7 ----------------------------------------------------------------------------------


def test_24_7_is_plain_elapsed_time_even_across_dst():
    cal = Calendar(tz=BERLIN, always_open=True)
    start = berlin(2026, 3, 28, 12)
    assert add_business_time(start, h(24), cal) == start.astimezone(UTC) + h(24)
    # Wall clock says 25 hours, but 24 really passed.
    assert business_time_between(start, berlin(2026, 3, 29, 13), cal) == h(24)


def test_24_7_built_from_weekly_hours_matches_always_open():
    full = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=full)
    start = berlin(2026, 10, 24, 12)
    assert business_time_between(start, berlin(2026, 10, 25, 12), cal) == h(25)
    assert add_business_time(start, h(25), cal) == berlin(2026, 10, 25, 12)


# --- DST -----------------------------------------------------------------------------------


def test_berlin_spring_forward_night_window_is_an_hour_shorter():
    # 2026-03-29: 02:00 CET becomes 03:00 CEST.
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours={"sun": [["00:00", "06:00"]]})
    assert business_time_between(berlin(2026, 3, 29, 0), berlin(2026, 3, 29, 7), cal) == h(5)
    assert add_business_time(berlin(2026, 3, 29, 1), h(2), cal) == berlin(2026, 3, 29, 4)


def test_berlin_fall_back_night_window_is_an_hour_longer():
    # 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours={"sun": [["00:00", "06:00"]]})
    assert business_time_between(berlin(2026, 10, 25, 0), berlin(2026, 10, 25, 7), cal) == h(7)
    due = add_business_time(berlin(2026, 10, 25, 1), h(2), cal)
    assert due == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 02:00 CET, the second 02:00


def test_office_hours_keep_their_wall_clock_across_dst():
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours=SPLIT_DAY)
    # Friday before spring-forward, 17:00 + 2h → Monday 10:00 local (CEST now).
    assert add_business_time(berlin(2026, 3, 27, 17), h(2), cal) == berlin(2026, 3, 30, 10)
    assert add_business_time(berlin(2026, 10, 23, 17), h(2), cal) == berlin(2026, 10, 26, 10)
    assert berlin(2026, 3, 30, 10).utcoffset() == h(2)
    assert berlin(2026, 10, 26, 10).utcoffset() == h(1)


def test_new_york_spring_forward():
    # 2026-03-08: 02:00 EST becomes 03:00 EDT.
    cal = Calendar.from_spec(time_zone="America/New_York", hours={"sun": [["01:00", "05:00"]]})
    start = datetime(2026, 3, 8, 1, tzinfo=NEW_YORK)
    assert business_time_between(start, datetime(2026, 3, 8, 5, tzinfo=NEW_YORK), cal) == h(3)
    assert add_business_time(start, h(2), cal) == datetime(2026, 3, 8, 4, tzinfo=NEW_YORK)


def test_interval_starting_in_the_skipped_hour_starts_after_the_gap():
    cal = Calendar.from_spec(time_zone="America/New_York", hours={"sun": [["02:30", "04:00"]]})
    periods = open_periods(datetime(2026, 3, 8, 0, tzinfo=NEW_YORK), cal)
    begin, end = next(periods)
    assert begin == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT
    assert end == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)  # 04:00 EDT


# --- properties ----------------------------------------------------------------------------

CALENDARS = [
    Calendar.from_spec(time_zone="Europe/Berlin", hours=SPLIT_DAY, holidays=[date(2026, 12, 25)]),
    Calendar.from_spec(time_zone="America/New_York", hours=WEEKDAYS_9_TO_5),
    Calendar.from_spec(time_zone="Europe/Berlin", hours=NIGHTS, holidays=[date(2026, 10, 25)]),
    Calendar.from_spec(
        time_zone="America/New_York",
        hours={"sun": [["00:00", "06:00"], ["20:00", "02:30"]], "wed": [["01:30", "03:00"]]},
    ),
    Calendar(tz=BERLIN, always_open=True),
    Calendar(tz=NEW_YORK, always_open=True, holidays=frozenset({date(2026, 3, 8)})),
]
# Around both 2026 DST changes in both zones, and Christmas.
instants = st.datetimes(
    min_value=datetime(2026, 3, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
durations = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=20))
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=300, deadline=None)
@given(start=instants, duration=durations, cal=calendars)
def test_adding_then_measuring_gives_back_the_duration(start, duration, cal):
    assert business_time_between(start, add_business_time(start, duration, cal), cal) == duration


@settings(max_examples=300, deadline=None)
@given(start=instants, duration=durations, cal=calendars)
def test_a_due_time_never_falls_outside_opening_hours(start, duration, cal):
    due = add_business_time(start, duration, cal)
    # Open just before it (it may be exactly the end of an interval).
    assert is_open(due - timedelta(microseconds=1), cal)
    assert due > start


@settings(max_examples=300, deadline=None)
@given(start=instants, d1=durations, d2=durations, shift=durations, cal=calendars)
def test_adding_is_monotonic(start, d1, d2, shift, cal):
    short, long = sorted((d1, d2))
    assert add_business_time(start, short, cal) <= add_business_time(start, long, cal)
    assert add_business_time(start, short, cal) <= add_business_time(start + shift, short, cal)


@settings(max_examples=200, deadline=None)
@given(a=instants, b=instants, c=instants, cal=calendars)
def test_measuring_is_additive(a, b, c, cal):
    a, b, c = sorted((a, b, c))
    ab, bc = business_time_between(a, b, cal), business_time_between(b, c, cal)
    assert ab >= timedelta(0) and bc >= timedelta(0)
    assert ab + bc == business_time_between(a, c, cal)


# --- DST with random opening hours (hardening) ----------------------------------------------

DST_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago"]


def test_a_night_shift_ending_at_2_on_the_spring_forward_night_keeps_its_real_length():
    # 2026-03-29 in Berlin: 02:00 CET is 03:00 CEST. 22:00 CET to the jump is 4 real hours.
    cal = Calendar.from_spec(time_zone="Europe/Berlin", hours={"sat": [["22:00", "02:00"]]})
    day = business_time_between(berlin(2026, 3, 28, 12), berlin(2026, 3, 29, 12), cal)
    assert day == h(4)
    # And a due time inside that shift stays that night, not a week later.
    due = add_business_time(berlin(2026, 3, 28, 23), h(2.5), cal)
    assert due == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


@st.composite
def dst_calendars(draw):
    zone = draw(st.sampled_from(DST_ZONES))
    hours = {}
    for day in draw(st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
                            min_size=1)):  # fmt: skip
        start = draw(st.integers(min_value=0, max_value=95)) * 15
        length = draw(st.integers(min_value=1, max_value=95)) * 15  # up to ~24 h, may cross 00:00
        end = (start + length) % (24 * 60)
        hours[day] = [[f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"]]
    try:
        return Calendar.from_spec(time_zone=zone, hours=hours)
    except CalendarError:  # a night shift running into the next day's hours
        assume(False)


# Around the 2026 DST changes of the zones above (northern spring and autumn, southern April
# and September).
dst_instants = st.sampled_from(
    [
        datetime(2026, m, d, tzinfo=UTC)
        for m, d in ((3, 6), (3, 27), (4, 3), (9, 4), (10, 23), (10, 30))
    ]
).flatmap(
    lambda base: st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)).map(
        lambda offset: base + offset
    )
)


@settings(max_examples=300, deadline=None)
@given(start=dst_instants, duration=durations, cal=dst_calendars())
def test_random_hours_around_dst_add_and_measure_in_real_time(start, duration, cal):
    due = add_business_time(start, duration, cal)
    assert business_time_between(start, due, cal) == duration
    assert is_open(due - timedelta(microseconds=1), cal)


@settings(max_examples=200, deadline=None)
@given(start=dst_instants, cal=dst_calendars())
def test_random_hours_around_dst_give_each_opening_its_real_length(start, cal):
    """Every opening period is as long in real time as on the wall clock, but for the hour the
    clock skips or repeats inside it: never shorter by more than the skipped hour, never
    empty, never more than a day and a bit."""
    periods = open_periods(start, cal)
    previous_end = None
    for _ in range(10):
        begin, end = next(periods)
        assert begin < end
        assert end - begin <= timedelta(hours=25)
        if previous_end is not None:
            assert begin >= previous_end
        previous_end = end
