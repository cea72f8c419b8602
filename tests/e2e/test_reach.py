"""Anywhere a conversation happens: the app used through a user install in a guild the bot is
not in, in the bot's DMs and in group DMs; and `/mydigest`, a personal daily quote by DM.

The real bot against the fake Discord (``tests/fakediscord/reach.py`` plays the places). The
commands are synced globally, as in production (a guild command exists in its guild alone).
Where the bot is not, any channel request of the bot is refused by the fake and recorded as a
violation, which fails the test at teardown: the bot must answer through the interaction alone.

Time for `/mydigest` is driven, never waited for: the digest's clock is a virtual clock set
twelve hours from the real time (so no real scheduler fire interferes) and a due post is fired
through the service's personal job function.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import SummitBot
from bot.i18n import t
from bot.store import DisableReason, PostStatus, RecipientKind
from tests.e2e.conftest import Summit, VirtualClock, restarted, running_summit, service
from tests.e2e.test_commands import button_by_label, embed_text
from tests.fakediscord import FakeDiscord, Message, User
from tests.fakediscord.reach import (
    BOT_DM,
    GUILD,
    GUILD_INSTALL,
    PRIVATE_CHANNEL,
    USER_INSTALL,
    NotOffered,
    Place,
    Reach,
)

USER_KIND = RecipientKind.USER


@pytest.fixture
async def summit(
    fake_discord: FakeDiscord, tmp_path: Path, clock: VirtualClock
) -> AsyncIterator[Summit]:
    """The bot with its commands synced globally, its startup catch-up done, the digest clock
    twelve hours ahead of real time (whole minutes)."""
    clock.now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(hours=12)
    async with running_summit(fake_discord, tmp_path) as running:
        await running.bot.tree.sync()
        startup = service(running.bot).startup
        assert startup is not None
        await asyncio.wait_for(startup, 10)
        yield running


@pytest.fixture
def reach(summit: Summit) -> Reach:
    return Reach(summit.fake)


def places(reach: Reach, summit: Summit) -> dict[str, Place]:
    return {
        "foreign guild": reach.foreign_guild("Elsewhere AI", members=["zoe", summit.member]),
        "bot DM": reach.bot_dm(summit.member),
        "group DM": reach.group_dm(summit.member, "zoe", "yan"),
    }


def dm_messages(fake: FakeDiscord, user: User) -> list[Message]:
    channel = fake.dm_channel(user)
    return [m for m in fake.channel_messages(channel) if m.author.id == fake.bot_user.id]


def channel_posts(fake: FakeDiscord, channel_id: int) -> list[Any]:
    return [
        r
        for r in fake.requests
        if r.method == "POST"
        and r.template == "/channels/{channel_id}/messages"
        and r.path.endswith(f"/channels/{channel_id}/messages")
    ]


# --- install types and contexts --------------------------------------------------------------


async def test_global_sync_carries_install_types_and_contexts(summit: Summit) -> None:
    commands = {c["name"]: c for c in summit.fake.registered_commands(None)}
    everywhere = [
        "quote",
        "quotes",
        "speaker",
        "speakers",
        "glossary",
        "summit",
        "help",
        "Explain terms",
        "mydigest",
        "whosaid",
    ]
    for name in everywhere:
        assert commands[name]["integration_types"] == [GUILD_INSTALL, USER_INSTALL], name
        assert commands[name]["contexts"] == [GUILD, BOT_DM, PRIVATE_CHANNEL], name
    for name in ("digest", "admin"):
        assert commands[name]["integration_types"] == [GUILD_INSTALL], name
        assert commands[name]["contexts"] == [GUILD], name
    assert set(commands) == {*everywhere, "digest", "admin"}


@pytest.mark.parametrize("where", ["foreign guild", "bot DM", "group DM"])
async def test_read_only_commands_answer_where_the_bot_is_not(
    summit: Summit, reach: Reach, where: str
) -> None:
    place = places(reach, summit)[where]
    user = summit.member
    glossary = await reach.slash(place, user, "glossary", {"term": "rlvr"})
    assert glossary.responded
    assert "verifiable" in embed_text(glossary.embeds[0]).lower()

    explained = await reach.message_command(
        place, user, "Explain terms", "We tried RLVR and Muon last week.", author="zoe"
    )
    assert explained.ephemeral
    assert "RLVR" in embed_text(explained.embeds[0])

    quote = await reach.slash(place, user, "quote", {"speaker": "tangjie"})
    assert quote.responded
    assert quote.message is not None
    another = button_by_label(quote, "Another")
    clicked = await reach.click(place, quote.message, another["custom_id"], user)
    assert clicked.responded
    assert clicked.embeds

    for name in ("summit", "help", "speakers"):
        assert (await reach.slash(place, user, name)).responded, name
    assert await reach.autocomplete(place, user, "glossary", {"term": "rl"}, "term")

    # Server administration is not offered there.
    with pytest.raises(NotOffered):
        await reach.slash(place, user, "digest status")
    with pytest.raises(NotOffered):
        await reach.slash(place, user, "admin reload")
    if place.guild is not None:
        assert summit.bot.get_guild(place.guild.id) is None, "no guild object in the cache"
    # Only the interaction reached the place: no channel request (the fake refuses those).
    assert channel_posts(summit.fake, place.channel.id) == []


async def test_answers_a_server_keeps_private_still_work_with_their_buttons(
    summit: Summit, reach: Reach
) -> None:
    place = reach.foreign_guild("Strict AI", members=[summit.member], private_answers=True)
    quote = await reach.slash(place, summit.member, "quote", {"speaker": "tangjie"})
    assert quote.ephemeral, "the server forced it private"
    assert quote.message is not None
    another = button_by_label(quote, "Another")
    clicked = await reach.click(place, quote.message, another["custom_id"], summit.member)
    assert clicked.responded
    assert clicked.embeds
    glossary = await reach.slash(place, summit.member, "glossary", {"term": "Muon"})
    assert glossary.ephemeral
    assert "Muon" in embed_text(glossary.embeds[0])


async def test_guild_install_commands_in_the_bots_dm(summit: Summit, reach: Reach) -> None:
    place = reach.bot_dm(summit.member)
    result = await reach.slash(place, summit.member, "glossary", {"term": "MoE"}, install=0)
    assert result.responded
    with pytest.raises(NotOffered):
        await reach.slash(place, summit.member, "digest status", install=0)


@pytest.mark.parametrize("where", ["foreign guild", "bot DM", "group DM"])
async def test_whosaid_plays_answers_and_counts_where_the_bot_is_not(
    summit: Summit, reach: Reach, where: str
) -> None:
    place = places(reach, summit)[where]
    bot = summit.bot
    round_message = await reach.slash(place, summit.member, "whosaid play")
    assert round_message.responded
    assert not round_message.ephemeral
    assert round_message.message is not None
    ids = [c for c in round_message.custom_ids() if c.startswith("ws:")]
    round_id = int(ids[0].split(":")[1])
    round_ = await bot.store.get_round(round_id)
    assert round_ is not None
    right = bot.catalog.quotes[round_.quote_id].speaker
    players = [summit.member, "zoe"] if where != "bot DM" else [summit.member]
    for player in players:
        pressed = await reach.click(place, round_message.message, f"ws:{round_id}:{right}", player)
        assert pressed.responded
        assert pressed.ephemeral
        assert "right" in pressed.content.lower()
    cog = bot.get_cog("WhoSaid")
    assert cog is not None
    await asyncio.wait_for(cog.counter.idle(), 10)  # type: ignore[attr-defined]
    assert round_message.message.embeds[0]["fields"][0]["value"] == str(len(players))
    edits = {r.template for r in summit.fake.requests if r.method == "PATCH"}
    if where == "bot DM":
        # The bot's own DM: it edits its message there like in a guild channel.
        assert edits == {"/channels/{channel_id}/messages/{message_id}"}
    else:
        # Where the bot is not: through the round's own interaction (its response).
        assert edits == {"/webhooks/{webhook_id}/{webhook_token}/messages/@original"}

    stats = await reach.slash(place, summit.member, "whosaid stats")
    assert stats.ephemeral
    assert stats.embeds
    if place.guild is not None:
        # The guild's top ten comes from the store alone: no guild object is needed.
        assert bot.get_guild(place.guild.id) is None
        top = embed_text(stats.embeds[0])
        assert f"<@{summit.member.id}>" in top
    assert channel_posts(summit.fake, place.channel.id) == []


# --- /mydigest -------------------------------------------------------------------------------


def minute_ahead(clock: VirtualClock) -> tuple[str, dt.datetime]:
    due = clock.now + dt.timedelta(minutes=1)
    return due.strftime("%H:%M"), due


async def set_mydigest(
    reach: Reach, place: Place, user: User | str, hhmm: str, zone: str = "UTC"
) -> Any:
    result = await reach.slash(place, user, "mydigest set", {"time": hhmm, "timezone": zone})
    assert result.responded
    assert result.ephemeral
    return result


async def fire_personal(bot: SummitBot, user: User) -> None:
    await service(bot).post_user_due(user.id)


@contextlib.asynccontextmanager
async def restarted_with_catch_up(summit: Summit) -> AsyncIterator[SummitBot]:
    """`restarted`, once the new bot's digest catch-up ran."""
    async with restarted(summit) as bot:
        startup = service(bot).startup
        assert startup is not None
        await asyncio.wait_for(startup, 10)
        yield bot


