"""Channel state and permissions decide what the bot may send (403/404, not violations)."""

from __future__ import annotations

import discord
import pytest

from tests.fakediscord import permissions as perms

from .conftest import Connected


def _text_channel(connected: Connected, name: str) -> discord.TextChannel:
    channel = connected.bot.get_channel(connected.guild.channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_missing_send_messages_is_50013(connected: Connected) -> None:
    fake = connected.fake
    channel = _text_channel(connected, "quotes")
    fake.set_channel_overwrite(
        connected.guild.channel("quotes"), fake.bot_user, deny=perms.SEND_MESSAGES
    )
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("hello")
    assert info.value.code == 50013
    assert fake.violations == []


async def test_bot_cache_follows_permission_changes(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    channel = _text_channel(connected, "quotes")
    me = channel.guild.me
    assert channel.permissions_for(me).send_messages
    fake.set_channel_overwrite(guild.channel("quotes"), fake.bot_user, deny=perms.SEND_MESSAGES)
    await fake.settle()
    assert not channel.permissions_for(me).send_messages
    fake.set_bot_permissions(guild, perms.VIEW_CHANNEL)
    fake.set_role_permissions(guild.everyone, 0)
    await fake.settle()
    assert not channel.guild.me.guild_permissions.embed_links
    fake.delete_channel(guild.channel("general"))
    await fake.settle()
    assert connected.bot.get_channel(guild.channel("quotes").id) is not None
    assert len(channel.guild.text_channels) == 1


async def test_missing_view_channel_is_50001(connected: Connected) -> None:
    fake = connected.fake
    channel = _text_channel(connected, "quotes")
    fake.set_channel_overwrite(
        connected.guild.channel("quotes"), connected.guild, deny=perms.VIEW_CHANNEL
    )
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("hello")
    assert info.value.code == 50001


async def test_embed_needs_embed_links(connected: Connected) -> None:
    fake, guild = connected.fake, connected.guild
    fake.set_role_permissions(guild.everyone, perms.DEFAULT_EVERYONE & ~perms.EMBED_LINKS)
    fake.set_bot_permissions(guild, perms.VIEW_CHANNEL | perms.SEND_MESSAGES)
    channel = _text_channel(connected, "general")
    await channel.send("plain text is fine")
    with pytest.raises(discord.Forbidden):
        await channel.send(embed=discord.Embed(title="needs EMBED_LINKS"))


async def test_deleted_channel_is_10003(connected: Connected) -> None:
    fake = connected.fake
    channel = _text_channel(connected, "quotes")
    fake.delete_channel(connected.guild.channel("quotes"))
    with pytest.raises(discord.NotFound) as info:
        await channel.send("gone")
    assert info.value.code == 10003


def test_permission_algorithm() -> None:
    guild_id, member_id, role_id = 1, 2, 3
    base = perms.base_permissions(
        everyone=perms.VIEW_CHANNEL | perms.SEND_MESSAGES,
        role_permissions=[perms.EMBED_LINKS],
        is_owner=False,
    )
    overwrites = {
        guild_id: perms.Overwrite(guild_id, 0, deny=perms.SEND_MESSAGES),
        role_id: perms.Overwrite(role_id, 0, allow=perms.SEND_MESSAGES),
    }
    with_role = perms.channel_permissions(
        base,
        guild_id=guild_id,
        member_id=member_id,
        member_role_ids=[role_id],
        overwrites=overwrites,
    )
    assert with_role & perms.SEND_MESSAGES
    without = perms.channel_permissions(
        base, guild_id=guild_id, member_id=member_id, member_role_ids=[], overwrites=overwrites
    )
    assert not without & perms.SEND_MESSAGES
    assert not without & perms.EMBED_LINKS  # lost with SEND_MESSAGES
    admin = perms.base_permissions(
        everyone=perms.ADMINISTRATOR, role_permissions=[], is_owner=False
    )
    assert admin == perms.ALL


async def test_history_without_read_message_history_is_an_empty_list_not_403(
    connected: Connected,
) -> None:
    """Discord documents it so: no READ_MESSAGE_HISTORY → GET messages answers 200 with no
    messages (a single message by id is still 403)."""
    fake = connected.fake
    channel = _text_channel(connected, "quotes")
    sent = await channel.send("hello")
    assert [m.id async for m in channel.history(limit=10)] == [sent.id]
    fake.set_channel_overwrite(
        connected.guild.channel("quotes"), fake.bot_user, deny=perms.READ_MESSAGE_HISTORY
    )
    assert [m.id async for m in channel.history(limit=10)] == []
    with pytest.raises(discord.Forbidden) as info:
        await channel.fetch_message(sent.id)
    assert info.value.code == 50013
    assert fake.violations == []
