"""Discord permission bits and the channel-permission algorithm Discord documents."""

from __future__ import annotations

from dataclasses import dataclass

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38

ALL = (1 << 51) - 1

#: What @everyone gets in a new guild (roughly Discord's default set).
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | MENTION_EVERYONE
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)

#: What the bot's managed role gets when it joins (the invite asked for these).
DEFAULT_BOT = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | ATTACH_FILES

#: Lost with SEND_MESSAGES in a text channel.
_NEEDS_SEND = MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


def base_permissions(*, everyone: int, role_permissions: list[int], is_owner: bool) -> int:
    """Guild-level permissions: @everyone OR'd with the member's roles; owner and admin get all."""
    if is_owner:
        return ALL
    perms = everyone
    for value in role_permissions:
        perms |= value
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(
    base: int,
    *,
    guild_id: int,
    member_id: int,
    member_role_ids: list[int],
    overwrites: dict[int, Overwrite],
) -> int:
    """Apply a channel's overwrites to guild-level permissions, in Discord's order."""
    if base & ADMINISTRATOR:
        return ALL
    perms = base
    everyone = overwrites.get(guild_id)
    if everyone is not None:
        perms &= ~everyone.deny
        perms |= everyone.allow
    allow = deny = 0
    for role_id in member_role_ids:
        ow = overwrites.get(role_id)
        if ow is not None and ow.type == 0:
            allow |= ow.allow
            deny |= ow.deny
    perms &= ~deny
    perms |= allow
    member_ow = overwrites.get(member_id)
    if member_ow is not None and member_ow.type == 1:
        perms &= ~member_ow.deny
        perms |= member_ow.allow
    if not perms & VIEW_CHANNEL:
        return 0
    if not perms & SEND_MESSAGES:
        perms &= ~_NEEDS_SEND
    return perms
