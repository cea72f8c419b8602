"""Interactions the fake sends: their payloads, and the helpers tests drive the bot with.

``fake.slash()`` / ``autocomplete()`` / ``click()`` / ``message_command()`` build the
``INTERACTION_CREATE`` payload Discord would send (member, permissions, resolved options),
dispatch it on the guild's shard and return an :class:`~.results.InteractionResult`.
:class:`InteractionSender` holds them; :class:`~.server.FakeDiscord` inherits it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .kinds import (  # noqa: F401 - re-exported for rest.py and tests
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    PING,
    PONG,
    UPDATE_MESSAGE,
)
from .limits import CHAT_INPUT, MESSAGE_COMMAND
from .options import (
    build_options,
    resolved_channel,
    resolved_member,
    resolved_role,
    split_command_name,
)
from .records import Violation
from .results import InteractionResult, InteractionTimeout
from .state import Channel, Command, Guild, Member, Message, Role, User

if TYPE_CHECKING:
    from .clock import FakeClock
    from .gateway import Gateway
    from .snowflake import SnowflakeFactory

JSON = dict[str, Any]


class InteractionSender:
    """The interaction helpers of :class:`~.server.FakeDiscord` (a mixin)."""

    ids: SnowflakeFactory
    clock: FakeClock
    gateway: Gateway
    application_id: int
    interaction_deadline: float
    channels: dict[int, Channel]
    guilds: dict[int, Guild]
    interactions: dict[int, InteractionResult]
    _by_token: dict[str, InteractionResult]

    # Provided by the world (guilds, members, commands) and the server.
    if TYPE_CHECKING:

        def _user(self, user: User | str) -> User: ...
        def add_member(
            self,
            guild: Guild,
            user: User | str,
            permissions: int | None = None,
            *,
            dispatch: bool = True,
        ) -> Member: ...
        def dm_channel(self, user: User) -> Channel: ...
        def bot_channel_permissions(self, channel: Channel) -> int: ...
        def shard_of(self, guild: Guild) -> int: ...
        def find_command(self, guild: Guild | None, name: str, ctype: int) -> Command: ...
        def post_user_message(
            self, channel: Channel, author: User | str, content: str
        ) -> Message: ...
        def record_violation(self, violation: Violation) -> None: ...

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
        data = click_data(message, custom_id)
        channel = self.channels.get(message.channel_id)
        guild = self.guilds.get(message.guild_id or 0)
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


def find_component(rows: list[JSON], custom_id: str) -> JSON | None:
    """The component with ``custom_id`` in action rows (or nested sections/containers)."""
    for node in rows:
        if node.get("custom_id") == custom_id:
            return node
        found = find_component(list(node.get("components") or []), custom_id)
        if found is not None:
            return found
        accessory = node.get("accessory")
        if isinstance(accessory, dict) and accessory.get("custom_id") == custom_id:
            return accessory
    return None


__all__ = ["InteractionResult", "InteractionSender", "InteractionTimeout", "find_component"]


def click_data(message: Message, custom_id: str) -> dict[str, Any]:
    """The ``data`` of a press on the enabled component ``custom_id`` of ``message``."""
    component = find_component(message.components, custom_id)
    if component is None:
        raise LookupError(f"message {message.id} has no component {custom_id!r}")
    if component.get("disabled"):
        raise ValueError(f"component {custom_id!r} is disabled")
    return {"custom_id": custom_id, "component_type": component.get("type", 2)}
