"""REST handlers for users, the gateway, commands, channels, messages and guilds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import limits
from . import permissions as perms
from .routes import (
    Call,
    HttpError,
    json_response,
    unknown_channel,
    unknown_message,
)
from .state import DM, EPHEMERAL, Channel, Guild, Message

if TYPE_CHECKING:
    from .server import FakeDiscord

JSON = dict[str, Any]


class ResourceRoutes:
    """A mixin of :class:`~.rest.RestApi`."""

    fake: FakeDiscord

    # --- identity and gateway ----------------------------------------------------------------

    async def get_me(self, call: Call) -> web.StreamResponse:
        data = self.fake.bot_user.to_json()
        data.update(verified=True, mfa_enabled=False, locale="en-US", email=None, premium_type=0)
        return json_response(data)

    async def get_user(self, call: Call) -> web.StreamResponse:
        user = self.fake.users.get(call.int_param("user_id"))
        if user is None:
            raise HttpError(404, 10013, "Unknown User")
        return json_response(user.to_json())

    async def create_dm(self, call: Call) -> web.StreamResponse:
        body = call.body if isinstance(call.body, dict) else {}
        user = self.fake.users.get(int(body.get("recipient_id") or 0))
        if user is None:
            raise HttpError(400, 50033, "Invalid Recipient(s)")
        return json_response(self.fake.dm_channel(user).to_json())

    async def get_application(self, call: Call) -> web.StreamResponse:
        fake = self.fake
        return json_response(
            {
                "id": str(fake.application_id),
                "name": fake.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": fake.bot_user.to_json(),
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": fake.owner.to_json(),
                "team": None,
                "flags": 0,
                "rpc_origins": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "tags": [],
                "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
                "integration_types_config": {"0": {}},
                "approximate_guild_count": fake.guild_count(),
            }
        )

    async def get_gateway(self, call: Call) -> web.StreamResponse:
        return json_response({"url": self.fake.gateway_url.rstrip("/")})

    async def get_gateway_bot(self, call: Call) -> web.StreamResponse:
        used = len(self.fake.gateway.identifies)
        return json_response(
            {
                "url": self.fake.gateway_url.rstrip("/"),
                "shards": self.fake.recommended_shard_count(),
                "session_start_limit": {
                    "total": 1000,
                    "remaining": max(0, 1000 - used),
                    "reset_after": 86_400_000,
                    "max_concurrency": self.fake.max_concurrency,
                },
            }
        )

    # --- application commands -----------------------------------------------------------------

    def _command_scope(self, call: Call) -> int | None:
        if call.int_param("application_id") != self.fake.application_id:
            raise HttpError(403, 50001, "Missing Access")
        if "guild_id" not in call.params:
            return None
        gid = call.int_param("guild_id")
        if gid not in self.fake.guilds:
            raise HttpError(403, 50001, "Missing Access")
        return gid

    async def list_commands(self, call: Call) -> web.StreamResponse:
        scope = self._command_scope(call)
        return json_response([c.to_json() for c in self.fake.commands.get(scope, [])])

    async def overwrite_commands(self, call: Call) -> web.StreamResponse:
        scope = self._command_scope(call)
        stored = self.fake.overwrite_commands(scope, list(call.body or []))
        return json_response([c.to_json() for c in stored])

    async def upsert_command(self, call: Call) -> web.StreamResponse:
        scope = self._command_scope(call)
        body = call.body if isinstance(call.body, dict) else {}
        current = [c.payload for c in self.fake.commands.get(scope, [])]
        ctype = int(body.get("type") or 1)
        replaced = [
            p for p in current if (int(p.get("type") or 1), p["name"]) != (ctype, body["name"])
        ]
        created = len(replaced) == len(current)
        stored = self.fake.overwrite_commands(scope, [*replaced, body])
        cmd = next(c for c in stored if c.name == body["name"] and c.type == ctype)
        return json_response(cmd.to_json(), 201 if created else 200)

    def _find_command(self, call: Call) -> tuple[int | None, int]:
        scope = self._command_scope(call)
        cid = call.int_param("command_id")
        for i, cmd in enumerate(self.fake.commands.get(scope, [])):
            if cmd.id == cid:
                return scope, i
        raise HttpError(404, 10063, "Unknown application command")

    async def get_command(self, call: Call) -> web.StreamResponse:
        scope, i = self._find_command(call)
        return json_response(self.fake.commands[scope][i].to_json())

    async def edit_command(self, call: Call) -> web.StreamResponse:
        scope, i = self._find_command(call)
        payloads = [c.payload for c in self.fake.commands[scope]]
        payloads[i] = {**payloads[i], **(call.body or {})}
        errors = limits.command_errors((), payloads[i])
        if errors:
            raise HttpError(400, 50035, "; ".join(map(str, errors)), violation=True)
        stored = self.fake.overwrite_commands(scope, payloads)
        return json_response(stored[i].to_json())

    async def delete_command(self, call: Call) -> web.StreamResponse:
        scope, i = self._find_command(call)
        del self.fake.commands[scope][i]
        return web.Response(status=204)

    # --- channels and messages ---------------------------------------------------------------

    def _channel(self, call: Call) -> Channel:
        channel = self.fake.channels.get(call.int_param("channel_id"))
        if channel is None:
            raise unknown_channel()
        return channel

    def _require(self, channel: Channel, needed: int) -> None:
        if channel.type == DM:
            return
        if channel.guild_id is None or channel.guild_id not in self.fake.guilds:
            # A group DM, or a guild the bot is not in (user installs): only the interaction
            # reaches there; a channel request is the bot assuming what it cannot see.
            raise HttpError(
                403, 50001, "Missing Access", violation=True, detail="the bot is not here"
            )
        have = self.fake.bot_channel_permissions(channel)
        if not have & perms.VIEW_CHANNEL:
            raise HttpError(403, 50001, "Missing Access")
        if have & needed != needed:
            raise HttpError(403, 50013, "Missing Permissions")

    async def get_channel(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        return json_response(channel.to_json())

    async def list_messages(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        if channel.type != DM and not (
            self.fake.bot_channel_permissions(channel) & perms.READ_MESSAGE_HISTORY
        ):
            # Discord: "If the current user is missing the READ_MESSAGE_HISTORY permission in
            # the channel, then no messages will be returned" -- a 200, not a 403.
            return json_response([])
        msgs = list(reversed(self.fake.channel_messages(channel)))
        before = call.query.get("before")
        after = call.query.get("after")
        if before:
            msgs = [m for m in msgs if m.id < int(before)]
        if after:
            msgs = [m for m in msgs if m.id > int(after)]
        limit = max(1, min(100, int(call.query.get("limit", "50"))))
        return json_response([m.to_json() for m in msgs[:limit]])

    async def create_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        body: JSON = call.body if isinstance(call.body, dict) else {}
        needed = perms.VIEW_CHANNEL | perms.SEND_MESSAGES
        if body.get("embeds"):
            needed |= perms.EMBED_LINKS
        if call.files:
            needed |= perms.ATTACH_FILES
        self._require(channel, needed)
        recipient = channel.recipient if channel.type == DM else None
        if recipient is not None and recipient.id in self.fake.closed_dms:
            raise HttpError(403, 50007, "Cannot send messages to this user")
        flags = int(body.get("flags") or 0)
        if flags & EPHEMERAL:
            raise HttpError(
                400, 50035, "Ephemeral flag is only valid on interaction responses", violation=True
            )
        ref = body.get("message_reference")
        msg = self.fake.create_message(
            channel,
            self.fake.bot_user,
            self._with_attachments(call, body, None),
            type=19 if ref else 0,
            flags=flags,
        )
        return json_response(msg.to_json())

    def _message(self, call: Call, channel: Channel) -> Message:
        msg = self.fake.messages.get(call.int_param("message_id"))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            raise unknown_message()
        return msg

    async def get_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL | perms.READ_MESSAGE_HISTORY)
        return json_response(self._message(call, channel).to_json())

    async def edit_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        msg = self._message(call, channel)
        if msg.author.id != self.fake.bot_user.id:
            raise HttpError(403, 50005, "Cannot edit a message authored by another user")
        body: JSON = call.body if isinstance(call.body, dict) else {}
        if body.get("embeds") and not msg.webhook_id:
            self._require(channel, perms.VIEW_CHANNEL | perms.EMBED_LINKS)
        msg.apply_edit(self._with_attachments(call, body, msg), at=self.fake.clock.now())
        return json_response(msg.to_json())

    async def delete_message(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL)
        msg = self._message(call, channel)
        if msg.author.id != self.fake.bot_user.id:
            self._require(channel, perms.VIEW_CHANNEL | perms.MANAGE_MESSAGES)
        msg.deleted = True
        return web.Response(status=204)

    async def typing(self, call: Call) -> web.StreamResponse:
        channel = self._channel(call)
        self._require(channel, perms.VIEW_CHANNEL | perms.SEND_MESSAGES)
        return web.Response(status=204)

    # --- guilds ------------------------------------------------------------------------------

    def _guild(self, call: Call) -> Guild:
        guild = self.fake.guilds.get(call.int_param("guild_id"))
        if guild is None:
            raise HttpError(404, 10004, "Unknown Guild")
        return guild

    async def get_guild(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        data = guild.to_rest_json()
        if call.query.get("with_counts", "").lower() in ("1", "true"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return json_response(data)

    async def get_guild_channels(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        return json_response([c.to_json() for c in guild.channels.values()])

    async def get_guild_roles(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        return json_response([r.to_json() for r in guild.roles.values()])

    async def list_members(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        limit = max(1, min(1000, int(call.query.get("limit", "1"))))
        members = sorted(guild.members.values(), key=lambda m: m.id)
        after = int(call.query.get("after", "0"))
        return json_response([m.to_json() for m in members if m.id > after][:limit])

    async def get_member(self, call: Call) -> web.StreamResponse:
        guild = self._guild(call)
        member = guild.members.get(call.int_param("user_id"))
        if member is None:
            raise HttpError(404, 10007, "Unknown Member")
        return json_response(member.to_json())
