""" "Who said it?": a public round guessing the speaker of a summit quote.

- :mod:`._cog`: the ``WhoSaid`` cog: ``/whosaid play``, ``/whosaid stats``, answering presses
- :mod:`._items`: the persistent answer and profile buttons (``DynamicItem``)
- :mod:`._round`: the round's embed (speaker hidden), the private answer
- :mod:`._counter`: the round's answer counter, edited in place and throttled

The rules (give-aways, masking, answer choices) are Discord-free, in :mod:`bot.whosaid`; the
rounds, answers and scores live in the store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.exts.whosaid._cog import WhoSaid

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = ["WhoSaid", "setup"]


async def setup(bot: SummitBot) -> None:
    await bot.add_cog(WhoSaid(bot))
