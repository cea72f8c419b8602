"""Interactions from where the bot is not: user installs, the bot's DMs, group DMs.

Discord lets a person install an app to their account and use its commands anywhere: in a
server that never invited the bot, in the bot's DMs, in group DMs. The interaction then says
where it happened (``context``: 0 guild, 1 bot DM, 2 group DM / private channel) and who
authorized the app there (``authorizing_integration_owners``: ``{"0": guild_id}`` for a guild
install, ``{"1": user_id}`` for a user install), and ``app_permissions`` are what Discord
grants a user-installed app, not the bot's roles. Such a guild has no GUILD_CREATE, so the
bot's cache has no guild object for it.

:class:`Reach` plays these places on a :class:`~tests.fakediscord.server.FakeDiscord`:

- ``foreign_guild(name, members=..., private_answers=False)``: a guild the bot is not in
  (channels the fake knows, so interaction responses land there; any channel request of the
  bot there is refused with 403/50001 and recorded as a violation: only the interaction reaches
  it). With ``private_answers`` the server keeps user-installed apps' answers ephemeral: every
  message an interaction there makes is ephemeral, whatever the bot asked;
- ``group_dm(*users)``: a group DM (type 3), likewise closed to channel requests;
- ``bot_dm(user)``: the user's DM with the bot;
- ``slash`` / ``autocomplete`` / ``message_command`` / ``click`` in a :class:`Place`, as a
  user install (default) or a guild install. A command Discord would not offer there (its
  ``contexts`` / ``integration_types`` exclude the place) raises :class:`NotOffered`, as the
  client never shows it;
- ``close_dms(user)``: the user doesn't accept DMs from the bot: sending to their DM channel
  answers 403 with code 50007 ("Cannot send messages to this user").
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import permissions as perms
from .interactions import click_data
from .kinds import APPLICATION_COMMAND, AUTOCOMPLETE, MESSAGE_COMPONENT
from .limits import MESSAGE_COMMAND
from .results import InteractionResult, InteractionTimeout
from .state import Channel, Command, Guild, Member, Message, Role, User

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON = dict[str, Any]

__all__ = [
    "BOT_DM",
    "GUILD",
    "GUILD_INSTALL",
    "PRIVATE_CHANNEL",
    "USER_APP_PERMISSIONS",
    "USER_INSTALL",
    "GroupDM",
    "NotOffered",
    "Place",
    "Reach",
    "offered",
]

# Interaction contexts (Discord's InteractionContextType).
GUILD = 0
BOT_DM = 1
PRIVATE_CHANNEL = 2

# Installation types (Discord's ApplicationIntegrationType).
GUILD_INSTALL = 0
USER_INSTALL = 1

GROUP_DM_TYPE = 3

#: What Discord grants a user-installed app in a channel of a guild it is not in, and in group
#: DMs: it can attach files, embed links and use external emojis in its own responses.
USER_APP_PERMISSIONS = (
    perms.ATTACH_FILES | perms.EMBED_LINKS | perms.MENTION_EVERYONE | perms.USE_EXTERNAL_EMOJIS
)


class NotOffered(LookupError):
    """Discord would not show this command here (its contexts or install types exclude it)."""


@dataclass(eq=False)
class GroupDM(Channel):
    """A group DM: a few users, never the bot (bots cannot be members of group DMs)."""

    members: list[User] = field(default_factory=list)

    def to_json(self) -> JSON:
        return {
            "id": str(self.id),
            "type": GROUP_DM_TYPE,
            "name": None,
            "icon": None,
            "owner_id": str(self.members[0].id) if self.members else None,
            "last_message_id": None if self.last_message_id is None else str(self.last_message_id),
            "flags": 0,
            "recipients": [u.to_json() for u in self.members],
        }


@dataclass(eq=False)
class Place:
    """Where an interaction happens: a context, its channel, and (context 0) the guild.

    ``private_answers``: the server makes user-installed apps' answers ephemeral for everyone
    (a server setting Discord applies to apps the server did not install).
    """

    context: int
    channel: Channel
    guild: Guild | None = None
    private_answers: bool = False


def offered(command: Command, context: int, install: int) -> bool:
    """Whether Discord shows ``command`` in ``context`` to an app installed as ``install``
    (unset ``contexts``: everywhere; unset ``integration_types``: guild install only)."""
    contexts = command.payload.get("contexts") or [GUILD, BOT_DM, PRIVATE_CHANNEL]
    installs = command.payload.get("integration_types") or [GUILD_INSTALL]
    return context in contexts and install in installs


class Reach:
    """User-install places and interactions on a fake Discord (see the module doc)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        #: Guilds the bot is not in, by id (never dispatched; the fake's REST refuses them).
        self.foreign: dict[int, Guild] = {}

    # --- places ------------------------------------------------------------------------------

    def foreign_guild(
        self,
        name: str,
        *,
        locale: str = "en-US",
        channels: list[str] | None = None,
        members: list[User | str] | None = None,
        private_answers: bool = False,
    ) -> Place:
        """A guild the bot is not in; the place is its first text channel."""
        fake = self.fake
        owner = fake._user((members or ["owner-" + name])[0])
        guild = Guild(fake.ids.next(), name, owner.id, preferred_locale=locale)
        guild.roles[guild.id] = Role(guild.id, guild.id, "@everyone", perms.DEFAULT_EVERYONE)
        for position, channel_name in enumerate(channels or ["general"]):
            channel = Channel(fake.ids.next(), channel_name, guild_id=guild.id, position=position)
            guild.channels[channel.id] = channel
            fake.channels[channel.id] = channel
        for user in [owner, *(fake._user(m) for m in members or [])]:
            guild.members.setdefault(user.id, Member(user, guild.id, roles=[]))
        self.foreign[guild.id] = guild
        return Place(GUILD, guild.text_channels[0], guild, private_answers=private_answers)

    def group_dm(self, *users: User | str) -> Place:
        """A group DM of ``users`` (the bot is never in one)."""
        fake = self.fake
        channel = GroupDM(
            fake.ids.next(), "", type=GROUP_DM_TYPE, members=[fake._user(u) for u in users]
        )
        fake.channels[channel.id] = channel
        return Place(PRIVATE_CHANNEL, channel)

    def bot_dm(self, user: User | str) -> Place:
        """The user's DM channel with the bot."""
        return Place(BOT_DM, self.fake.dm_channel(self.fake._user(user)))

    def close_dms(self, user: User | str) -> None:
        """The user accepts no DMs from the bot: a send to their DM channel gets 50007."""
        self.fake.closed_dms.add(self.fake._user(user).id)

    # --- interactions --------------------------------------------------------------------

    def _payload(
        self, itype: int, data: JSON, place: Place, user: User, locale: str, install: int
    ) -> JSON:
        fake = self.fake
        channel = place.channel
        payload: JSON = {
            "id": str(fake.ids.next()),
            "application_id": str(fake.application_id),
            "type": itype,
            "data": data,
            "channel_id": str(channel.id),
            "channel": channel.to_json(),
            "token": "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48),
            "version": 1,
            "locale": locale,
            "context": place.context,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        owners: JSON = {}
        if install == USER_INSTALL:
            owners[str(USER_INSTALL)] = str(user.id)
        guild = place.guild
        if guild is not None:
            if install == GUILD_INSTALL:
                owners[str(GUILD_INSTALL)] = str(guild.id)
            member = guild.members.get(user.id)
            if member is None:
                member = guild.members[user.id] = Member(user, guild.id, roles=[])
            member_json = member.to_json()
            member_json["permissions"] = str(guild.channel_permissions(member, channel))
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": guild.preferred_locale, "features": []},
                guild_locale=guild.preferred_locale,
                member=member_json,
            )
        else:
            payload["user"] = user.to_json()
            if install == GUILD_INSTALL and place.context == BOT_DM:
                owners[str(GUILD_INSTALL)] = "0"  # a guild install, used in the bot's DM
        payload["authorizing_integration_owners"] = owners
        bot_here = guild is not None and guild.id in fake.guilds
        if place.context == BOT_DM or bot_here:
            payload["app_permissions"] = str(fake.bot_channel_permissions(channel))
        else:
            payload["app_permissions"] = str(USER_APP_PERMISSIONS)
        return payload

    async def _send(
        self,
        itype: int,
        data: JSON,
        place: Place,
        user: User | str,
        *,
        locale: str,
        install: int,
        command: Command | None = None,
        source_message: Message | None = None,
        wait: bool = True,
    ) -> InteractionResult:
        fake = self.fake
        u = fake._user(user)
        if command is not None and not offered(command, place.context, install):
            raise NotOffered(
                f"Discord does not offer {command.name!r} in context {place.context} "
                f"to a {'user' if install == USER_INSTALL else 'guild'} install"
            )
        payload = self._payload(itype, data, place, u, locale, install)
        if source_message is not None:
            payload["message"] = source_message.to_json()
        result = InteractionResult(
            id=int(payload["id"]),
            token=payload["token"],
            type=itype,
            payload=payload,
            guild=None,  # no guild the bot is in
            channel=place.channel,
            user=u,
            created_at=fake.clock.monotonic(),
            command=command,
            source_message=source_message,
            forced_ephemeral=place.private_answers and install == USER_INSTALL,
        )
        # Interactions from outside the bot's guilds arrive on shard 0 (as DMs do).
        if not fake.gateway.shard_ready(0):
            raise RuntimeError("the bot is not connected on shard 0")
        fake.interactions[result.id] = result
        fake._by_token[result.token] = result
        result.sent_perf = time.perf_counter()
        await fake.gateway.dispatch(0, "INTERACTION_CREATE", payload)
        return await fake._await_initial(result) if wait else result

    async def slash(
        self,
        place: Place,
        user: User | str,
        name: str,
        options: Mapping[str, object] | None = None,
        *,
        locale: str = "en-US",
        install: int = USER_INSTALL,
        wait: bool = True,
    ) -> InteractionResult:
        """``/name`` (global commands only: a guild command exists in its guild alone)."""
        cmd, data = self.fake._chat_input_data(None, None, name, options or {}, focused=None)
        return await self._send(
            APPLICATION_COMMAND,
            data,
            place,
            user,
            locale=locale,
            install=install,
            command=cmd,
            wait=wait,
        )

    async def autocomplete(
        self,
        place: Place,
        user: User | str,
        name: str,
        options: Mapping[str, object],
        focused: str,
        *,
        locale: str = "en-US",
        install: int = USER_INSTALL,
    ) -> list[JSON]:
        cmd, data = self.fake._chat_input_data(None, None, name, options, focused=focused)
        result = await self._send(
            AUTOCOMPLETE, data, place, user, locale=locale, install=install, command=cmd
        )
        if not result.responded:
            raise InteractionTimeout(f"no autocomplete answer for /{name} ({result.describe()})")
        return result.choices

    async def message_command(
        self,
        place: Place,
        user: User | str,
        name: str,
        content: str,
        *,
        author: User | str | None = None,
        locale: str = "en-US",
        install: int = USER_INSTALL,
    ) -> InteractionResult:
        """The message menu ``name`` on a message ``author`` (default ``user``) writes there."""
        cmd = self.fake.find_command(None, name, MESSAGE_COMMAND)
        target = self.fake.post_user_message(place.channel, author or user, content)
        data: JSON = {
            "id": str(cmd.id),
            "name": cmd.name,
            "type": MESSAGE_COMMAND,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): target.to_json()}},
        }
        return await self._send(
            APPLICATION_COMMAND, data, place, user, locale=locale, install=install, command=cmd
        )

    async def click(
        self,
        place: Place,
        message: Message,
        custom_id: str,
        user: User | str,
        *,
        locale: str = "en-US",
        install: int = USER_INSTALL,
    ) -> InteractionResult:
        """Press the button ``custom_id`` on ``message`` (a message of this place)."""
        data = click_data(message, custom_id)
        return await self._send(
            MESSAGE_COMPONENT,
            data,
            place,
            user,
            locale=locale,
            install=install,
            source_message=message,
        )
