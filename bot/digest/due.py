"""Due-time maths for the daily digest: when a guild's post is due, in UTC, for each local date.

Everything here takes an explicit, timezone-aware ``now`` so it can be tested without a clock.

Daylight-saving rules (one post per local date, always):

- a post time that does not exist on a date (spring-forward gap, e.g. 02:30 in New York on
  2026-03-08) is due at the first instant after the gap (03:00 local that day);
- a post time that happens twice (fall-back, e.g. 01:30 in New York on 2026-11-01) is due at
  its first occurrence only (``fold=0``);
- a date that does not exist at all in a zone (Pacific/Apia skipped 2011-12-30) has no post.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import NamedTuple

__all__ = [
    "Due",
    "MissedAction",
    "MissedPost",
    "due_instant",
    "format_post_time",
    "local_date_for",
    "missed_post",
    "next_due",
    "next_n_due",
    "parse_post_time",
    "previous_due",
    "resolve_timezone",
    "suggest_timezones",
    "zone",
]

TimeZoneLike = str | tzinfo


class Due(NamedTuple):
    """One scheduled post: the guild-local date it is for and the UTC instant it is due."""

    local_date: date
    instant: datetime


# --------------------------------------------------------------------------- post time parsing


_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})$")


def parse_post_time(text: str) -> time | None:
    """Parse ``9:00``, ``09:00`` or ``21:30`` (a full-width colon too) into a time of day
    (minutes precision); None when it isn't one. The config and ``/digest set`` both use it and
    word their own errors."""
    match = _TIME_RE.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def format_post_time(value: time) -> str:
    """Format a post time as the canonical ``HH:MM`` stored in the database."""
    return f"{value.hour:02d}:{value.minute:02d}"


#: Every half hour of the day, the times `/digest set` offers while one is typed.
_HALF_HOURS: tuple[str, ...] = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30))


def suggest_post_times(query: str, default: time, limit: int = 25) -> list[str]:
    """Post times for autocomplete: what was typed (when valid), then matching half hours.

    With nothing typed, the configured default comes first, followed by the half hours from
    there on. Typing ``9`` offers 09:00 and 09:30 (and 19:00, 19:30); ``21:3`` offers 21:30.
    """
    if limit <= 0:
        return []
    raw = query.strip().replace("：", ":")
    out: list[str] = []
    if not raw:
        first = format_post_time(default)
        start = next((i for i, v in enumerate(_HALF_HOURS) if v >= first), 0)
        out = [first, *_HALF_HOURS[start:], *_HALF_HOURS[:start]]
    else:
        parsed = parse_post_time(raw)
        if parsed is not None:
            out.append(format_post_time(parsed))
        hour, _, minute = raw.partition(":")
        if hour.isdigit() and len(hour) <= 2 and (not minute or minute.isdigit()):
            # "9" → 09:xx first, then 19:xx; "1" → 01:xx, then 10:xx–19:xx; "21:3" → 21:30.
            hours = [hour.zfill(2)] + (
                [v for v in _HALF_HOURS if v[0] == hour] if len(hour) == 1 else []
            )
            for h in hours:
                out += [v for v in _HALF_HOURS if v[:2] == h[:2] and v[3:].startswith(minute)]
            if len(hour) == 1:
                out += [
                    v
                    for v in _HALF_HOURS
                    if v[1] == hour and v[0] != "0" and v[3:].startswith(minute)
                ]
    return list(dict.fromkeys(out))[:limit]


# --------------------------------------------------------------------------------- zone maths


def zone(tz: TimeZoneLike) -> tzinfo:
    """Return a tzinfo for an IANA name (``ZoneInfo``) or pass a tzinfo through."""
    if isinstance(tz, str):
        return zoneinfo.ZoneInfo(tz)
    return tz


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")


def local_date_for(now: datetime, tz: TimeZoneLike) -> date:
    """The calendar date in ``tz`` at the instant ``now``."""
    _require_aware(now)
    return now.astimezone(zone(tz)).date()


def _wall(dt: datetime) -> datetime:
    return dt.replace(tzinfo=None, fold=0)


def _exists(naive: datetime, tzi: tzinfo) -> bool:
    """Whether the wall time ``naive`` occurs in ``tzi`` (it is not inside a gap)."""
    aware = naive.replace(tzinfo=tzi, fold=0)
    return _wall(aware.astimezone(UTC).astimezone(tzi)) == naive


def _gap_end(naive: datetime, tzi: tzinfo) -> datetime:
    """The first UTC instant after the gap that contains the nonexistent wall time ``naive``.

    Inside a gap, ``fold=1`` applies the offset after the transition and ``fold=0`` the one
    before, so the transition lies between those two readings; bisect to the second.
    """
    low = naive.replace(tzinfo=tzi, fold=1).astimezone(UTC)
    high = naive.replace(tzinfo=tzi, fold=0).astimezone(UTC)
    if high < low:  # a backwards gap cannot exist, but keep the bisection well-defined
        low, high = high, low
    after = high.astimezone(tzi).utcoffset()
    # Invariant: low has the pre-transition offset, high the post-transition one.
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        mid = mid.replace(microsecond=0)
        if mid <= low:
            mid = low + timedelta(seconds=1)
        if mid.astimezone(tzi).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high


def due_instant(local_date: date, post_time: time, tz: TimeZoneLike) -> datetime:
    """The UTC instant of ``post_time`` on ``local_date`` in ``tz`` (DST rules: module doc)."""
    tzi = zone(tz)
    naive = datetime.combine(local_date, post_time.replace(tzinfo=None, fold=0))
    if _exists(naive, tzi):
        return naive.replace(tzinfo=tzi, fold=0).astimezone(UTC)
    return _gap_end(naive, tzi)


def _candidates(start: date, step: int) -> Iterator[date]:
    day = start
    # A zone can drop at most one whole date at a time (Apia 2011), so a few dates suffice.
    for _ in range(4):
        yield day
        day += timedelta(days=step)


def _due_on(day: date, post_time: time, tzi: tzinfo) -> Due | None:
    instant = due_instant(day, post_time, tzi)
    if instant.astimezone(tzi).date() != day:
        return None  # the date itself does not exist in the zone
    return Due(day, instant)


def next_due(now: datetime, post_time: time, tz: TimeZoneLike) -> Due:
    """The first due post at or after ``now``."""
    _require_aware(now)
    tzi = zone(tz)
    for day in _candidates(local_date_for(now, tzi), 1):
        due = _due_on(day, post_time, tzi)
        if due is not None and due.instant >= now:
            return due
    raise ValueError(f"no due time found after {now.isoformat()} in {tz}")


def previous_due(now: datetime, post_time: time, tz: TimeZoneLike) -> Due:
    """The latest due post at or before ``now``: the one a post made at ``now`` is for."""
    _require_aware(now)
    tzi = zone(tz)
    for day in _candidates(local_date_for(now, tzi), -1):
        due = _due_on(day, post_time, tzi)
        if due is not None and due.instant <= now:
            return due
    raise ValueError(f"no due time found before {now.isoformat()} in {tz}")


def next_n_due(now: datetime, post_time: time, tz: TimeZoneLike, n: int = 3) -> list[Due]:
    """The next ``n`` due posts at or after ``now``, one per local date."""
    result: list[Due] = []
    cursor = now
    while len(result) < n:
        due = next_due(cursor, post_time, tz)
        result.append(due)
        cursor = due.instant + timedelta(microseconds=1)
    return result


# ------------------------------------------------------------------------ missed-post decisions


class MissedAction(enum.Enum):
    POST_NOW = "post_now"
    SKIP = "skip"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class MissedPost:
    """What to do at startup about the latest due post: post it now, record it skipped, or not."""

    action: MissedAction
    local_date: date | None = None
    due: datetime | None = None
    late_by: timedelta | None = None


def missed_post(
    now: datetime,
    last_claimed_date: date | None,
    post_time: time,
    tz: TimeZoneLike,
    grace: timedelta,
    *,
    since: datetime | None = None,
) -> MissedPost:
    """Decide about the latest due post after downtime.

    ``last_claimed_date`` is the latest local date with a post-log row (claimed, posted, skipped
    or failed). ``since`` (e.g. when the guild configured the digest) excludes due times before
    it: a guild set up at 10:00 for 09:00 was never owed that day's post.
    """
    _require_aware(now)
    due = previous_due(now, post_time, tz)
    if last_claimed_date is not None and last_claimed_date >= due.local_date:
        return MissedPost(MissedAction.NOTHING)
    if since is not None and due.instant < since:
        return MissedPost(MissedAction.NOTHING)
    late_by = now - due.instant
    action = MissedAction.POST_NOW if late_by <= grace else MissedAction.SKIP
    return MissedPost(action, due.local_date, due.instant, late_by)


# ---------------------------------------------------------------------------- timezone lookup

# Chinese names (simplified and traditional) of common cities and countries.
_CHINESE_ZONES: dict[str, tuple[str, ...]] = {
    "上海": ("Asia/Shanghai",),
    "北京": ("Asia/Shanghai",),
    "深圳": ("Asia/Shanghai",),
    "广州": ("Asia/Shanghai",),
    "廣州": ("Asia/Shanghai",),
    "杭州": ("Asia/Shanghai",),
    "成都": ("Asia/Shanghai",),
    "中国": ("Asia/Shanghai",),
    "中國": ("Asia/Shanghai",),
    "香港": ("Asia/Hong_Kong",),
    "澳门": ("Asia/Macau",),
    "澳門": ("Asia/Macau",),
    "台北": ("Asia/Taipei",),
    "臺北": ("Asia/Taipei",),
    "台湾": ("Asia/Taipei",),
    "台灣": ("Asia/Taipei",),
    "东京": ("Asia/Tokyo",),
    "東京": ("Asia/Tokyo",),
    "日本": ("Asia/Tokyo",),
    "首尔": ("Asia/Seoul",),
    "首爾": ("Asia/Seoul",),
    "韩国": ("Asia/Seoul",),
    "韓國": ("Asia/Seoul",),
    "新加坡": ("Asia/Singapore",),
    "印度": ("Asia/Kolkata",),
    "迪拜": ("Asia/Dubai",),
    "杜拜": ("Asia/Dubai",),
    "纽约": ("America/New_York",),
    "紐約": ("America/New_York",),
    "洛杉矶": ("America/Los_Angeles",),
    "洛杉磯": ("America/Los_Angeles",),
    "旧金山": ("America/Los_Angeles",),
    "舊金山": ("America/Los_Angeles",),
    "西雅图": ("America/Los_Angeles",),
    "西雅圖": ("America/Los_Angeles",),
    "芝加哥": ("America/Chicago",),
    "美国": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "美國": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "多伦多": ("America/Toronto",),
    "多倫多": ("America/Toronto",),
    "温哥华": ("America/Vancouver",),
    "溫哥華": ("America/Vancouver",),
    "加拿大": ("America/Toronto", "America/Vancouver"),
    "伦敦": ("Europe/London",),
    "倫敦": ("Europe/London",),
    "英国": ("Europe/London",),
    "英國": ("Europe/London",),
    "巴黎": ("Europe/Paris",),
    "法国": ("Europe/Paris",),
    "法國": ("Europe/Paris",),
    "柏林": ("Europe/Berlin",),
    "德国": ("Europe/Berlin",),
    "德國": ("Europe/Berlin",),
    "莫斯科": ("Europe/Moscow",),
    "悉尼": ("Australia/Sydney",),
    "雪梨": ("Australia/Sydney",),
    "墨尔本": ("Australia/Melbourne",),
    "墨爾本": ("Australia/Melbourne",),
    "澳大利亚": ("Australia/Sydney",),
    "澳洲": ("Australia/Sydney",),
    "协调世界时": ("UTC",),
    "世界协调时": ("UTC",),
}

# Shown for an empty query: where the bot's users most likely are.
_POPULAR = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Vancouver",
    "Australia/Sydney",
    "UTC",
)

# Deprecated aliases and duplicate trees: matched only when typed exactly.
_LEGACY_PREFIXES = ("posix/", "right/", "SystemV/", "US/", "Etc/", "Brazil/", "Canada/", "Chile/")


def _norm(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


@dataclass(frozen=True, slots=True)
class _ZoneEntry:
    key: str
    norm_key: str
    norm_city: str
    legacy: bool


@cache
def _zone_index() -> tuple[_ZoneEntry, ...]:
    """Every available IANA zone, normalised once (the list never changes in a process)."""
    entries = []
    for key in sorted(zoneinfo.available_timezones()):
        if key.startswith(("posix/", "right/")) or key in {"Factory", "localtime"}:
            continue
        entries.append(
            _ZoneEntry(
                key=key,
                norm_key=_norm(key),
                norm_city=_norm(key.rsplit("/", 1)[-1]),
                legacy="/" not in key or key.startswith(_LEGACY_PREFIXES),
            )
        )
    return tuple(entries)


def _chinese_matches(query: str) -> list[str]:
    exact = list(_CHINESE_ZONES.get(query, ()))
    partial = [z for name, zones in _CHINESE_ZONES.items() if query in name for z in zones]
    return _unique(exact + partial)


_OFFSET_RE = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?00)?$")


def _offset_zone(norm: str) -> str | None:
    """``utc+8`` → ``Etc/GMT-8``: POSIX-style Etc names invert the sign, a classic trap."""
    match = _OFFSET_RE.match(norm)
    if match is None:
        return None
    hours = int(match.group(2))
    if hours == 0:
        return "UTC"
    key = f"Etc/GMT{'-' if match.group(1) == '+' else '+'}{hours}"
    return key if any(e.key == key for e in _zone_index()) else None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def resolve_timezone(query: str) -> str | None:
    """The one IANA zone ``query`` names, or ``None`` when it names none or several.

    Accepts a zone name in any case with spaces for underscores (``asia/shanghai``), a city
    (``shanghai``, ``new york``) or a Chinese city/country name (``上海``).
    """
    raw = query.strip()
    if not raw:
        return None
    if raw in _CHINESE_ZONES:
        zones = _CHINESE_ZONES[raw]
        return zones[0] if len(zones) == 1 else None
    norm = _norm(raw)
    index = _zone_index()
    for entry in index:
        if entry.norm_key == norm:
            return entry.key
    offset = _offset_zone(norm)
    if offset is not None:
        return offset
    cities = [e.key for e in index if not e.legacy and e.norm_city == norm]
    return cities[0] if len(cities) == 1 else None


def suggest_timezones(query: str, limit: int = 25) -> list[str]:
    """Zones matching ``query`` for autocomplete, best first, at most ``limit``."""
    if limit <= 0:
        return []
    raw = query.strip()
    if not raw:
        return list(_POPULAR[:limit])
    norm = _norm(raw)
    index = _zone_index()
    ranked: list[list[str]] = [[] for _ in range(6)]
    ranked[0].extend(_chinese_matches(raw))
    offset = _offset_zone(norm)
    if offset is not None:
        ranked[0].append(offset)
    for entry in index:
        if entry.norm_key == norm:
            ranked[0].append(entry.key)
        elif entry.legacy:
            continue
        elif entry.norm_city == norm:
            ranked[1].append(entry.key)
        elif entry.norm_key.startswith(norm):
            ranked[2].append(entry.key)
        elif entry.norm_city.startswith(norm):
            ranked[3].append(entry.key)
        elif norm in entry.norm_key:
            ranked[4].append(entry.key)
    if not any(ranked):
        # Last resort: legacy names (US/Eastern, Etc/GMT+8) by substring.
        ranked[5].extend(e.key for e in index if e.legacy and norm in e.norm_key)
    return _unique(key for tier in ranked for key in tier)[:limit]
