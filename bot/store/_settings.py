"""Guild digest settings: where, when and in which language each guild's digest posts."""

from __future__ import annotations

import asyncio
import sqlite3
import zoneinfo
from collections.abc import Collection
from datetime import time
from typing import Any, cast

from bot.store._base import StoreBase, StoreConnection, iso, parse_ts
from bot.store._errors import StoreError
from bot.store._models import (
    LANGS,
    DigestMode,
    DisableReason,
    GuildSettings,
    Lang,
    ThreadProblem,
)

__all__ = ["SETTINGS_PAGE", "SettingsQueries"]

#: Rows per page when every enabled digest is read (about 10 ms of conversion on the loop).
SETTINGS_PAGE = 500

_SETTINGS_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, language, enabled, disabled_reason, "
    "disabled_at, created_at, updated_at, thread, role_id, mode, thread_problem, event_id"
)


def _hhmm(value: time | str) -> str:
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value) if len(value) == 5 else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.strftime("%H:%M") != value:
            raise ValueError(f"post time {value!r} is not HH:MM")
        return value
    if value.second or value.microsecond:
        raise ValueError(f"post time {value} has seconds; the digest is scheduled to the minute")
    return value.strftime("%H:%M")


def _checked_schedule(post_time: time | str, timezone: str, language: str) -> str:
    """Validate a digest's time, timezone and language (guild or personal); the time as HH:MM."""
    hhmm = _hhmm(post_time)
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {timezone!r}") from exc
    if language not in LANGS:
        raise ValueError(f"unknown language {language!r}")
    return hhmm


def _schedule_fields(row: sqlite3.Row, owner: str) -> dict[str, Any]:
    """The columns guild and personal digest settings share, parsed; ``owner`` names the
    row's guild or user in the error for an unknown language."""
    reason = row["disabled_reason"]
    language = row["language"]
    if language not in LANGS:
        raise StoreError(f"{owner} has an unknown digest language {language!r}")
    return {
        "channel_id": row["channel_id"],
        "post_time": time.fromisoformat(row["post_time"]),
        "timezone": row["timezone"],
        "language": cast("Lang", language),
        "enabled": bool(row["enabled"]),
        "disabled_reason": DisableReason(reason) if reason is not None else None,
        "disabled_at": parse_ts(row["disabled_at"]) if row["disabled_at"] else None,
        "created_at": parse_ts(row["created_at"]),
        "updated_at": parse_ts(row["updated_at"]),
        "event_id": row["event_id"],
    }


def _settings(row: sqlite3.Row) -> GuildSettings:
    return GuildSettings(
        guild_id=row["guild_id"],
        **_schedule_fields(row, f"guild {row['guild_id']}"),
        thread=bool(row["thread"]),
        role_id=row["role_id"],
        mode=DigestMode(row["mode"]),
        thread_problem=ThreadProblem(row["thread_problem"]) if row["thread_problem"] else None,
    )


