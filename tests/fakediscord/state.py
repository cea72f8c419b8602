"""What the fake Discord knows: users, guilds, roles, channels, members, messages, commands.

The dataclasses here are also the handles tests hold (``guild.id``, ``guild.channel("general")``);
``to_json`` renders each one the way Discord's API and gateway do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import permissions as perms
from .permissions import Overwrite

JSON = dict[str, Any]

# Channel types.
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4
GUILD_ANNOUNCEMENT = 5

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat()


@dataclass(eq=False)
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    def to_json(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "avatar": None,
            "global_name": self.global_name,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False

    def to_json(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass(eq=False)
class Channel:
    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    parent_id: int | None = None
    nsfw: bool = False
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    recipient: User | None = None
    last_message_id: int | None = None

    def to_json(self) -> JSON:
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": _opt_id(self.last_message_id),
                "flags": 0,
                "recipients": [self.recipient.to_json()] if self.recipient else [],
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [ow.to_json() for ow in self.overwrites.values()],
            "parent_id": _opt_id(self.parent_id),
            "flags": 0,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.type in (GUILD_TEXT, GUILD_ANNOUNCEMENT):
            data.update(
                topic=self.topic,
                nsfw=self.nsfw,
                rate_limit_per_user=0,
                last_message_id=_opt_id(self.last_message_id),
            )
        return data


@dataclass(eq=False)
class Member:
    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def id(self) -> int:
        return self.user.id

    def to_json(self, *, with_user: bool = True) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_json()
        return data


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    joined_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def everyone(self) -> Role:
        return self.roles[self.id]

    def channel(self, name: str) -> Channel:
        """The channel called ``name`` (KeyError if there is none: the test is wrong)."""
        for ch in self.channels.values():
            if ch.name == name:
                return ch
        raise KeyError(f"guild {self.name!r} has no channel {name!r}")

    @property
    def text_channels(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.type == GUILD_TEXT]

    def member(self, user: User | int) -> Member:
        uid = user if isinstance(user, int) else user.id
        return self.members[uid]

    def member_permissions(self, member: Member) -> int:
        return perms.base_permissions(
            everyone=self.everyone.permissions,
            role_permissions=[self.roles[r].permissions for r in member.roles if r in self.roles],
            is_owner=member.id == self.owner_id,
        )

    def channel_permissions(self, member: Member, channel: Channel) -> int:
        return perms.channel_permissions(
            self.member_permissions(member),
            guild_id=self.id,
            member_id=member.id,
            member_role_ids=member.roles,
            overwrites=channel.overwrites,
        )

    def to_json(self, *, members: list[Member] | None = None) -> JSON:
        """The full guild object as GUILD_CREATE carries it."""
        listed = list(self.members.values()) if members is None else members
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "preferred_locale": self.preferred_locale,
            "features": [],
            "roles": [r.to_json() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "max_members": 500000,
            "max_presences": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw": False,
            "widget_enabled": False,
            "widget_channel_id": None,
            "application_id": None,
            "incidents_data": None,
            # GUILD_CREATE-only fields.
            "joined_at": iso(self.joined_at),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [m.to_json() for m in listed],
            "channels": [c.to_json() for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def to_rest_json(self) -> JSON:
        """The guild object as GET /guilds/{id} returns it."""
        data = self.to_json(members=[])
        for key in (
            "joined_at",
            "large",
            "unavailable",
            "member_count",
            "voice_states",
            "members",
            "channels",
            "threads",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ):
            data.pop(key)
        return data


@dataclass(eq=False)
class Message:
    id: int
    channel_id: int
    author: User
    guild_id: int | None = None
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    attachments: list[JSON] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: datetime = field(default_factory=lambda: datetime.now(UTC))
    edited_timestamp: datetime | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: JSON | None = None
    interaction: JSON | None = None
    tts: bool = False
    deleted: bool = False
    #: Every body that created or edited this message, in order.
    history: list[JSON] = field(default_factory=list)
    #: Whom the message notified when it was created (``engage.pings``).
    pings: Any = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    def to_json(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "channel_id": str(self.channel_id),
            "author": self.author.to_json(),
            "content": self.content,
            "embeds": self.embeds,
            "components": self.components,
            "attachments": self.attachments,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": self.tts,
            "timestamp": iso(self.timestamp),
            "edited_timestamp": iso(self.edited_timestamp) if self.edited_timestamp else None,
            "flags": self.flags,
        }
        if self.webhook_id is not None:
            data["webhook_id"] = str(self.webhook_id)
        if self.application_id is not None:
            data["application_id"] = str(self.application_id)
        if self.interaction_metadata is not None:
            data["interaction_metadata"] = self.interaction_metadata
        if self.interaction is not None:
            data["interaction"] = self.interaction
        return data

    def apply_edit(self, body: JSON, *, at: datetime) -> None:
        """Apply a PATCH body (only the keys present change)."""
        if "content" in body:
            self.content = body["content"] or ""
        if "embeds" in body:
            self.embeds = [normalize_embed(e) for e in body["embeds"] or []]
        if "components" in body:
            self.components = body["components"] or []
        if "attachments" in body:
            self.attachments = body["attachments"] or []
        if body.get("flags") is not None:
            # Only SUPPRESS_EMBEDS may change on edit; EPHEMERAL stays what it was.
            self.flags = (self.flags & ~(1 << 2)) | (int(body["flags"]) & (1 << 2))
        self.flags &= ~LOADING
        self.edited_timestamp = at
        self.history.append(body)


def normalize_embed(embed: JSON) -> JSON:
    """Embeds as Discord stores them: ``type: rich`` and no null members."""
    out = {k: v for k, v in embed.items() if v is not None}
    out.setdefault("type", "rich")
    if "fields" in out:
        out["fields"] = [{"inline": False, **f} for f in out["fields"]]
    return out


@dataclass(eq=False)
class Command:
    """A registered application command, stored as Discord echoes it back."""

    id: int
    application_id: int
    guild_id: int | None
    payload: JSON
    version: int

    @property
    def name(self) -> str:
        return str(self.payload["name"])

    @property
    def type(self) -> int:
        return int(self.payload.get("type") or 1)

    def option(self, *path: str) -> JSON | None:
        """The option object at ``path`` (subcommand group / subcommand / option names)."""
        options: list[JSON] = self.payload.get("options") or []
        found: JSON | None = None
        for name in path:
            found = next((o for o in options if o["name"] == name), None)
            if found is None:
                return None
            options = found.get("options") or []
        return found

    def to_json(self) -> JSON:
        p = self.payload
        data: JSON = {
            "id": str(self.id),
            "application_id": str(self.application_id),
            "version": str(self.version),
            "type": self.type,
            "name": p["name"],
            "name_localizations": p.get("name_localizations"),
            "description": p.get("description") or "",
            "description_localizations": p.get("description_localizations"),
            "default_member_permissions": _perm_str(p.get("default_member_permissions")),
            "dm_permission": p.get("dm_permission", True) if self.guild_id is None else None,
            "contexts": p.get("contexts"),
            "integration_types": p.get("integration_types") or [0],
            "nsfw": bool(p.get("nsfw", False)),
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
            del data["dm_permission"]
        if p.get("options"):
            data["options"] = p["options"]
        return data


def _perm_str(value: object) -> str | None:
    if value is None:
        return None
    return str(value)


def _opt_id(value: int | None) -> str | None:
    return None if value is None else str(value)
