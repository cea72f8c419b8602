"""``FakeDiscord``: a local Discord (REST under /api/v10 + gateway) for end-to-end tests.

Start it, point discord.py at ``api_base`` / ``gateway_url`` (``bot.endpoints.apply_overrides``),
describe guilds with ``add_guild``, then drive the bot with ``slash`` / ``autocomplete`` /
``click`` / ``message_command`` and read what it did. See README.md beside this file.
"""

from __future__ import annotations

import asyncio
import fnmatch
import re
import secrets
import socket
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import permissions as perms
from .clock import FakeClock
from .engage import AuditEntry, pings
from .gateway import GUILD_MEMBERS, GUILD_MESSAGES, Gateway
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    InteractionResult,
    InteractionTimeout,
    build_options,
    resolved_channel,
    resolved_member,
    resolved_role,
    split_command_name,
)
from .limits import CHAT_INPUT, MESSAGE_COMMAND
from .permissions import Overwrite
from .ratelimit import DEFAULT_RULES, BucketRule, RateLimiter
from .rest import RestApi
from .snowflake import SnowflakeFactory, shard_for
from .spec import OpenApiSpec, load_spec
from .state import DM, GUILD_TEXT, Channel, Command, Guild, Member, Message, Role, User

JSON = dict[str, Any]

DEFAULT_TOKEN = "fake-bot-token.summitbot.local"
INTERACTION_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60.0


@dataclass(frozen=True)
class Violation:
    """A request Discord would refuse: the bot has a bug (or the test provoked one)."""

    method: str
    path: str
    reason: str
    body: object = None
    status: int = 400
    code: int = 50035

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}/{self.code}: {self.reason}"


@dataclass
class Injection:
    """A planned fault: the next ``remaining`` requests matching get ``status``."""

    method: str
    pattern: str
    status: int
    remaining: int
    body: JSON | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # "{name}" placeholders match one path segment; the rest is an fnmatch glob.
        glob = re.sub(r"\{[^}]+\}", "*", self.pattern)
        self._regex = re.compile(fnmatch.translate(glob).replace(".*", "[^/]*"))

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.method in (method, "*") and bool(self._regex.match(path))


@dataclass
class Stats:
    requests: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    #: 429s by scope: "global", "user" (per-route bucket), "injected".
    rate_limited: Counter[str] = field(default_factory=Counter)
    injected: int = 0


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    template: str | None
    status: int
    body: object
    content_type: str | None