async def test_mydigest_a_minute_ahead_sends_exactly_one_dm_even_across_a_restart(
    summit: Summit, reach: Reach, clock: VirtualClock
) -> None:
    user = summit.member
    place = reach.group_dm(user, "zoe")  # set up from a group DM: works from any context
    hhmm, due = minute_ahead(clock)
    answer = await set_mydigest(reach, place, user, hhmm)
    assert hhmm in answer.content
    personal = service(summit.bot).personal_scheduler
    assert personal is not None
    assert personal.scheduled_guilds() == [user.id]

    await fire_personal(summit.bot, user)  # a minute early: nothing due today yet
    assert dm_messages(summit.fake, user) == []

    clock.now = due
    await fire_personal(summit.bot, user)
    (dm,) = dm_messages(summit.fake, user)
    assert dm.embeds
    assert dm.embeds[0]["footer"]["text"]
    # The daily post's buttons (another quote, the speaker's profile, the source), then Stop.
    buttons = [c for row in dm.components for c in row["components"]]
    assert [c.get("label") for c in buttons[:3]] == [
        t(f"buttons.{key}", "en") for key in ("another_quote", "speaker_profile", "source")
    ]
    assert buttons[3]["custom_id"] == f"mydigest:stop:{user.id}"
    ids = [c["custom_id"] for c in buttons if "custom_id" in c]
    assert len(set(ids)) == len(ids) == 3
    await fire_personal(summit.bot, user)
    assert len(dm_messages(summit.fake, user)) == 1

    opened = [r for r in summit.fake.requests if r.template == "/users/@me/channels"]
    assert len(opened) == 1

    clock.now = due + dt.timedelta(minutes=5)
    async with restarted_with_catch_up(summit) as bot:
        await fire_personal(bot, user)
        assert len(dm_messages(summit.fake, user)) == 1, "none after a restart that same day"
        row = await bot.store.last_post(user.id, kind=USER_KIND)
        assert row is not None
        assert (row.status, row.message_id) == (PostStatus.POSTED, dm.id)
        status = await reach.slash(reach.bot_dm(user), user, "mydigest status")
        assert status.ephemeral
        assert "on" in status.content
        assert f"/channels/@me/{dm.channel_id}/{dm.id}" in status.content
        # Tomorrow: the stored DM channel is reused; no second POST /users/@me/channels.
        clock.now = due + dt.timedelta(days=1)
        await fire_personal(bot, user)
        assert len(dm_messages(summit.fake, user)) == 2
        opened = [r for r in summit.fake.requests if r.template == "/users/@me/channels"]
        assert len(opened) == 1


