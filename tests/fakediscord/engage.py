"""Threads on messages, member role changes and mentions: what the fake adds for the digest's
discussion threads, its opt-in role and the **Notify me** button.

- ``POST /channels/{channel_id}/messages/{message_id}/threads``: a public thread on a message
  (text and announcement channels only: 400/50024; Create Public Threads: 403/50013; one thread
  per message: 400/160004; the name 1–100 characters and ``auto_archive_duration`` one of
  60/1440/4320/10080 come from the spec's schema).
- ``PUT``/``DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}``: Manage Roles, and
  only a role below the bot's highest role, never a managed role or @everyone (403/50013);
  the ``X-Audit-Log-Reason`` header is recorded in ``fake.audit_log``.
- :func:`allowed_mentions_errors`: ``parse`` and an explicit ``roles``/``users`` list of the
  same kind together are refused, as Discord refuses them; :func:`pings` works out whom a
  message really notifies, stored on the message (``Message.pings``).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import permissions as perms
from .limits import FieldError
from .state import GUILD_ANNOUNCEMENT, GUILD_TEXT, Channel

if TYPE_CHECKING:
    from .rest import RestApi
    from .routes import Call

JSON = dict[str, Any]

CREATE_PUBLIC_THREADS = 1 << 35
PUBLIC_THREAD = 11

MESSAGE_THREADS = "/channels/{channel_id}/messages/{message_id}/threads"
MEMBER_ROLE = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"


@dataclass
class AuditEntry:
    """One audited change: the route, the target and the reason header (decoded)."""

    method: str
    path: str
    reason: str | None


@dataclass(frozen=True)
class Pings:
    """Whom a message notifies: role ids, user ids, and whether @everyone/@here."""

    roles: tuple[int, ...] = ()
    users: tuple[int, ...] = ()
    everyone: bool = False


def audit_reason(header: str | None) -> str | None:
    """discord.py percent-encodes the reason header."""
    return urllib.parse.unquote(header) if header is not None else None


def allowed_mentions_errors(body: object, path: tuple[str, ...] = ()) -> list[FieldError]:
    if not isinstance(body, dict):
        return []
    am = body.get("allowed_mentions")
    if not isinstance(am, dict):
        return []
    parse = am.get("parse") or []
    errors: list[FieldError] = []
    for kind in ("roles", "users"):
        if kind in parse and am.get(kind):
            errors.append(
                FieldError(
                    (*path, "allowed_mentions", kind),
                    "MUTUALLY_EXCLUSIVE",
                    f'parse: ["{kind}"] and {kind}: [ids] are mutually exclusive',
                )
            )
    return errors


def pings(body: JSON) -> Pings:
    """Who a new message's content notifies under its ``allowed_mentions`` (absent: the
    defaults ping everything mentioned)."""
    content = str(body.get("content") or "")
    roles = [int(r) for r in re.findall(r"<@&(\d+)>", content)]
    users = [int(u) for u in re.findall(r"<@!?(\d+)>", content)]
    everyone = "@everyone" in content or "@here" in content
    am = body.get("allowed_mentions")
    if not isinstance(am, dict):
        return Pings(tuple(roles), tuple(users), everyone)
    parse = am.get("parse") or []
    allowed_roles = {int(r) for r in am.get("roles") or []}
    allowed_users = {int(u) for u in am.get("users") or []}
    return Pings(
        tuple(r for r in roles if "roles" in parse or r in allowed_roles),
        tuple(u for u in users if "users" in parse or u in allowed_users),
        everyone and "everyone" in parse,
    )


class EngageRoutes:
    """The handlers; :class:`~.rest.RestApi` registers them."""

    def __init__(self, api: RestApi) -> None:
        self.api = api
        self.fake = api.fake

    def routes(self) -> dict[tuple[str, str], Any]:
        return {
            ("POST", MESSAGE_THREADS): self.create_thread,
            ("PUT", MEMBER_ROLE): self.add_member_role,
            ("DELETE", MEMBER_ROLE): self.remove_member_role,
        }

    async def create_thread(self, call: Call) -> web.StreamResponse:
        from .rest import HttpError, json_response

        channel = self.api._channel(call)
        self.api._require(channel, perms.VIEW_CHANNEL)
        msg = self.api._message(call, channel)
        if channel.type not in (GUILD_TEXT, GUILD_ANNOUNCEMENT):
            raise HttpError(400, 50024, "Cannot execute action on this channel type")
        self.api._require(channel, perms.VIEW_CHANNEL | CREATE_PUBLIC_THREADS)
        if msg.id in self.fake.threads:
            raise HttpError(400, 160004, "A thread has already been created for this message")
        body: JSON = call.body if isinstance(call.body, dict) else {}
        self._audit(call)
        # A thread started on a message has the message's id.
        thread = Channel(
            msg.id,
            str(body["name"]),
            type=PUBLIC_THREAD,
            guild_id=channel.guild_id,
            parent_id=channel.id,
        )
        archive = int(body.get("auto_archive_duration") or 4320)
        self.fake.threads[msg.id] = thread
        self.fake.thread_archive[msg.id] = archive
        self.fake.channels[thread.id] = thread
        data = {
            "id": str(thread.id),
            "type": PUBLIC_THREAD,
            "guild_id": str(channel.guild_id),
            "parent_id": str(channel.id),
            "name": thread.name,
            "owner_id": str(self.fake.bot_user.id),
            "last_message_id": None,
            "rate_limit_per_user": int(body.get("rate_limit_per_user") or 0),
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": archive,
                "archive_timestamp": self.fake.clock.now().isoformat(),
                "locked": False,
            },
        }
        return json_response(data, 201)

    def _audit(self, call: Call) -> None:
        self.fake.audit_log.append(AuditEntry(call.method, call.path, call.reason))

    def _role_change(self, call: Call) -> tuple[Any, Any, int]:
        from .rest import HttpError

        guild = self.api._guild(call)
        member = guild.members.get(call.int_param("user_id"))
        if member is None:
            raise HttpError(404, 10007, "Unknown Member")
        role = guild.roles.get(call.int_param("role_id"))
        if role is None:
            raise HttpError(404, 10011, "Unknown Role")
        bot = self.fake.bot_member(guild)
        if not guild.member_permissions(bot) & perms.MANAGE_ROLES:
            raise HttpError(403, 50013, "Missing Permissions")
        top = max((guild.roles[r].position for r in bot.roles if r in guild.roles), default=0)
        if role.managed or role.id == guild.id or role.position >= top:
            raise HttpError(403, 50013, "Missing Permissions")
        return guild, member, role.id

    async def add_member_role(self, call: Call) -> web.StreamResponse:
        _, member, role_id = self._role_change(call)
        self._audit(call)
        if role_id not in member.roles:
            member.roles.append(role_id)
        return web.Response(status=204)

    async def remove_member_role(self, call: Call) -> web.StreamResponse:
        _, member, role_id = self._role_change(call)
        self._audit(call)
        if role_id in member.roles:
            member.roles.remove(role_id)
        return web.Response(status=204)