class FakeDiscord:
    """A fake Discord for one bot application. See the module docstring and README.md."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        global_rate: int = 50,
        route_limits: Sequence[BucketRule] = DEFAULT_RULES,
        heartbeat_interval: int = 41_250,
        interaction_deadline: float = INTERACTION_DEADLINE,
        validate_schema: bool = True,
        allowed_privileged_intents: int = 0,
        recommended_shards: int = 1,
        spec_path: str | None = None,
        host: str = "127.0.0.1",
        bot_name: str = "summitbot",
    ) -> None:
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.interaction_deadline = interaction_deadline
        self.validate_schema = validate_schema
        self.allowed_privileged_intents = allowed_privileged_intents
        self.recommended_shards = recommended_shards
        self.host = host
        self.clock = FakeClock()
        self.ids = SnowflakeFactory()
        self.spec: OpenApiSpec = load_spec(spec_path)
        self.ratelimiter = RateLimiter(global_rate=global_rate, rules=tuple(route_limits))
        self.application_id = self.ids.next()
        self.bot_user = User(self.application_id, bot_name, bot=True)
        self.owner = User(self.ids.next(), "owner")
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        #: Threads started on messages, by message id, and their auto-archive minutes
        #: (engage.py); role changes and other audited calls with their reason header.
        self.threads: dict[int, Channel] = {}
        self.thread_archive: dict[int, int] = {}
        self.audit_log: list[AuditEntry] = []
        self.commands: dict[int | None, list[Command]] = {}
        self.interactions: dict[int, InteractionResult] = {}
        self.violations: list[Violation] = []
        self.unhandled: list[RequestRecord] = []
        self.requests: list[RequestRecord] = []
        self.injections: list[Injection] = []
        self.stats = Stats()
        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self._command_version = 0
        self._dm_channels: dict[int, Channel] = {}
        #: Users who don't accept DMs from the bot: a send to their DM channel gets 50007.
        self.closed_dms: set[int] = set()
        self._drop_marks: dict[int, int] = {}
        self._by_token: dict[str, InteractionResult] = {}
        self._tasks: set[asyncio.Task[bool]] = set()

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self.rest.handle)
        app.router.add_get("/", self.gateway.handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        return self

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """REST base for ``apply_overrides`` (``http://127.0.0.1:PORT/api/v10``)."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Gateway URL for ``apply_overrides`` (``ws://127.0.0.1:PORT/``)."""
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"ws://{self.host}:{self.port}/"

    # --- violations ----------------------------------------------------------------------

    def record_violation(self, violation: Violation) -> None:
        self.violations.append(violation)

    def take_violations(self) -> list[Violation]:
        """Return and clear the violations (for tests that provoke them on purpose)."""
        out, self.violations = self.violations, []
        return out

    def assert_clean(self) -> None:
        """Raise AssertionError listing every violation and unhandled request."""
        problems = [f"violation: {v}" for v in self.violations]
        problems += [
            f"unhandled by the fake: {r.method} {r.path} (template {r.template})"
            for r in self.unhandled
        ]
        if problems:
            raise AssertionError("fake Discord saw problems:\n  " + "\n  ".join(problems))

    # --- fault injection and limits -------------------------------------------------------

    def inject(
        self,
        method: str,
        path_pattern: str,
        status: int,
        count: int = 1,
        body: JSON | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Injection:
        """Answer the next ``count`` matching requests with ``status``.

        ``path_pattern`` is matched against the path after ``/api/v10``; ``{name}`` or ``*``
        stands for one segment, e.g. ``"/channels/{channel_id}/messages"``. A 429 gets
        ``Via`` and a ``retry_after`` of 0.05 s unless ``body`` says otherwise.
        """
        inj = Injection(method.upper(), path_pattern, status, count, body, dict(headers or {}))
        self.injections.append(inj)
        return inj

    def take_injection(self, method: str, path: str) -> Injection | None:
        for inj in self.injections:
            if inj.matches(method, path):
                inj.remaining -= 1
                inj.hits += 1
                return inj
        return None

    def set_route_limit(
        self, method: str, template: str, limit: int, per: float, major: Sequence[str] = ()
    ) -> None:
        self.ratelimiter.set_rule(BucketRule(method.upper(), template, limit, per, tuple(major)))

    def set_global_rate(self, rate: int) -> None:
        self.ratelimiter.set_global_rate(rate)

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
        return [g for g in self.guilds.values() if shard_for(g.id, shard_count) == shard_id]

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
        from .state import normalize_embed

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

    async def wait_ready(
        self,
        shard_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain deadline in seconds
    ) -> None:
        """Wait until a shard (default: every shard of the identified count) got READY and
        its GUILD_CREATEs and is connected."""

        def ready() -> bool:
            if shard_id is not None:
                return self.gateway.shard_ready(shard_id)
            sessions = list(self.gateway.shards.values())
            if not sessions:
                return False
            count = sessions[0].shard_count
            return all(self.gateway.shard_ready(i) for i in range(count))

        await self.gateway.wait_for(ready, timeout, f"shard {shard_id} not ready")

    async def drop_connection(
        self,
        shard_id: int = 0,
        *,
        resumable: bool = True,
        via: str = "close",
        close_code: int = 4000,
    ) -> None:
        """Drop a shard's socket. ``via``: ``"close"`` (close frame with ``close_code``),
        ``"reconnect"`` (op 7) or ``"invalid_session"`` (op 9). ``resumable=False``
        invalidates the session, so the client must IDENTIFY again."""
        self._drop_marks[shard_id] = len(self.gateway.connect_log.get(shard_id, []))
        await self.gateway.drop(shard_id, resumable=resumable, via=via, close_code=close_code)

    async def settle(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline in seconds
    ) -> None:
        """Wait until the bot has processed every gateway event the fake dispatched
        (channel deletes, permission changes, joins, ...) on every connected shard."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for shard_id, session in list(self.gateway.shards.items()):
            if session.connected:
                await self.gateway.barrier(shard_id, timeout)

    async def wait_reconnected(
        self,
        shard_id: int = 0,
        timeout: float = 15.0,  # noqa: ASYNC109 - a plain deadline in seconds
    ) -> str:
        """After ``drop_connection``: wait for the shard to come back; return
        ``"resumed"`` or ``"identified"``."""
        mark = self._drop_marks.get(shard_id, 0)
        log = self.gateway.connect_log

        def back() -> bool:
            return len(log.get(shard_id, [])) > mark and self.gateway.shard_ready(shard_id)

        await self.gateway.wait_for(back, timeout, f"shard {shard_id} did not reconnect")
        return log[shard_id][-1]

    # --- interactions ----------------------------------------------------------------------

    def _member_payload(self, guild: Guild, user: User, channel: Channel) -> JSON:
        member = guild.members.get(user.id)
        if member is None:
            member = self.add_member(guild, user, dispatch=False)
        data = member.to_json()
        data["permissions"] = str(guild.channel_permissions(member, channel))
        return data

    def _base_payload(
        self,
        itype: int,
        data: JSON,
        guild: Guild | None,
        channel: Channel | None,
        user: User,
        locale: str,
    ) -> tuple[JSON, Channel]:
        iid = self.ids.next()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        if guild is not None:
            if channel is None:
                channel = guild.text_channels[0]
            chan = channel
        else:
            chan = channel if channel is not None else self.dm_channel(user)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "channel_id": str(chan.id),
            "channel": chan.to_json(),
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": str(self.bot_channel_permissions(chan)),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            payload["guild_id"] = str(guild.id)
            payload["guild"] = {
                "id": str(guild.id),
                "locale": guild.preferred_locale,
                "features": [],
            }
            payload["guild_locale"] = guild.preferred_locale
            payload["member"] = self._member_payload(guild, user, chan)
            payload["context"] = 0
            payload["authorizing_integration_owners"] = {"0": str(guild.id)}
        else:
            payload["user"] = user.to_json()
            payload["context"] = 1
            payload["authorizing_integration_owners"] = {"0": "0"}
        return payload, chan

    def _resolver(self, guild: Guild | None, channel: Channel | None) -> Any:
        def resolve(otype: int, raw: object) -> tuple[str, JSON]:
            if isinstance(raw, Channel):
                p = self.bot_channel_permissions(raw)
                return "channels", {"id": str(raw.id), "data": resolved_channel(raw, p)}
            if isinstance(raw, Role):
                return "roles", {"id": str(raw.id), "data": resolved_role(raw)}
            if isinstance(raw, Member):
                raw = raw.user
            if isinstance(raw, User):
                if guild is not None and raw.id in guild.members:
                    member = guild.members[raw.id]
                    ch = channel or guild.text_channels[0]
                    p = guild.channel_permissions(member, ch)
                    return "member", {
                        "id": str(raw.id),
                        "user": raw.to_json(),
                        "member": resolved_member(member, p),
                    }
                return "users", {"id": str(raw.id), "data": raw.to_json()}
            raise ValueError(f"option type {otype} needs a Channel, Role, Member or User")

        return resolve

    async def _send_interaction(
        self,
        itype: int,
        data: JSON,
        guild: Guild | None,
        channel: Channel | None,
        user: User | str,
        locale: str,
        *,
        command: Command | None = None,
        source_message: Message | None = None,
        extra: JSON | None = None,
    ) -> InteractionResult:
        u = self._user(user)
        payload, chan = self._base_payload(itype, data, guild, channel, u, locale)
        if extra:
            payload.update(extra)
        result = InteractionResult(
            id=int(payload["id"]),
            token=payload["token"],
            type=itype,
            payload=payload,
            guild=guild,
            channel=chan,
            user=u,
            created_at=self.clock.monotonic(),
            command=command,
            source_message=source_message,
        )
        shard_id = self.shard_of(guild) if guild is not None else 0
        if not self.gateway.shard_ready(shard_id):
            raise RuntimeError(f"the bot is not connected on shard {shard_id}")
        self.interactions[result.id] = result
        self._by_token[result.token] = result
        result.sent_perf = time.perf_counter()
        await self.gateway.dispatch(shard_id, "INTERACTION_CREATE", payload)
        return result

    async def _await_initial(self, result: InteractionResult) -> InteractionResult:
        """Wait for the initial response, or record a violation when the deadline passes."""
        try:
            await result.wait_response(timeout=self.interaction_deadline + 0.5)
        except InteractionTimeout:
            self.record_violation(
                Violation(
                    "POST",
                    f"/interactions/{result.id}/.../callback",
                    f"no initial response within {self.interaction_deadline}s "
                    "(Discord shows 'The application did not respond')",
                    status=0,
                    code=10062,
                )
            )
        return result

    def _chat_input_data(
        self,
        guild: Guild | None,
        channel: Channel | None,
        name: str,
        options: Mapping[str, object],
        *,
        focused: str | None,
    ) -> tuple[Command, JSON]:
        """The registered command and the interaction ``data`` invoking it with ``options``."""
        path = split_command_name(name)
        cmd = self.find_command(guild, path[0], CHAT_INPUT)
        opts, resolved = build_options(
            cmd, path, options, focused=focused, resolve=self._resolver(guild, channel)
        )
        data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": CHAT_INPUT}
        if opts or focused is not None:
            data["options"] = opts
        if resolved and focused is None:
            data["resolved"] = resolved
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        return cmd, data

    async def slash(
        self,
        guild: Guild | None,
        channel: Channel | None,
        user: User | str,
        name: str,
        options: Mapping[str, object] | None = None,
        *,
        locale: str = "en-US",
        wait: bool = True,
    ) -> InteractionResult:
        """Invoke ``/name`` (``"digest set"`` for subcommands) as ``user``; wait for the
        initial response unless ``wait=False``. ``guild=None`` is a DM."""
        cmd, data = self._chat_input_data(guild, channel, name, options or {}, focused=None)
        result = await self._send_interaction(
            APPLICATION_COMMAND, data, guild, channel, user, locale, command=cmd
        )
        return await self._await_initial(result) if wait else result

    async def send_autocomplete(
        self,
        guild: Guild | None,
        channel: Channel | None,
        user: User | str,
        name: str,
        options: Mapping[str, object],
        focused: str,
        *,
        locale: str = "en-US",
        wait: bool = True,
    ) -> InteractionResult:
        """An autocomplete interaction with ``focused`` as the option being typed."""
        cmd, data = self._chat_input_data(guild, channel, name, options, focused=focused)
        result = await self._send_interaction(
            AUTOCOMPLETE, data, guild, channel, user, locale, command=cmd
        )
        return await self._await_initial(result) if wait else result

    async def autocomplete(
        self,
        guild: Guild | None,
        channel: Channel | None,
        user: User | str,
        name: str,
        options: Mapping[str, object],
        focused: str,
        *,
        locale: str = "en-US",
    ) -> list[JSON]:
        """The choices the bot offers while ``focused`` is typed (raises if it never answers)."""
        result = await self.send_autocomplete(
            guild, channel, user, name, options, focused, locale=locale
        )
        if not result.responded:
            raise InteractionTimeout(f"no autocomplete answer for /{name} ({result.describe()})")
        return result.choices

    async def click(
        self,
        message: Message,
        custom_id: str,
        user: User | str,
        *,
        locale: str = "en-US",
        wait: bool = True,
    ) -> InteractionResult:
        """Click the button ``custom_id`` on ``message`` (it must have that button)."""
        component = _find_component(message.components, custom_id)
        if component is None:
            raise LookupError(f"message {message.id} has no component {custom_id!r}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        channel = self.channels.get(message.channel_id)
        guild = self.guilds.get(message.guild_id or 0)
        data = {"custom_id": custom_id, "component_type": component.get("type", 2)}
        result = await self._send_interaction(
            MESSAGE_COMPONENT,
            data,
            guild,
            channel,
            user,
            locale,
            source_message=message,
            extra={"message": message.to_json()},
        )
        return await self._await_initial(result) if wait else result

    async def message_command(
        self,
        guild: Guild | None,
        channel: Channel | None,
        user: User | str,
        name: str,
        target: Message | str,
        *,
        author: User | str | None = None,
        locale: str = "en-US",
        wait: bool = True,
    ) -> InteractionResult:
        """Run the message context menu ``name`` on ``target`` (a Message, or content that
        ``author`` — default ``user`` — posts in ``channel`` first)."""
        cmd = self.find_command(guild, name, MESSAGE_COMMAND)
        if guild is not None and channel is None:
            channel = guild.text_channels[0]
        if isinstance(target, str):
            if channel is None:
                raise ValueError("a message command in DMs needs a channel or a Message target")
            target = self.post_user_message(channel, author or user, target)
        data: JSON = {
            "id": str(cmd.id),
            "name": cmd.name,
            "type": MESSAGE_COMMAND,
            "target_id": str(target.id),
            "resolved": {"messages": {str(target.id): target.to_json()}},
        }
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        result = await self._send_interaction(
            APPLICATION_COMMAND, data, guild, channel, user, locale, command=cmd
        )
        return await self._await_initial(result) if wait else result

    def interaction_by_token(self, token: str) -> InteractionResult | None:
        return self._by_token.get(token)


def _find_component(rows: list[JSON], custom_id: str) -> JSON | None:
    """The component with ``custom_id`` in action rows (or nested sections/containers)."""
    for node in rows:
        if node.get("custom_id") == custom_id:
            return node
        found = _find_component(list(node.get("components") or []), custom_id)
        if found is not None:
            return found
        accessory = node.get("accessory")
        if isinstance(accessory, dict) and accessory.get("custom_id") == custom_id:
            return accessory
    return None
