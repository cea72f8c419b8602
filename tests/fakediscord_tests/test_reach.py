"""The fake's places where the bot is not (reach.py): what the interactions carry, what
Discord would not offer there, channel requests refused, DMs closed with 50007."""

from __future__ import annotations

import discord
import pytest

from tests.fakediscord.reach import (
    BOT_DM,
    GUILD,
    PRIVATE_CHANNEL,
    USER_APP_PERMISSIONS,
    USER_INSTALL,
    NotOffered,
    Reach,
    offered,
)

from .conftest import Connected


async def test_a_user_install_in_a_foreign_guild_carries_what_discord_sends(
    connected: Connected,
) -> None:
    fake = connected.fake
    # BareBot syncs /ping to its guild only; give it a global command with every context.
    fake.overwrite_commands(
        None,
        [
            {
                "name": "ping",
                "description": "Ping",
                "integration_types": [0, 1],
                "contexts": [0, 1, 2],
            }
        ],
    )
    reach = Reach(fake)
    place = reach.foreign_guild("Elsewhere", members=["zoe"])
    result = await reach.slash(place, "zoe", "ping")
    assert result.responded
    payload = result.payload
    zoe = fake._user("zoe")
    assert payload["context"] == GUILD
    assert payload["authorizing_integration_owners"] == {str(USER_INSTALL): str(zoe.id)}
    assert payload["app_permissions"] == str(USER_APP_PERMISSIONS)
    assert place.guild is not None
    assert payload["guild_id"] == str(place.guild.id)
    assert "member" in payload
    assert "user" not in payload
    assert connected.bot.get_guild(int(payload["guild_id"])) is None
    group = reach.group_dm("zoe", "alice")
    in_group = await reach.slash(group, "zoe", "ping")
    assert in_group.payload["context"] == PRIVATE_CHANNEL
    assert in_group.payload["channel"]["type"] == 3
    assert "guild_id" not in in_group.payload
    dm = await reach.slash(reach.bot_dm("zoe"), "zoe", "ping", install=0)
    assert dm.payload["context"] == BOT_DM
    assert dm.payload["authorizing_integration_owners"] == {"0": "0"}


async def test_a_command_is_offered_only_where_its_contexts_and_installs_say(
    connected: Connected,
) -> None:
    fake = connected.fake
    (command,) = fake.overwrite_commands(
        None,
        [{"name": "ping", "description": "Ping", "integration_types": [0], "contexts": [0]}],
    )
    assert offered(command, GUILD, 0)
    assert not offered(command, GUILD, USER_INSTALL)
    assert not offered(command, BOT_DM, 0)
    reach = Reach(fake)
    with pytest.raises(NotOffered):
        await reach.slash(reach.foreign_guild("Elsewhere"), "alice", "ping")


async def test_channel_requests_where_the_bot_is_not_are_refused_as_violations(
    connected: Connected,
) -> None:
    fake = connected.fake
    reach = Reach(fake)
    for place in (reach.foreign_guild("Elsewhere"), reach.group_dm("alice", "bob")):
        channel = connected.bot.get_partial_messageable(place.channel.id)
        with pytest.raises(discord.Forbidden) as info:
            await channel.send("hello")
        assert info.value.code == 50001
    refused = fake.take_violations()
    assert len(refused) == 2


async def test_closed_dms_answer_50007_and_the_dm_channel_still_opens(
    connected: Connected,
) -> None:
    fake = connected.fake
    reach = Reach(fake)
    reach.close_dms("bob")
    bob = fake._user("bob")
    data = await connected.bot.http.start_private_message(bob.id)
    assert int(data["id"]) == fake.dm_channel(bob).id
    channel = connected.bot.get_partial_messageable(
        int(data["id"]), type=discord.ChannelType.private
    )
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("hello")
    assert info.value.code == 50007
    assert fake.violations == []
    fake.closed_dms.discard(bob.id)
    assert (await channel.send("hello")).id
