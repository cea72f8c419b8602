"""Which quote a guild's daily digest posts next.

Each guild walks the pack's quotes in cycles: within a cycle every quote is posted once, in a
pseudo-random order fixed by the cycle's seed (``"<guild_id>:<cycle>"``), so the order is the
same in every process and ``/digest preview`` shows exactly what the next post will be. When a
cycle is complete the next one starts with a fresh order that never opens with the quote that
closed the previous cycle.

The order sorts quote ids by ``sha256(seed, id)``: unlike shuffling, adding or removing a quote
keeps every other quote's relative position, so an edited pack only inserts or drops entries.
Quotes removed from the pack are ignored; new quotes join the current cycle.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, NamedTuple

from bot.store import RecipientKind

if TYPE_CHECKING:
    from bot.store import Store, StoreConnection

__all__ = [
    "FIRST_CYCLE",
    "Pick",
    "cycle_order",
    "cycle_seed",
    "next_quote",
    "pick_next",
    "pick_next_in",
    "record_posted",
]

FIRST_CYCLE = 1


class Pick(NamedTuple):
    """The next quote to post and the cycle it belongs to (a new cycle starts on rollover)."""

    quote_id: str
    cycle: int


def cycle_seed(guild_id: int, cycle: int) -> str:
    """The seed of a guild's cycle; stable across processes (never Python's ``hash()``)."""
    return f"{guild_id}:{cycle}"


def _rank(seed: str, quote_id: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{quote_id}".encode()).digest()


def cycle_order(
    seed: str, quote_ids: Iterable[str], *, avoid_first: str | None = None
) -> tuple[str, ...]:
    """The cycle's full order of ``quote_ids``; ``avoid_first`` is moved to the end if it leads."""
    order = sorted(set(quote_ids), key=lambda qid: (_rank(seed, qid), qid))
    if avoid_first is not None and len(order) > 1 and order[0] == avoid_first:
        order.append(order.pop(0))
    return tuple(order)


def pick_next_in(
    guild_id: int,
    cycle: int,
    seed: str,
    quote_ids: Collection[str],
    posted: Collection[str],
    *,
    avoid_first: str | None = None,
    last_posted: str | None = None,
) -> Pick | None:
    """The next quote given a cycle's stored ``seed``, or ``None`` for an empty pack.

    ``avoid_first`` is the quote the current cycle must not open with (the previous cycle's
    last); ``last_posted`` is the current cycle's latest post, avoided by the next cycle's start.
    """
    if not quote_ids:
        return None
    posted_set = set(posted)
    for quote_id in cycle_order(seed, quote_ids, avoid_first=avoid_first):
        if quote_id not in posted_set:
            return Pick(quote_id, cycle)
    next_cycle = cycle + 1
    order = cycle_order(cycle_seed(guild_id, next_cycle), quote_ids, avoid_first=last_posted)
    return Pick(order[0], next_cycle)


def pick_next(
    guild_id: int,
    cycle: int,
    quote_ids: Collection[str],
    posted: Collection[str],
    *,
    avoid_first: str | None = None,
    last_posted: str | None = None,
) -> Pick | None:
    """The next quote for ``guild_id`` in ``cycle`` (seeded by guild and cycle)."""
    return pick_next_in(
        guild_id,
        cycle,
        cycle_seed(guild_id, cycle),
        quote_ids,
        posted,
        avoid_first=avoid_first,
        last_posted=last_posted,
    )


async def next_quote(
    store: Store,
    guild_id: int,
    quote_ids: Collection[str],
    *,
    conn: StoreConnection | None = None,
    kind: RecipientKind = RecipientKind.GUILD,
    canonical: Callable[[str], str | None] | None = None,
) -> Pick | None:
    """The quote the guild's (or, with ``kind``, the user's) next digest will post; read-only,
    so preview == next post.

    ``canonical`` maps a stored quote id to its current key (the catalog's
    ``quotes.canonical``): ids stored under another form — bare, before another summit shared
    the id — still count as posted, so a cycle never repeats a quote across that change."""

    def current(quote_id: str | None) -> str | None:
        if quote_id is None or canonical is None:
            return quote_id
        return canonical(quote_id) or quote_id

    state = await store.cycle_state(guild_id, conn=conn, kind=kind)
    if state is None:
        return pick_next(guild_id, FIRST_CYCLE, quote_ids, ())
    posted = [current(quote_id) or quote_id for quote_id in state.posted]
    return pick_next_in(
        guild_id,
        state.cycle,
        state.seed,
        quote_ids,
        posted,
        avoid_first=current(state.avoid_first),
        last_posted=current(state.last_quote_id),
    )


async def record_posted(
    store: Store,
    guild_id: int,
    pick: Pick,
    *,
    conn: StoreConnection | None = None,
    kind: RecipientKind = RecipientKind.GUILD,
) -> None:
    """Record that ``pick`` (from :func:`next_quote`) was posted, starting its cycle if new.

    Pass ``conn`` to record it in the same transaction as marking the post log ``posted``.
    """
    if conn is None:
        async with store.transaction() as tx:
            await _record(store, guild_id, pick, tx, kind)
    else:
        await _record(store, guild_id, pick, conn, kind)


async def _record(
    store: Store, guild_id: int, pick: Pick, conn: StoreConnection, kind: RecipientKind
) -> None:
    state = await store.cycle_state(guild_id, conn=conn, kind=kind)
    current = state.cycle if state is not None else None
    if current is None or pick.cycle > current:
        previous_last = state.last_quote_id if state is not None else None
        await store.start_cycle(
            guild_id,
            pick.cycle,
            cycle_seed(guild_id, pick.cycle),
            avoid_first=previous_last,
            conn=conn,
            kind=kind,
        )
    elif pick.cycle < current:
        raise ValueError(
            f"quote {pick.quote_id} is for cycle {pick.cycle}, "
            f"but guild {guild_id} is already in cycle {current}"
        )
    await store.add_cycle_post(guild_id, pick.cycle, pick.quote_id, conn=conn, kind=kind)
