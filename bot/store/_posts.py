"""The post log: one row per guild and guild-local date, claimed before the post is sent.

A claim names its owner, the instance id of the process that made it; each process keeps a
lease in ``digest_instances`` (see :class:`InstanceQueries`). A claim whose owner is gone (no
row, or a lease that ran out) is abandoned: :meth:`PostLogQueries.abandoned_claims` finds such
rows and :meth:`PostLogQueries.take_over_claim` hands one to a live process, atomically, so two
processes never settle the same claim and none takes a live process's claim.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from bot.store._base import StoreBase, StoreConnection, iso, parse_ts
from bot.store._models import PostRecord, PostStatus, Reason, RecipientKind
from bot.store._tables import tables

__all__ = ["MAX_DETAIL_LENGTH", "InstanceQueries", "PostLogQueries"]

MAX_DETAIL_LENGTH = 500

_GUILD = RecipientKind.GUILD

# The recipient's id column (guild_id or user_id) is put in front: see _columns().
_POST_COLUMNS = (
    "local_date, status, quote_id, channel_id, message_id, reason, attempts, "
    "scheduled_for, created_at, updated_at, claimed_by, detail"
)


def _columns(kind: RecipientKind) -> str:
    return f"{tables(kind).key} AS recipient_id, {_POST_COLUMNS}"


# A claimed row whose owner cannot be sending it any more: our own (the caller checks that no
# post of ours is in progress), a pre-0002 row (no owner) older than the legacy cut-off, or one
# whose owner has no live lease. Parameters: owner, legacy_before, now.
_ABANDONED = """
    status = 'claimed' AND (
        claimed_by = ?
        OR (claimed_by IS NULL AND updated_at < ?)
        OR (claimed_by IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM digest_instances AS i
            WHERE i.instance_id = {posts}.claimed_by AND i.lease_until > ?))
    )
