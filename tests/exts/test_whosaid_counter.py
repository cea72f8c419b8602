"""The round's answer counter: a burst of presses becomes few edits, the last one correct."""

from __future__ import annotations

import asyncio
from unittest.mock import AsyncMock, create_autospec

import aiohttp
import discord

from bot.exts.whosaid._counter import CounterRefresher


def round_message() -> discord.Message:
    message = create_autospec(discord.Message, instance=True)
    embed = discord.Embed(title="Who said it?")
    embed.add_field(name="Answers", value="0")
    message.embeds = [embed]
    message.edit = AsyncMock()
    return message


async def test_a_burst_becomes_one_edit_now_and_one_after_the_interval() -> None:
    answered = 0

    async def count(round_id: int) -> int:
        return answered

    refresher = CounterRefresher(count, interval=0.05)
    message = round_message()
    for _ in range(100):
        answered += 1
        refresher.touch(1, message)
        await asyncio.sleep(0)  # presses interleave with the refresher
    await refresher.idle()
    assert 1 <= message.edit.await_count <= 2
    last = message.edit.await_args
    assert last is not None
    assert last.kwargs["embed"].fields[0].value == "100"
    assert last.kwargs["embed"].fields[0].name == "Answers"


async def test_rounds_refresh_independently_and_failures_are_contained() -> None:
    async def count(round_id: int) -> int:
        return round_id * 10

    refresher = CounterRefresher(count, interval=0.01)
    ok, gone = round_message(), round_message()
    response = create_autospec(aiohttp.ClientResponse, instance=True)
    response.status, response.reason = 404, "Not Found"
    gone.edit.side_effect = discord.NotFound(response, "Unknown Message")
    refresher.touch(1, ok)
    refresher.touch(2, gone)
    await refresher.close()
    assert ok.edit.await_args.kwargs["embed"].fields[0].value == "10"
    assert refresher.edits == 1


async def test_an_edit_given_with_the_press_replaces_the_channel_edit() -> None:
    # Where the bot is not in the channel, the cog edits through the round's interaction.
    async def count(round_id: int) -> int:
        return 3

    refresher = CounterRefresher(count, interval=0.01)
    message = round_message()
    through_interaction = AsyncMock()
    refresher.touch(1, message, through_interaction)
    await refresher.close()
    message.edit.assert_not_awaited()
    (embed,) = through_interaction.await_args.args
    assert embed.fields[0].value == "3"
    assert refresher.edits == 1
