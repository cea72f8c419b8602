"""Due-time maths: parsing, DST gaps and folds, missed posts, timezone lookup."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digest.due import (
    Due,
    MissedAction,
    due_instant,
    format_post_time,
    local_date_for,
    missed_post,
    next_due,
    next_n_due,
    parse_post_time,
    previous_due,
    resolve_timezone,
    suggest_post_times,
    suggest_timezones,
)

NY = "America/New_York"
SH = "Asia/Shanghai"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# ------------------------------------------------------------------------------ parse_post_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00", time(9, 0)),
        ("09:00", time(9, 0)),
        ("21:30", time(21, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        (" 07:05 ", time(7, 5)),
        ("8：15", time(8, 15)),  # full-width colon from a Chinese keyboard
    ],
)
def test_parse_post_time_accepts(text: str, expected: time) -> None:
    assert parse_post_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "24:00",
        "12:60",
        "9:60",
        "9",
        "abc",
        "ab:cd",
        "",
        "9:5",
        "09:00:00",
        "-1:00",
        "9am",
        "x" * 500,
    ],
)
def test_parse_post_time_rejects(text: str) -> None:
    assert parse_post_time(text) is None


def test_format_post_time_round_trips() -> None:
    parsed = parse_post_time("9:05")
    assert parsed is not None
    assert format_post_time(parsed) == "09:05"


# ----------------------------------------------------------------------------------- due times


def test_local_date_for_uses_the_zone() -> None:
    now = utc(2026, 1, 14, 17, 0)  # 01:00 next day in Shanghai, 12:00 in New York
    assert local_date_for(now, SH) == date(2026, 1, 15)
    assert local_date_for(now, NY) == date(2026, 1, 14)


def test_local_date_for_rejects_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date_for(datetime(2026, 1, 1), SH)  # noqa: DTZ001 - the point of the test


def test_due_instant_shanghai() -> None:
    assert due_instant(date(2026, 1, 15), time(9, 0), SH) == utc(2026, 1, 15, 1, 0)


def test_due_instant_plain_new_york_days() -> None:
    assert due_instant(date(2026, 1, 15), time(9, 0), NY) == utc(2026, 1, 15, 14, 0)  # EST
    assert due_instant(date(2026, 7, 15), time(9, 0), NY) == utc(2026, 7, 15, 13, 0)  # EDT


def test_spring_forward_nonexistent_time_maps_to_end_of_gap() -> None:
    # 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist.
    due = due_instant(date(2026, 3, 8), time(2, 30), NY)
    assert due == utc(2026, 3, 8, 7, 0)
    local = due.astimezone(ZoneInfo(NY))
    assert (local.hour, local.minute) == (3, 0)
    assert local.date() == date(2026, 3, 8)
    # The very start of the gap too.
    assert due_instant(date(2026, 3, 8), time(2, 0), NY) == utc(2026, 3, 8, 7, 0)
    # Just after the gap is an ordinary time.
    assert due_instant(date(2026, 3, 8), time(3, 0), NY) == utc(2026, 3, 8, 7, 0)
    assert due_instant(date(2026, 3, 8), time(3, 1), NY) == utc(2026, 3, 8, 7, 1)


def test_fall_back_ambiguous_time_uses_first_occurrence() -> None:
    # 2026-11-01 02:00 EDT falls back to 01:00 EST: 01:30 happens at 05:30 and 06:30 UTC.
    assert due_instant(date(2026, 11, 1), time(1, 30), NY) == utc(2026, 11, 1, 5, 30)


def test_half_hour_dst_zone() -> None:
    # Lord Howe Island moves clocks by 30 minutes: 2026-10-04 02:00 → 02:30.
    due = due_instant(date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe")
    local = due.astimezone(ZoneInfo("Australia/Lord_Howe"))
    assert (local.date(), local.hour, local.minute) == (date(2026, 10, 4), 2, 30)


def _week(start: datetime, post_time: time, tz: str) -> list[Due]:
    return next_n_due(start, post_time, tz, n=7)


@pytest.mark.parametrize(
    ("start", "post_time"),
    [
        (utc(2026, 3, 5), time(2, 30)),  # spring forward inside the week
        (utc(2026, 3, 5), time(9, 0)),
        (utc(2026, 3, 5), time(0, 0)),
        (utc(2026, 10, 29), time(1, 30)),  # fall back inside the week
        (utc(2026, 10, 29), time(1, 0)),
        (utc(2026, 10, 29), time(23, 59)),
    ],
)
def test_a_week_across_dst_has_one_due_per_local_date(start: datetime, post_time: time) -> None:
    week = _week(start, post_time, NY)
    dates = [d.local_date for d in week]
    assert dates == [dates[0] + timedelta(days=i) for i in range(7)]
    instants = [d.instant for d in week]
    assert instants == sorted(instants)
    assert len(set(instants)) == 7
    for due in week:
        assert local_date_for(due.instant, NY) == due.local_date


def test_spring_forward_week_times() -> None:
    week = _week(utc(2026, 3, 6, 12), time(2, 30), NY)
    assert [(d.local_date.day, d.instant) for d in week[:4]] == [
        (7, utc(2026, 3, 7, 7, 30)),
        (8, utc(2026, 3, 8, 7, 0)),  # 03:00 EDT, the end of the gap
        (9, utc(2026, 3, 9, 6, 30)),
        (10, utc(2026, 3, 10, 6, 30)),
    ]


def test_fall_back_week_times() -> None:
    week = _week(utc(2026, 10, 31, 12), time(1, 30), NY)
    assert [(d.local_date.day, d.instant) for d in week[:3]] == [
        (1, utc(2026, 11, 1, 5, 30)),  # the first 01:30 only
        (2, utc(2026, 11, 2, 6, 30)),
        (3, utc(2026, 11, 3, 6, 30)),
    ]


def test_shanghai_week_is_plain() -> None:
    week = _week(utc(2026, 3, 5), time(8, 0), SH)
    assert [d.instant for d in week] == [utc(2026, 3, 5 + i, 0, 0) for i in range(7)]


def test_skipped_calendar_date_has_no_post() -> None:
    # Samoa skipped 2011-12-30 when it crossed the date line.
    dates = [d.local_date for d in next_n_due(utc(2011, 12, 28), time(9, 0), "Pacific/Apia", 4)]
    assert dates == [date(2011, 12, 28), date(2011, 12, 29), date(2011, 12, 31), date(2012, 1, 1)]


def test_next_due_is_inclusive_and_previous_due_too() -> None:
    at = utc(2026, 1, 15, 1, 0)  # exactly 09:00 Shanghai
    assert next_due(at, time(9, 0), SH) == Due(date(2026, 1, 15), at)
    assert previous_due(at, time(9, 0), SH) == Due(date(2026, 1, 15), at)
    just_after = at + timedelta(microseconds=1)
    assert next_due(just_after, time(9, 0), SH).local_date == date(2026, 1, 16)
    assert previous_due(just_after, time(9, 0), SH).local_date == date(2026, 1, 15)
    just_before = at - timedelta(microseconds=1)
    assert previous_due(just_before, time(9, 0), SH).local_date == date(2026, 1, 14)


def test_previous_due_names_the_date_of_a_late_fire() -> None:
    # A 23:59 post whose job runs two minutes late is still for the previous local date.
    late = utc(2026, 1, 15, 16, 1)  # 00:01 on the 16th in Shanghai
    assert previous_due(late, time(23, 59), SH).local_date == date(2026, 1, 15)


def test_next_due_after_fall_back_first_occurrence_is_next_day() -> None:
    after_first = utc(2026, 11, 1, 5, 31)  # between the two 01:30s
    assert next_due(after_first, time(1, 30), NY) == Due(date(2026, 11, 2), utc(2026, 11, 2, 6, 30))


def test_next_n_due_count() -> None:
    assert len(next_n_due(utc(2026, 1, 1), time(9, 0), SH)) == 3


# -------------------------------------------------------------------------------- missed posts

GRACE = timedelta(hours=6)


def test_missed_post_within_grace_posts_now() -> None:
    now = utc(2026, 1, 15, 3, 0)  # 11:00 Shanghai, due 09:00
    decision = missed_post(now, date(2026, 1, 14), time(9, 0), SH, GRACE)
    assert decision.action is MissedAction.POST_NOW
    assert decision.local_date == date(2026, 1, 15)
    assert decision.due == utc(2026, 1, 15, 1, 0)
    assert decision.late_by == timedelta(hours=2)


def test_missed_post_at_exactly_grace_still_posts() -> None:
    now = utc(2026, 1, 15, 7, 0)
    assert missed_post(now, None, time(9, 0), SH, GRACE).action is MissedAction.POST_NOW


def test_missed_post_after_grace_is_skipped_and_recorded() -> None:
    now = utc(2026, 1, 15, 7, 0, 1)  # 6 h and 1 s late
    decision = missed_post(now, date(2026, 1, 14), time(9, 0), SH, GRACE)
    assert decision.action is MissedAction.SKIP
    assert decision.local_date == date(2026, 1, 15)


def test_missed_post_already_claimed_does_nothing() -> None:
    now = utc(2026, 1, 15, 3, 0)
    decision = missed_post(now, date(2026, 1, 15), time(9, 0), SH, GRACE)
    assert decision.action is MissedAction.NOTHING
    assert decision.local_date is None


def test_missed_post_before_todays_due_time_looks_at_yesterday() -> None:
    now = utc(2026, 1, 15, 0, 30)  # 08:30 Shanghai, today's 09:00 not yet due
    assert missed_post(now, date(2026, 1, 14), time(9, 0), SH, GRACE).action is MissedAction.NOTHING
    stale = missed_post(now, date(2026, 1, 13), time(9, 0), SH, GRACE)
    assert stale.action is MissedAction.SKIP
    assert stale.local_date == date(2026, 1, 14)


def test_missed_post_ignores_due_times_before_setup() -> None:
    now = utc(2026, 1, 15, 3, 0)
    configured = utc(2026, 1, 15, 2, 0)  # set up at 10:00, after the 09:00 due time
    decision = missed_post(now, None, time(9, 0), SH, GRACE, since=configured)
    assert decision.action is MissedAction.NOTHING
    earlier = utc(2026, 1, 14, 0, 0)
    assert missed_post(now, None, time(9, 0), SH, GRACE, since=earlier).action is (
        MissedAction.POST_NOW
    )


def test_missed_post_on_spring_forward_day() -> None:
    now = utc(2026, 3, 8, 8, 0)  # 04:00 EDT; 02:30 was due at 03:00 EDT
    decision = missed_post(now, date(2026, 3, 7), time(2, 30), NY, GRACE)
    assert decision.action is MissedAction.POST_NOW
    assert decision.local_date == date(2026, 3, 8)
    assert decision.late_by == timedelta(hours=1)


# ------------------------------------------------------------------------------- timezone lookup


@pytest.mark.parametrize(
    ("query", "zone"),
    [
        ("shanghai", "Asia/Shanghai"),
        ("Shanghai", "Asia/Shanghai"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("ASIA/SHANGHAI", "Asia/Shanghai"),
        ("上海", "Asia/Shanghai"),
        ("北京", "Asia/Shanghai"),
        ("香港", "Asia/Hong_Kong"),
        ("台北", "Asia/Taipei"),
        ("东京", "Asia/Tokyo"),
        ("纽约", "America/New_York"),
        ("伦敦", "Europe/London"),
        ("新加坡", "Asia/Singapore"),
        ("洛杉矶", "America/Los_Angeles"),
        ("旧金山", "America/Los_Angeles"),
        ("巴黎", "Europe/Paris"),
        ("柏林", "Europe/Berlin"),
        ("悉尼", "Australia/Sydney"),
        ("多伦多", "America/Toronto"),
        ("温哥华", "America/Vancouver"),
        ("東京", "Asia/Tokyo"),
        ("utc", "UTC"),
        ("UTC+8", "Etc/GMT-8"),  # POSIX Etc names invert the sign
        ("gmt-5", "Etc/GMT+5"),
        ("US/Eastern", "US/Eastern"),
    ],
)
def test_resolve_timezone(query: str, zone: str) -> None:
    assert resolve_timezone(query) == zone
    ZoneInfo(zone)  # every answer is a real zone


@pytest.mark.parametrize("query", ["", "   ", "abc", "美国", "Mars/Olympus", "eastern"])
def test_resolve_timezone_none_when_unknown_or_ambiguous(query: str) -> None:
    assert resolve_timezone(query) is None


def test_suggest_shanghai() -> None:
    assert suggest_timezones("shanghai")[0] == "Asia/Shanghai"


def test_suggest_new_york() -> None:
    assert suggest_timezones("new york")[0] == "America/New_York"
    assert "America/New_York" in suggest_timezones("york")


def test_suggest_chinese() -> None:
    assert suggest_timezones("上海") == ["Asia/Shanghai"]
    assert suggest_timezones("美国")[:4] == [
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
    ]
    assert "Asia/Taipei" in suggest_timezones("台")


def test_suggest_prefix() -> None:
    assert suggest_timezones("Asia/Shang") == ["Asia/Shanghai"]
    asia = suggest_timezones("asia/")
    assert len(asia) == 25
    assert all(z.startswith("Asia/") for z in asia)


def test_suggest_limit_and_empty_query() -> None:
    assert len(suggest_timezones("a", limit=5)) == 5
    assert suggest_timezones("a", limit=0) == []
    popular = suggest_timezones("")
    assert "Asia/Shanghai" in popular
    assert 0 < len(popular) <= 25
    assert suggest_timezones("zzzz-no-such-place") == []


def test_suggestions_are_real_unique_zones() -> None:
    for query in ["", "a", "america", "上", "new", "eastern", "gmt"]:
        zones = suggest_timezones(query)
        assert len(zones) == len(set(zones))
        for name in zones:
            ZoneInfo(name)


# --------------------------------------------------------------------------------- properties

DST_ZONES = [
    "America/New_York",
    "America/Santiago",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Asia/Tehran",
    "Pacific/Auckland",
    "America/Havana",
    "Asia/Shanghai",
]


@given(
    tz=st.sampled_from(DST_ZONES),
    start=st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2030, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    post_time=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
@settings(max_examples=300, deadline=None)
def test_property_one_due_per_local_date(tz: str, start: datetime, post_time: time) -> None:
    dues = next_n_due(start, post_time, tz, n=4)
    assert dues[0].instant >= start
    assert previous_due(dues[0].instant, post_time, tz) == dues[0]
    for earlier, later in itertools.pairwise(dues):
        assert later.local_date == earlier.local_date + timedelta(days=1)
        assert later.instant > earlier.instant
    zone = ZoneInfo(tz)
    for due in dues:
        local = due.instant.astimezone(zone)
        assert local.date() == due.local_date
        wall = local.time().replace(tzinfo=None)
        if wall != post_time:
            # Only inside a gap: then it is the first instant after it, later the same day.
            naive = datetime.combine(due.local_date, post_time)
            assert (
                naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
                != naive
            )
            assert wall > post_time
            just_before = (due.instant - timedelta(seconds=1)).astimezone(zone)
            assert just_before.utcoffset() != local.utcoffset()


@pytest.mark.parametrize(
    ("typed", "default", "expected_first"),
    [
        ("", time(9, 0), ["09:00", "09:30", "10:00"]),
        ("", time(21, 45), ["21:45", "22:00", "22:30"]),
        ("9", time(9, 0), ["09:00", "09:30", "19:00", "19:30"]),
        ("21:3", time(9, 0), ["21:30"]),
        ("7:15", time(9, 0), ["07:15"]),
        ("07：30", time(9, 0), ["07:30"]),
        ("abc", time(9, 0), []),
        ("25", time(9, 0), []),
    ],
)
def test_suggest_post_times(typed: str, default: time, expected_first: list[str]) -> None:
    got = suggest_post_times(typed, default)
    assert got[: len(expected_first)] == expected_first
    assert len(got) <= 25
    assert len(set(got)) == len(got)
    assert all(parse_post_time(v) is not None for v in got)