class SettingsQueries(StoreBase):
    """Settings: read, save, disable/enable, delete and list guilds' digest settings."""

    async def get_settings(
        self, guild_id: int, *, conn: StoreConnection | None = None
    ) -> GuildSettings | None:
        async with self._use(conn, write=False) as c:
            row = await c._fetchone(
                f"SELECT {_SETTINGS_COLUMNS} FROM guild_digest_settings WHERE guild_id = ?",
                (guild_id,),
            )
        return _settings(row) if row is not None else None

    async def upsert_settings(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: time | str,
        timezone: str,
        language: Lang,
        thread: bool = False,
        role_id: int | None = None,
        mode: DigestMode = DigestMode.QUOTE,
        event_id: str | None = None,
        conn: StoreConnection | None = None,
    ) -> GuildSettings:
        """Create or replace a guild's digest settings; saving them (re-)enables the digest
        (and forgets the latest thread problem: the admin may have fixed it)."""
        hhmm = _checked_schedule(post_time, timezone, language)
        mode = DigestMode(mode)
        now = iso(self._clock())
        async with self._use(conn, write=True) as c:
            await c._execute(
                """
                INSERT INTO guild_digest_settings
                    (guild_id, channel_id, post_time, timezone, language, enabled,
                     disabled_reason, disabled_at, created_at, updated_at,
                     thread, role_id, mode, thread_problem, event_id)
                VALUES (?, ?, ?, ?, ?, 1, NULL, NULL, ?, ?, ?, ?, ?, NULL, ?)
                ON CONFLICT (guild_id) DO UPDATE SET
                    channel_id = excluded.channel_id,
                    post_time = excluded.post_time,
                    timezone = excluded.timezone,
                    language = excluded.language,
                    enabled = 1,
                    disabled_reason = NULL,
                    disabled_at = NULL,
                    updated_at = excluded.updated_at,
                    thread = excluded.thread,
                    role_id = excluded.role_id,
                    mode = excluded.mode,
                    thread_problem = NULL,
                    event_id = excluded.event_id
                """,
                (
                    guild_id,
                    channel_id,
                    hhmm,
                    timezone,
                    language,
                    now,
                    now,
                    int(thread),
                    role_id,
                    mode.value,
                    event_id,
                ),
            )
            row = await c._fetchone(
                f"SELECT {_SETTINGS_COLUMNS} FROM guild_digest_settings WHERE guild_id = ?",
                (guild_id,),
            )
        assert row is not None
        return _settings(row)

    async def disable_settings(
        self,
        guild_id: int,
        reason: DisableReason,
        *,
        conn: StoreConnection | None = None,
    ) -> bool:
        """Turn a guild's digest off with a reason code, keeping its settings.

        Returns False when the guild has no settings. An already-disabled digest keeps its
        first reason and time.
        """
        reason = DisableReason(reason)
        now = iso(self._clock())
        async with self._use(conn, write=True) as c:
            changed = await c._execute(
                """
                UPDATE guild_digest_settings
                SET enabled = 0, disabled_reason = ?, disabled_at = ?, updated_at = ?
                WHERE guild_id = ? AND enabled = 1
                """,
                (reason.value, now, now, guild_id),
            )
            if changed:
                return True
            row = await c._fetchone(
                "SELECT 1 FROM guild_digest_settings WHERE guild_id = ?", (guild_id,)
            )
        return row is not None

    async def set_thread_problem(
        self,
        guild_id: int,
        problem: ThreadProblem | None,
        *,
        conn: StoreConnection | None = None,
    ) -> None:
        """Record why the latest post's thread was not opened (None: it was)."""
        value = ThreadProblem(problem).value if problem is not None else None
        async with self._use(conn, write=True) as c:
            await c._execute(
                "UPDATE guild_digest_settings SET thread_problem = ? "
                "WHERE guild_id = ? AND thread_problem IS NOT ?",
                (value, guild_id, value),
            )

    async def list_enabled_settings(
        self,
        *,
        shard_count: int | None = None,
        shard_ids: Collection[int] | None = None,
        page_size: int = SETTINGS_PAGE,
        conn: StoreConnection | None = None,
    ) -> list[GuildSettings]:
        """Enabled digests by guild id; with sharding, only guilds on ``shard_ids``.

        A guild's shard is ``(guild_id >> 22) % shard_count``, as Discord assigns it. Read in
        pages of ``page_size`` rows, each its own short read (without ``conn``), with the event
        loop free between them: converting 100,000 rows in one go held the loop for 2.5 s
        (docs/performance.md, capacity).
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        sql = f"SELECT {_SETTINGS_COLUMNS} FROM guild_digest_settings WHERE enabled = 1"
        params: list[Any] = []
        if shard_count is not None:
            if shard_count < 1:
                raise ValueError("shard_count must be at least 1")
            ids = sorted(set(shard_ids if shard_ids is not None else range(shard_count)))
            sql += f" AND ((guild_id >> 22) % ?) IN ({', '.join('?' * len(ids)) or 'NULL'})"
            params += [shard_count, *ids]
        # Keyset pages: each starts after the last guild id of the previous one.
        sql += " AND guild_id > ? ORDER BY guild_id LIMIT ?"
        out: list[GuildSettings] = []
        after = -1
        while True:
            async with self._use(conn, write=False) as c:
                rows = await c._fetchall(sql, [*params, after, page_size])
            out += [_settings(r) for r in rows]
            if len(rows) < page_size:
                return out
            after = out[-1].guild_id
            await asyncio.sleep(0)

    async def list_settings(self, *, conn: StoreConnection | None = None) -> list[GuildSettings]:
        """Every guild's settings, enabled or not, by guild id."""
        async with self._use(conn, write=False) as c:
            rows = await c._fetchall(
                f"SELECT {_SETTINGS_COLUMNS} FROM guild_digest_settings ORDER BY guild_id"
            )
        return [_settings(r) for r in rows]
