"""Quote cycles: which cycle each guild is in and which quotes that cycle has posted."""

from __future__ import annotations

from bot.store._base import StoreBase, StoreConnection, iso, parse_ts
from bot.store._models import CycleState, RecipientKind
from bot.store._tables import tables

__all__ = ["QuoteCycleQueries"]

_GUILD = RecipientKind.GUILD


class QuoteCycleQueries(StoreBase):
    """Quote cycles: the current cycle of each guild and the quotes it has posted."""

    async def cycle_state(
        self,
        guild_id: int,
        *,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> CycleState | None:
        """The guild's current cycle and the quotes posted in it; None before its first post."""
        t = tables(kind)
        async with self._use(conn, write=False) as c:
            state = await c._fetchone(
                f"SELECT {t.key} AS recipient_id, cycle, seed, avoid_first, started_at "
                f"FROM {t.state} WHERE {t.key} = ?",
                (guild_id,),
            )
            if state is None:
                return None
            rows = await c._fetchall(
                f"SELECT quote_id FROM {t.cycle_posts} WHERE {t.key} = ? AND cycle = ? ORDER BY id",
                (guild_id, state["cycle"]),
            )
        posted = [r["quote_id"] for r in rows]
        return CycleState(
            guild_id=state["recipient_id"],
            cycle=state["cycle"],
            seed=state["seed"],
            avoid_first=state["avoid_first"],
            posted=frozenset(posted),
            last_quote_id=posted[-1] if posted else None,
            started_at=parse_ts(state["started_at"]),
        )

    async def start_cycle(
        self,
        guild_id: int,
        cycle: int,
        seed: str,
        *,
        avoid_first: str | None,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> None:
        """Make ``cycle`` the guild's current cycle; cycles only move forward."""
        now = iso(self._clock())
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            current = await c._fetchone(
                f"SELECT cycle FROM {t.state} WHERE {t.key} = ?", (guild_id,)
            )
            if current is not None and current["cycle"] >= cycle:
                raise ValueError(
                    f"guild {guild_id} is in cycle {current['cycle']}; cannot start cycle {cycle}"
                )
            await c._execute(
                f"""
                INSERT INTO {t.state} ({t.key}, cycle, seed, avoid_first, started_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT ({t.key}) DO UPDATE SET
                    cycle = excluded.cycle, seed = excluded.seed,
                    avoid_first = excluded.avoid_first, started_at = excluded.started_at
                """,
                (guild_id, cycle, seed, avoid_first, now),
            )

    async def add_cycle_post(
        self,
        guild_id: int,
        cycle: int,
        quote_id: str,
        *,
        conn: StoreConnection | None = None,
        kind: RecipientKind = _GUILD,
    ) -> bool:
        """Record ``quote_id`` as posted in the guild's current ``cycle``; False if it was."""
        now = iso(self._clock())
        t = tables(kind)
        async with self._use(conn, write=True) as c:
            current = await c._fetchone(
                f"SELECT cycle FROM {t.state} WHERE {t.key} = ?", (guild_id,)
            )
            if current is None or current["cycle"] != cycle:
                raise ValueError(f"cycle {cycle} is not guild {guild_id}'s current cycle")
            inserted = await c._execute(
                f"""
                INSERT INTO {t.cycle_posts} ({t.key}, cycle, quote_id, posted_at)
                VALUES (?, ?, ?, ?)
                ON CONFLICT ({t.key}, cycle, quote_id) DO NOTHING
                """,
                (guild_id, cycle, quote_id, now),
            )
        return inserted == 1
