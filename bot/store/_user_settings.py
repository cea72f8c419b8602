"""Users' personal digest settings (``/mydigest``): when and in which language each user's
daily quote is sent, and their DM channel once it was opened."""

from __future__ import annotations

import sqlite3
from datetime import time

from bot.store._base import StoreBase, StoreConnection, iso
from bot.store._models import DisableReason, Lang, UserSettings
from bot.store._settings import _checked_schedule, _schedule_fields

__all__ = ["UserSettingsQueries"]

_COLUMNS = (
    "user_id, channel_id, post_time, timezone, language, enabled, disabled_reason, "
    "disabled_at, created_at, updated_at, event_id"
)


def _user_settings(row: sqlite3.Row) -> UserSettings:
    return UserSettings(user_id=row["user_id"], **_schedule_fields(row, f"user {row['user_id']}"))


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
        event_id: str | None = None,
        conn: StoreConnection | None = None,
    ) -> UserSettings:
        """Create or replace a user's digest; saving (re-)enables it and keeps the DM channel."""
        hhmm = _checked_schedule(post_time, timezone, language)
        now = iso(self._clock())
        async with self._use(conn, write=True) as c:
            await c._execute(
                """
                INSERT INTO user_digest_settings
                    (user_id, channel_id, post_time, timezone, language, enabled,
                     disabled_reason, disabled_at, created_at, updated_at, event_id)
                VALUES (?, NULL, ?, ?, ?, 1, NULL, NULL, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    post_time = excluded.post_time,
                    timezone = excluded.timezone,
                    language = excluded.language,
                    enabled = 1,
                    disabled_reason = NULL,
                    disabled_at = NULL,
                    updated_at = excluded.updated_at,
                    event_id = excluded.event_id
                """,
                (user_id, hhmm, timezone, language, now, now, event_id),
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