"""


def _abandoned(posts: str) -> str:
    return _ABANDONED.format(posts=posts)


def _post(row: sqlite3.Row) -> PostRecord:
    return PostRecord(
        guild_id=row["recipient_id"],
        local_date=date.fromisoformat(row["local_date"]),
        status=PostStatus(row["status"]),
        quote_id=row["quote_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        reason=Reason(row["reason"]) if row["reason"] is not None else None,
        attempts=row["attempts"],
        scheduled_for=parse_ts(row["scheduled_for"]),
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        claimed_by=row["claimed_by"],
        detail=row["detail"],
    )


def _detail(detail: str | None) -> str | None:
    text = (detail or "").strip()
    return text[:MAX_DETAIL_LENGTH] or None


class PostLogQueries(StoreBase):
    """The post log: claim a date, then record it posted, failed or skipped."""

    async def claim_post(
        self,
        guild_id: int,
        local_date: date,
        scheduled_for: datetime,
        quote_id: str | None,
        *,
        channel_id: int | None = None,
        owner: str | None = None,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> bool:
        """Claim the guild's post for ``local_date`` before sending it; exactly one caller wins.

        ``owner`` is the claiming process's instance id. False when the date already has a row
        in any state (a failed one is re-claimed only through :meth:`retry_claim`).
        """
        now = iso(self._clock())
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            inserted = await c._execute(
                f"""
                INSERT INTO {t.posts}
                    ({t.key}, local_date, status, quote_id, channel_id, attempts,
                     scheduled_for, created_at, updated_at, claimed_by)
                VALUES (?, ?, 'claimed', ?, ?, 0, ?, ?, ?, ?)
                ON CONFLICT ({t.key}, local_date) DO NOTHING
                """,
                (
                    guild_id,
                    local_date.isoformat(),
                    quote_id,
                    channel_id,
                    iso(scheduled_for),
                    now,
                    now,
                    owner,
                ),
            )
        return inserted == 1

    async def retry_claim(
        self,
        guild_id: int,
        local_date: date,
        *,
        quote_id: str | None = None,
        owner: str | None = None,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> bool:
        """Re-claim a ``failed`` post for another attempt (by ``owner``); False for any other
        state."""
        now = iso(self._clock())
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            changed = await c._execute(
                f"""
                UPDATE {t.posts}
                SET status = 'claimed', reason = NULL, detail = NULL,
                    quote_id = coalesce(?, quote_id), claimed_by = ?, updated_at = ?
                WHERE {t.key} = ? AND local_date = ? AND status = 'failed'
                """,
                (quote_id, owner, now, guild_id, local_date.isoformat()),
            )
        return changed == 1

    async def abandoned_claims(
        self,
        *,
        owner: str,
        now: datetime,
        legacy_before: datetime,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> list[PostRecord]:
        """Claimed rows no live process is sending: ``owner``'s own (the caller makes sure no
        post of its own is in progress for them), claims without an owner last touched before
        ``legacy_before``, and claims whose owner's lease ran out by ``now``; by guild."""
        t = tables(kind)
        async with self._use(conn, write=False) as c:
            rows = await c._fetchall(
                f"SELECT {_columns(kind)} FROM {t.posts} WHERE {_abandoned(t.posts)} "
                f"ORDER BY {t.key}, local_date",
                (owner, iso(legacy_before), iso(now)),
            )
        return [_post(r) for r in rows]

    async def take_over_claim(
        self,
        guild_id: int,
        local_date: date,
        *,
        owner: str,
        now: datetime,
        legacy_before: datetime,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> bool:
        """Make ``owner`` the holder of an abandoned claim (see :meth:`abandoned_claims`),
        atomically: True for exactly one caller, False if the row is not claimed or its owner
        is alive."""
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            changed = await c._execute(
                f"""
                UPDATE {t.posts} SET claimed_by = ?, updated_at = ?
                WHERE {t.key} = ? AND local_date = ? AND {_abandoned(t.posts)}
                """,
                (
                    owner,
                    iso(self._clock()),
                    guild_id,
                    local_date.isoformat(),
                    owner,
                    iso(legacy_before),
                    iso(now),
                ),
            )
        return changed == 1

    async def mark_posted(
        self,
        guild_id: int,
        local_date: date,
        message_id: int,
        *,
        channel_id: int | None = None,
        attempts: int | None = None,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> bool:
        """Record the sent message of a claimed post; False unless the row is ``claimed``."""
        now = iso(self._clock())
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            changed = await c._execute(
                f"""
                UPDATE {t.posts}
                SET status = 'posted', message_id = ?, channel_id = coalesce(?, channel_id),
                    attempts = coalesce(?, max(attempts, 1)), reason = NULL, detail = NULL,
                    updated_at = ?
                WHERE {t.key} = ? AND local_date = ? AND status = 'claimed'
                """,
                (message_id, channel_id, attempts, now, guild_id, local_date.isoformat()),
            )
        return changed == 1

    async def mark_failed(
        self,
        guild_id: int,
        local_date: date,
        reason: Reason,
        detail: str | None,
        attempts: int,
        *,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> bool:
        """Record that a claimed post could not be sent; False unless the row is ``claimed``."""
        reason = Reason(reason)
        if attempts < 0:
            raise ValueError("attempts cannot be negative")
        now = iso(self._clock())
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            changed = await c._execute(
                f"""
                UPDATE {t.posts}
                SET status = 'failed', reason = ?, detail = ?, attempts = ?, updated_at = ?
                WHERE {t.key} = ? AND local_date = ? AND status = 'claimed'
                """,
                (reason.value, _detail(detail), attempts, now, guild_id, local_date.isoformat()),
            )
        return changed == 1

    async def mark_skipped(
        self,
        guild_id: int,
        local_date: date,
        reason: Reason,
        detail: str | None = None,
        *,
        scheduled_for: datetime,
        quote_id: str | None = None,
        channel_id: int | None = None,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> bool:
        """Record the date as skipped (missed beyond grace, channel gone, …).

        Inserts a ``skipped`` row, or turns this date's ``claimed`` row into one; returns False
        (and changes nothing) when the date is already posted, skipped or failed.
        """
        reason = Reason(reason)
        now = iso(self._clock())
        day = local_date.isoformat()
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            changed = await c._execute(
                f"""
                INSERT INTO {t.posts}
                    ({t.key}, local_date, status, quote_id, channel_id, reason, detail,
                     attempts, scheduled_for, created_at, updated_at)
                VALUES (?, ?, 'skipped', ?, ?, ?, ?, 0, ?, ?, ?)
                ON CONFLICT ({t.key}, local_date) DO UPDATE SET
                    status = 'skipped', reason = excluded.reason, detail = excluded.detail,
                    updated_at = excluded.updated_at
                WHERE {t.posts}.status = 'claimed'
                """,
                (
                    guild_id,
                    day,
                    quote_id,
                    channel_id,
                    reason.value,
                    _detail(detail),
                    iso(scheduled_for),
                    now,
                    now,
                ),
            )
        return changed == 1

    async def post_for(
        self,
        guild_id: int,
        local_date: date,
        *,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> PostRecord | None:
        t = tables(kind)
        async with self._use(conn, write=False) as c:
            row = await c._fetchone(
                f"SELECT {_columns(kind)} FROM {t.posts} WHERE {t.key} = ? AND local_date = ?",
                (guild_id, local_date.isoformat()),
            )
        return _post(row) if row is not None else None

    async def last_post(
        self, guild_id: int, *, conn: StoreConnection | None = None, kind: RecipientKind = _GUILD
    ) -> PostRecord | None:
        """The post-log row with the latest local date, in any state."""
        posts = await self.recent_posts(guild_id, limit=1, conn=conn, kind=kind)
        return posts[0] if posts else None

    async def recent_posts(
        self,
        guild_id: int,
        *,
        limit: int = 7,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> list[PostRecord]:
        """The latest ``limit`` post-log rows, newest local date first."""
        t = tables(kind)
        async with self._use(conn, write=False) as c:
            rows = await c._fetchall(
                f"SELECT {_columns(kind)} FROM {t.posts} WHERE {t.key} = ? "
                "ORDER BY local_date DESC LIMIT ?",
                (guild_id, max(0, limit)),
            )
        return [_post(r) for r in rows]


class InstanceQueries(StoreBase):
    """Leases of running processes: a claim's owner is alive while its lease lasts."""

    async def renew_instance(
        self,
        instance_id: str,
        *,
        now: datetime,
        lease_until: datetime,
        conn: StoreConnection | None = None,
    ) -> None:
        """Register the instance (first call) or extend its lease to ``lease_until``."""
        async with self._use(conn, write=True) as c:
            await c._execute(
                """
                INSERT INTO digest_instances (instance_id, started_at, lease_until)
                VALUES (?, ?, ?)
                ON CONFLICT (instance_id) DO UPDATE SET lease_until = excluded.lease_until
                """,
                (instance_id, iso(now), iso(lease_until)),
            )

    async def release_instance(
        self, instance_id: str, *, conn: StoreConnection | None = None
    ) -> None:
        """Forget the instance (a clean stop): any claim it still holds is abandoned at once."""
        async with self._use(conn, write=True) as c:
            await c._execute("DELETE FROM digest_instances WHERE instance_id = ?", (instance_id,))

    async def prune_instances(self, *, now: datetime, conn: StoreConnection | None = None) -> int:
        """Delete instances whose lease ran out (their claims count as abandoned either way)."""
        async with self._use(conn, write=True) as c:
            return await c._execute(
                "DELETE FROM digest_instances WHERE lease_until <= ?", (iso(now),)
            )