async def test_the_stop_button_ends_the_personal_digest(
    summit: Summit, reach: Reach, clock: VirtualClock
) -> None:
    user = summit.member
    place = reach.bot_dm(user)
    hhmm, due = minute_ahead(clock)
    await set_mydigest(reach, place, user, hhmm)
    clock.now = due
    await fire_personal(summit.bot, user)
    (dm,) = dm_messages(summit.fake, user)
    # The daily post's buttons answer in the DM too.
    another, profile = [c["custom_id"] for c in dm.components[0]["components"][:2]]
    for custom_id in (another, profile):
        answered = await reach.click(place, dm, custom_id, user)
        assert answered.ephemeral
        assert answered.embeds
    stopped = await reach.click(place, dm, f"mydigest:stop:{user.id}", user)
    assert stopped.ephemeral
    assert "off" in stopped.content
    settings = await summit.bot.store.get_user_settings(user.id)
    assert settings is not None
    assert (settings.enabled, settings.disabled_reason) == (False, DisableReason.USER)
    personal = service(summit.bot).personal_scheduler
    assert personal is not None
    assert personal.scheduled_guilds() == []
    clock.now = due + dt.timedelta(days=1)
    await fire_personal(summit.bot, user)
    assert len(dm_messages(summit.fake, user)) == 1
    status = await reach.slash(place, user, "mydigest status")
    assert "you turned it off" in status.content


