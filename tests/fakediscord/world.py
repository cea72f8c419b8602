"""The fake's world: users, guilds, channels, members, permissions, messages, commands.

:class:`World` holds the helpers tests describe a scenario with (``add_guild``,
``add_member``, ``set_channel_overwrite``, ...) and the state the REST API reads and writes;
a change made after the bot connected is dispatched on the guild's shard, as Discord does.
:class:`~.server.FakeDiscord` inherits it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from . import permissions as perms
from .engage import pings
from .gateway import GUILD_MEMBERS, GUILD_MESSAGES
from .limits import CHAT_INPUT
from .permissions import Overwrite
from .results import InteractionResult
from .scale import Generated, GeneratedGuilds
from .snowflake import shard_for
from .state import (
    DM,
    GUILD_TEXT,
    Channel,
    Command,
    Guild,
    Member,
    Message,
    Role,
    User,
    normalize_embed,
)

if TYPE_CHECKING:
    from .clock import FakeClock
    from .gateway import Gateway
    from .snowflake import SnowflakeFactory

JSON = dict[str, Any]


class World:
    """Guilds, channels, members, messages and commands of :class:`~.server.FakeDiscord`."""

    ids: SnowflakeFactory
    clock: FakeClock
    gateway: Gateway
    application_id: int
    bot_user: User
    owner: User
    users: dict[int, User]
    guilds: dict[int, Guild]
    channels: dict[int, Channel]
    messages: dict[int, Message]
    commands: dict[int | None, list[Command]]
    _command_version: int
    _dm_channels: dict[int, Channel]
    _tasks: set[asyncio.Task[bool]]
    generated: Generated

    # --- guilds, channels, members --------------------------------------------------------

    def add_user(self, name: str, *, global_name: str | None = None) -> User:
        user = User(self.ids.next(), name, global_name=global_name)
        self.users[user.id] = user
        return user

    def _user(self, user: User | str) -> User:
        if isinstance(user, User):
            self.users.setdefault(user.id, user)
            return user
        for existing in self.users.values():
            if existing.username == user:
                return existing
        return self.add_user(user)

    def add_guild(
        self,
        name: str,
        *,
        locale: str = "en-US",
        channels: Sequence[str] = ("general",),
        members: Iterable[User | str] = (),
        owner: User | None = None,
        shard: tuple[int, int] | None = None,
        bot_permissions: int = perms.DEFAULT_BOT,
        everyone_permissions: int = perms.DEFAULT_EVERYONE,
    ) -> Guild:
        """Create a guild the bot is in: text channels, @everyone, the bot's role and member.

        ``shard=(shard_id, shard_count)`` picks an id whose events go to that shard.
        Adding a guild after the bot connected dispatches GUILD_CREATE (a join).
        """
        gid = self.ids.next() if shard is None else self.ids.next_on_shard(*shard)
        owner_user = owner or self.owner
        guild = Guild(gid, name, owner_user.id, preferred_locale=locale)
        guild.roles[gid] = Role(gid, gid, "@everyone", everyone_permissions, position=0)
        bot_role = Role(self.ids.next(), gid, self.bot_user.username, bot_permissions, 1, True)
        guild.roles[bot_role.id] = bot_role
        self.guilds[gid] = guild
        for pos, channel_name in enumerate(channels):
            self.add_channel(guild, channel_name, position=pos, dispatch=False)
        guild.members[self.bot_user.id] = Member(self.bot_user, gid, roles=[bot_role.id])
        guild.members[owner_user.id] = Member(self._user(owner_user), gid)
        for m in members:
            self.add_member(guild, m, dispatch=False)
        self._dispatch_guild_soon(guild, "GUILD_CREATE", lambda: self._join_payload(guild))
        return guild

    def _join_payload(self, guild: Guild) -> JSON:
        session = self.gateway.shards.get(self.shard_of(guild))
        intents = session.intents if session else 0
        payload = self.guild_create_payload(guild, intents)
        payload.pop("unavailable")  # a join, not an outage ending
        return payload

    def add_channel(
        self,
        guild: Guild,
        name: str,
        *,
        type: int = GUILD_TEXT,
        position: int | None = None,
        dispatch: bool = True,
    ) -> Channel:
        channel = Channel(
            self.ids.next(),
            name,
            type=type,
            guild_id=guild.id,
            position=len(guild.channels) if position is None else position,
        )
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        if dispatch:
            self._dispatch_guild_soon(guild, "CHANNEL_CREATE", channel.to_json)
        return channel

    def add_member(
        self,
        guild: Guild,
        user: User | str,
        permissions: int | None = None,
        *,
        dispatch: bool = True,
    ) -> Member:
        """Add ``user`` to ``guild``; ``permissions`` become a role of their own."""
        u = self._user(user)
        roles: list[int] = []
        if permissions is not None:
            role = Role(self.ids.next(), guild.id, f"{u.username}-role", permissions, 1)
            guild.roles[role.id] = role
            roles.append(role.id)
        member = Member(u, guild.id, roles=roles)
        guild.members[u.id] = member
        if dispatch:
            data = {"guild_id": str(guild.id), **member.to_json()}
            self._dispatch_guild_soon(guild, "GUILD_MEMBER_ADD", lambda: data, GUILD_MEMBERS)
        return member

    def add_role(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: int = 0,
        above_bot: bool = False,
        managed: bool = False,
    ) -> Role:
        """A new role (GUILD_ROLE_CREATE): right below the bot's highest role, or above it."""
        bot_role = next(
            r for r in guild.roles.values() if r.managed and r.name == self.bot_user.username
        )
        top = max(r.position for r in guild.roles.values())
        role = Role(self.ids.next(), guild.id, name, permissions, top + 1, managed)
        if not above_bot:
            # Keep the bot's role on top: the new role sits right under it.
            role.position, bot_role.position = top + 1, top + 2
            self._dispatch_guild_soon(
                guild,
                "GUILD_ROLE_UPDATE",
                lambda: {"guild_id": str(guild.id), "role": bot_role.to_json()},
            )
        guild.roles[role.id] = role
        self._dispatch_guild_soon(
            guild, "GUILD_ROLE_CREATE", lambda: {"guild_id": str(guild.id), "role": role.to_json()}
        )
        return role

    def set_bot_permissions(self, guild: Guild, permissions: int) -> None:
        """Replace the bot role's guild permissions (dispatches GUILD_ROLE_UPDATE).
        @everyone still applies: see ``set_role_permissions(guild.everyone, ...)``."""
        role = next(r for r in guild.roles.values() if r.managed)
        self.set_role_permissions(role, permissions)

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        """Replace a role's permissions (dispatches GUILD_ROLE_UPDATE)."""
        role.permissions = permissions
        guild = self.guilds[role.guild_id]
        self._dispatch_guild_soon(
            guild, "GUILD_ROLE_UPDATE", lambda: {"guild_id": str(guild.id), "role": role.to_json()}
        )

    def set_channel_overwrite(
        self,
        channel: Channel,
        target: User | Role | Guild,
        *,
        allow: int = 0,
        deny: int = 0,
    ) -> None:
        """Set a permission overwrite (for the bot: ``target=fake.bot_user``)."""
        otype = 1 if isinstance(target, User) else 0
        channel.overwrites[target.id] = Overwrite(target.id, otype, allow, deny)
        guild = self.guilds[channel.guild_id] if channel.guild_id else None
        if guild is not None:
            self._dispatch_guild_soon(guild, "CHANNEL_UPDATE", channel.to_json)

    def delete_channel(self, channel: Channel) -> None:
        """Delete a channel (dispatches CHANNEL_DELETE); later calls on it get 10003."""
        self.channels.pop(channel.id, None)
        guild = self.guilds.get(channel.guild_id or 0)
        if guild is not None:
            guild.channels.pop(channel.id, None)
            self._dispatch_guild_soon(guild, "CHANNEL_DELETE", channel.to_json)

    def remove_guild(self, guild: Guild) -> None:
        """The bot leaves (or is kicked from) ``guild``: GUILD_DELETE, then 404s."""
        self.guilds.pop(guild.id, None)
        self.generated.taken.add(guild.id)
        for cid in guild.channels:
            self.channels.pop(cid, None)
        self._dispatch_guild_soon(guild, "GUILD_DELETE", lambda: {"id": str(guild.id)})

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot_user.id]

    def bot_channel_permissions(self, channel: Channel) -> int:
        if channel.guild_id is None:
            if channel.type != DM:
                return 0  # a group DM: a bot is never one of its members (see reach.py)
            return perms.VIEW_CHANNEL | perms.SEND_MESSAGES | perms.EMBED_LINKS
        guild = self.guilds.get(channel.guild_id)
        if guild is None:
            return 0  # a guild the bot is not in (reached through a user install: reach.py)
        return guild.channel_permissions(self.bot_member(guild), channel)

    def state_guild(self, guild_id: int) -> Guild | None:
        return self.guilds.get(guild_id)

    def shard_of(self, guild: Guild) -> int:
        """The shard id that currently receives ``guild``'s events."""
        count = next((s.shard_count for s in self.gateway.shards.values()), 1)
        return shard_for(guild.id, count)

    def guilds_on_shard(self, shard_id: int, shard_count: int) -> list[Guild]:
        """The guilds on a shard: the materialized ones, then fresh objects for the generated
        ones (built now, kept nowhere)."""
        held = [g for g in self.guilds.values() if shard_for(g.id, shard_count) == shard_id]
        return held + list(self.generated.on_shard(shard_id, shard_count))

    def guild_count_on_shard(self, shard_id: int, shard_count: int) -> int:
        held = sum(1 for g in self.guilds.values() if shard_for(g.id, shard_count) == shard_id)
        return held + self.generated.count_on_shard(shard_id, shard_count)

    def guild_count(self) -> int:
        """Every guild the bot is in, generated ones included."""
        return len(self.guilds) + self.generated.count()

    # --- generated guilds (scale.py) ------------------------------------------------------

    def add_generated_guilds(
        self,
        count: int,
        *,
        prefix: str = "Guild",
        channels: Sequence[str] = ("general", "daily"),
        locale: str = "en-US",
        bot_permissions: int = perms.DEFAULT_BOT,
        everyone_permissions: int = perms.DEFAULT_EVERYONE,
    ) -> GeneratedGuilds:
        """``count`` guilds the bot is in, described by a formula (see :mod:`.scale`): their
        GUILD_CREATEs are built as the gateway sends them, and a guild becomes an ordinary
        one in ``guilds`` / ``channels`` when a request or a lookup by id touches it.
        Add them before the bot connects (no GUILD_CREATE is dispatched for them later)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        generated = GeneratedGuilds(
            self.generated.next_base(),
            count,
            self.bot_user,
            self.owner,
            prefix=prefix,
            channels=tuple(channels),
            locale=locale,
            bot_permissions=bot_permissions,
            everyone_permissions=everyone_permissions,
        )
        self.generated.add(generated)
        return generated

    def _load_guild(self, guild_id: int) -> Guild | None:
        found = self.generated.find(guild_id)
        if found is None or found[0].guild_id(found[1]) != guild_id:
            return None
        return self._materialize(*found)

    def _load_channel(self, channel_id: int) -> Channel | None:
        found = self.generated.find(channel_id)
        if found is None:
            return None
        return self._materialize(*found).channels.get(channel_id)

    def _materialize(self, generated: GeneratedGuilds, index: int) -> Guild:
        guild = generated.build(index)
        self.generated.taken.add(guild.id)
        dict.__setitem__(self.guilds, guild.id, guild)
        for channel in guild.channels.values():
            dict.__setitem__(self.channels, channel.id, channel)
        return guild

    def guild_create_payload(self, guild: Guild, intents: int) -> JSON:
        members = None if intents & GUILD_MEMBERS else [self.bot_member(guild)]
        return guild.to_json(members=members)

    def _dispatch_guild_soon(
        self, guild: Guild, event: str, data: Any, intent: int | None = None
    ) -> None:
        """Dispatch to the guild's shard if the bot is connected (from sync helpers)."""
        shard_id = self.shard_of(guild)
        session = self.gateway.shards.get(shard_id)
        if session is None or not session.ready:
            return
        if intent is not None and not session.intents & intent:
            return
        payload = data() if callable(data) else data
        task = asyncio.get_running_loop().create_task(
            self.gateway.dispatch(shard_id, event, payload)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- messages --------------------------------------------------------------------------

    def create_message(
        self,
        channel: Channel,
        author: User,
        body: JSON,
        *,
        type: int = 0,
        flags: int = 0,
        webhook_id: int | None = None,
        interaction: InteractionResult | None = None,
    ) -> Message:
        msg = Message(
            id=self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=author,
            content=body.get("content") or "",
            embeds=[normalize_embed(e) for e in body.get("embeds") or []],
            components=body.get("components") or [],
            attachments=body.get("attachments") or [],
            flags=flags,
            type=type,
            tts=bool(body.get("tts")),
            webhook_id=webhook_id,
            timestamp=self.clock.now(),
        )
        msg.history.append(body)
        msg.pings = pings(body)
        if interaction is not None:
            msg.application_id = self.application_id
            msg.interaction_metadata = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": interaction.user.to_json(),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
            if interaction.command is not None:
                msg.interaction = {
                    "id": str(interaction.id),
                    "type": interaction.type,
                    "name": interaction.command.name,
                    "user": interaction.user.to_json(),
                }
        self.messages[msg.id] = msg
        if not msg.ephemeral:
            channel.last_message_id = msg.id
            guild = self.guilds.get(channel.guild_id or 0)
            if guild is not None:
                self._dispatch_guild_soon(
                    guild,
                    "MESSAGE_CREATE",
                    lambda: {**msg.to_json(), "guild_id": str(guild.id)},
                    GUILD_MESSAGES,
                )
        return msg

    def channel_messages(
        self, channel: Channel | int, *, include_ephemeral: bool = False
    ) -> list[Message]:
        """Messages in a channel, oldest first (deleted ones left out)."""
        cid = channel if isinstance(channel, int) else channel.id
        return [
            m
            for m in self.messages.values()
            if m.channel_id == cid and not m.deleted and (include_ephemeral or not m.ephemeral)
        ]

    def post_user_message(self, channel: Channel, author: User | str, content: str) -> Message:
        """A message a member wrote (e.g. the target of a message context menu)."""
        return self.create_message(channel, self._user(author), {"content": content})

    def dm_channel(self, user: User) -> Channel:
        channel = self._dm_channels.get(user.id)
        if channel is None:
            channel = Channel(self.ids.next(), "", type=DM, recipient=user)
            self._dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return channel

    # --- commands --------------------------------------------------------------------------

    def registered_commands(self, guild: Guild | int | None = None) -> list[JSON]:
        """Commands as Discord echoes them: global (``guild=None``) or one guild's."""
        gid = guild.id if isinstance(guild, Guild) else guild
        return [c.to_json() for c in self.commands.get(gid, [])]

    def overwrite_commands(self, guild_id: int | None, payloads: list[JSON]) -> list[Command]:
        existing = {(c.type, c.name): c for c in self.commands.get(guild_id, [])}
        out: list[Command] = []
        for payload in payloads:
            ctype = int(payload.get("type") or CHAT_INPUT)
            old = existing.get((ctype, str(payload["name"])))
            self._command_version += 1
            cmd = Command(
                id=old.id if old else self.ids.next(),
                application_id=self.application_id,
                guild_id=guild_id,
                payload={**payload, "type": ctype},
                version=self.ids.next(),
            )
            out.append(cmd)
        self.commands[guild_id] = out
        return out

    def find_command(self, guild: Guild | None, name: str, ctype: int) -> Command:
        scopes: list[int | None] = [guild.id] if guild is not None else []
        scopes.append(None)
        for scope in scopes:
            for cmd in self.commands.get(scope, []):
                if cmd.name == name and cmd.type == ctype:
                    return cmd
        where = f"guild {guild.name!r}" if guild else "DMs"
        raise LookupError(f"no command {name!r} (type {ctype}) is registered for {where}")

    # --- gateway waits and faults ------------------------------------------------------------
