"""Users' personal digest settings (``/mydigest``): when and in which language each user's
daily quote is sent, and their DM channel once it was opened."""

from __future__ import annotations

import sqlite3
import zoneinfo
from datetime import time
from typing import cast

from bot.store._base import StoreBase, StoreConnection, iso, parse_ts
from bot.store._errors import StoreError
from bot.store._models import LANGS, DisableReason, Lang, UserSettings
from bot.store._settings import _hhmm

__all__ = ["UserSettingsQueries"]

_COLUMNS = (
    "user_id, channel_id, post_time, timezone, language, enabled, disabled_reason, "
    "disabled_at, created_at, updated_at"
)


def _user_settings(row: sqlite3.Row) -> UserSettings:
    reason = row["disabled_reason"]
    language = row["language"]
    if language not in LANGS:
        raise StoreError(f"user {row['user_id']} has an unknown digest language {language!r}")
    return UserSettings(
        user_id=row["user_id"],
        channel_id=row["channel_id"],
        post_time=time.fromisoformat(row["post_time"]),
        timezone=row["timezone"],
        language=cast("Lang", language),
        enabled=bool(row["enabled"]),
        disabled_reason=DisableReason(reason) if reason is not None else None,
        disabled_at=parse_ts(row["disabled_at"]) if row["disabled_at"] else None,
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
    )


class UserSettingsQueries(StoreBase):
    """Personal digests: read, save, pause/resume, remember the DM channel, list."""

    async def get_user_settings(
        self, user_id: int, *, conn: StoreConnection | None = None
    ) -> UserSettings | None:
        async with self._use(conn, write=False) as c:
            row = await c._fetchone(
                f"SELECT {_COLUMNS} FROM user_digest_settings WHERE user_id = ?", (user_id,)
            )
        return _user_settings(row) if row is not None else None

    async def upsert_user_settings(
        self,
        user_id: int,
        *,
        post_time: time | str,
        timezone: str,
        language: Lang,
        conn: StoreConnection | None = None,
    ) -> UserSettings:
        """Create or replace a user's digest; saving (re-)enables it and keeps the DM channel."""
        hhmm = _hhmm(post_time)
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {timezone!r}") from exc
        if language not in LANGS:
            raise ValueError(f"unknown language {language!r}")
        now = iso(self._clock())
        async with self._use(conn, write=True) as c:
            await c._execute(
                """
                INSERT INTO user_digest_settings
                    (user_id, channel_id, post_time, timezone, language, enabled,
                     disabled_reason, disabled_at, created_at, updated_at)
                VALUES (?, NULL, ?, ?, ?, 1, NULL, NULL, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    post_time = excluded.post_time,
                    timezone = excluded.timezone,
                    language = excluded.language,
                    enabled = 1,
                    disabled_reason = NULL,
                    disabled_at = NULL,
                    updated_at = excluded.updated_at
                """,
                (user_id, hhmm, timezone, language, now, now),
            )
            row = await c._fetchone(
                f"SELECT {_COLUMNS} FROM user_digest_settings WHERE user_id = ?", (user_id,)
            )
        assert row is not None
        return _user_settings(row)

    async def set_user_channel(
        self, user_id: int, channel_id: int, *, conn: StoreConnection | None = None
    ) -> bool:
        """Remember the user's DM channel (opened once); False when the user has no settings."""
        async with self._use(conn, write=True) as c:
            changed = await c._execute(
                "UPDATE user_digest_settings SET channel_id = ? WHERE user_id = ?",
                (channel_id, user_id),
            )
        return changed == 1

    async def disable_user_settings(
        self,
        user_id: int,
        reason: DisableReason,
        *,
        replace: bool = False,
        conn: StoreConnection | None = None,
    ) -> bool:
        """Pause or stop a user's digest with a reason, keeping the settings; False when the
        user has none. An already-off digest keeps its first reason unless ``replace`` (the
        user turning off a paused digest: it is now off because they said so)."""
        reason = DisableReason(reason)
        now = iso(self._clock())
        async with self._use(conn, write=True) as c:
            await c._execute(
                """
                UPDATE user_digest_settings
                SET enabled = 0, disabled_reason = ?, disabled_at = ?, updated_at = ?
                WHERE user_id = ? AND (enabled = 1 OR ?)
                """,
                (reason.value, now, now, user_id, int(replace)),
            )
            row = await c._fetchone(
                "SELECT 1 FROM user_digest_settings WHERE user_id = ?", (user_id,)
            )
        return row is not None

    async def enable_user_settings(
        self, user_id: int, *, conn: StoreConnection | None = None
    ) -> UserSettings | None:
        """Resume a paused digest (``/mydigest now``); None when the user has no settings."""
        now = iso(self._clock())
        async with self._use(conn, write=True) as c:
            await c._execute(
                """
                UPDATE user_digest_settings
                SET enabled = 1, disabled_reason = NULL, disabled_at = NULL, updated_at = ?
                WHERE user_id = ? AND enabled = 0
                """,
                (now, user_id),
            )
            row = await c._fetchone(
                f"SELECT {_COLUMNS} FROM user_digest_settings WHERE user_id = ?", (user_id,)
            )
        return _user_settings(row) if row is not None else None

    async def list_enabled_user_settings(
        self, *, conn: StoreConnection | None = None
    ) -> list[UserSettings]:
        """Every enabled personal digest, by user id."""
        async with self._use(conn, write=False) as c:
            rows = await c._fetchall(
                f"SELECT {_COLUMNS} FROM user_digest_settings WHERE enabled = 1 ORDER BY user_id"
            )
        return [_user_settings(r) for r in rows]
