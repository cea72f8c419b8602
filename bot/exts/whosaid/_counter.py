"""The answer counter on a round's message, edited in place and throttled.

A burst of presses must not turn into a burst of edits: Discord allows a channel about five
message edits per five seconds. Each round has at most one refresher task: the first press
edits at once, later presses only mark the round dirty, and the task edits again (with the
count read from the store, so it is always the true count) at most once per
:data:`EDIT_INTERVAL` until nothing changed since its last edit. No per-round state outlives
that task.

The edit itself is the round message's own (``message.edit``, a channel request) where the bot
is in the channel; elsewhere (a round played where only the user installed the app, or in a
group DM) the cog passes an ``edit`` that goes through the interaction that posted the round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.exts.whosaid._round import with_count

log = logging.getLogger("bot.exts.whosaid")

__all__ = ["EDIT_INTERVAL", "CounterRefresher", "Edit"]

#: Puts the round's embed (with the new count) on its message.
Edit = Callable[[discord.Embed], Awaitable[object]]

#: Seconds between two edits of one round's message (Discord: 5 edits / 5 s per channel).
EDIT_INTERVAL = 1.2


class CounterRefresher:
    """Keeps rounds' answer counters current with few edits (see the module doc)."""

    def __init__(
        self,
        count: Callable[[int], Awaitable[int]],
        *,
        interval: float = EDIT_INTERVAL,
    ) -> None:
        self._count = count
        self._interval = interval
        self._closing = asyncio.Event()
        self._dirty: dict[int, tuple[discord.Message, Edit]] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        #: Edits made (for tests and metrics).
        self.edits = 0

    def touch(self, round_id: int, message: discord.Message, edit: Edit | None = None) -> None:
        """The round got an answer: its counter on ``message`` needs refreshing, through
        ``edit`` (default: editing ``message`` in its channel)."""
        self._dirty[round_id] = (message, edit if edit is not None else _channel_edit(message))
        if round_id not in self._tasks:
            self._tasks[round_id] = asyncio.create_task(
                self._run(round_id), name=f"whosaid-counter-{round_id}"
            )

    async def _run(self, round_id: int) -> None:
        try:
            while (dirty := self._dirty.pop(round_id, None)) is not None:
                await self._edit(round_id, *dirty)
                await self._pause()
        finally:
            self._tasks.pop(round_id, None)

    async def _pause(self) -> None:
        """Wait out the interval between two edits (cut short when closing)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), self._interval)

    async def _edit(self, round_id: int, message: discord.Message, edit: Edit) -> None:
        if not message.embeds:
            return
        try:
            answers = await self._count(round_id)
            await edit(with_count(message.embeds[0], answers))
            self.edits += 1
        except discord.HTTPException as exc:
            # A deleted message, or an interaction token that ran out: the counter just stays
            # as it was.
            log.info("could not update round %d's counter: %s", round_id, exc)
        except Exception:
            log.exception("round %d's counter update failed", round_id)

    async def idle(self) -> None:
        """Wait until every pending refresh has been made."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def close(self) -> None:
        """Make the pending refreshes now (no more waiting between edits), then stop."""
        self._closing.set()
        await self.idle()


def _channel_edit(message: discord.Message) -> Edit:
    async def edit(embed: discord.Embed) -> object:
        return await message.edit(embed=embed)

    return edit