async def test_closed_dms_pause_with_the_reason_and_nothing_retries(
    summit: Summit, reach: Reach, clock: VirtualClock
) -> None:
    user = summit.fake.add_user("shy")
    reach.close_dms(user)
    place = reach.foreign_guild("Elsewhere AI", members=[user])
    hhmm, due = minute_ahead(clock)
    await set_mydigest(reach, place, user, hhmm)
    clock.now = due
    await fire_personal(summit.bot, user)
    settings = await summit.bot.store.get_user_settings(user.id)
    assert settings is not None
    assert (settings.enabled, settings.disabled_reason) == (False, DisableReason.CANNOT_DM)
    dm = summit.fake.dm_channel(user)
    assert len(channel_posts(summit.fake, dm.id)) == 1, "a refusal is not retried"

    status = await reach.slash(place, user, "mydigest status")
    assert status.ephemeral
    assert "won't let me send you a DM" in status.content
    assert "allow direct messages" in status.content

    # Later fires (the job is gone; even a direct call) try nothing.
    clock.now = due + dt.timedelta(days=1)
    await fire_personal(summit.bot, user)
    personal = service(summit.bot).personal_scheduler
    assert personal is not None
    assert personal.scheduled_guilds() == []
    assert len(channel_posts(summit.fake, dm.id)) == 1

    # The user opens their DMs: `/mydigest now` resumes and sends today's quote.
    summit.fake.closed_dms.discard(user.id)
    now = await reach.slash(place, user, "mydigest now")
    await now.wait_followups(1)
    assert len(dm_messages(summit.fake, user)) == 1
    assert personal.scheduled_guilds() == [user.id]


async def test_mydigest_without_a_subscription_says_how_to_start(
    summit: Summit, reach: Reach
) -> None:
    place = reach.bot_dm(summit.member)
    for name in ("mydigest status", "mydigest off", "mydigest now"):
        result = await reach.slash(place, summit.member, name)
        assert result.ephemeral
        assert "/mydigest set" in result.content, name


async def test_mydigest_set_refuses_a_bad_time_privately(summit: Summit, reach: Reach) -> None:
    place = reach.group_dm(summit.member, "zoe")
    result = await reach.slash(
        place, summit.member, "mydigest set", {"time": "25:99", "timezone": "UTC"}
    )
    assert result.ephemeral
    assert "isn't a time" in result.content
    assert await summit.bot.store.get_user_settings(summit.member.id) is None
    choices = await reach.autocomplete(
        place, summit.member, "mydigest set", {"timezone": "shang"}, "timezone"
    )
    assert any(c["value"] == "Asia/Shanghai" for c in choices)


async def test_a_dm_due_while_the_bot_was_down_is_sent_at_startup(
    summit: Summit, reach: Reach, clock: VirtualClock
) -> None:
    user = summit.member
    hhmm, due = minute_ahead(clock)
    await set_mydigest(reach, reach.bot_dm(user), user, hhmm)
    clock.now = due + dt.timedelta(hours=1)  # down over the due minute, back within grace
    async with restarted_with_catch_up(summit) as bot:
        assert len(dm_messages(summit.fake, user)) == 1
        row = await bot.store.last_post(user.id, kind=USER_KIND)
        assert row is not None
        assert row.status is PostStatus.POSTED
        await fire_personal(bot, user)
        assert len(dm_messages(summit.fake, user)) == 1
