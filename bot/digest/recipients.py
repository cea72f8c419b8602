"""Who a digest goes to, as the poster sees it: a guild's channel or a user's DMs.

The poster (:mod:`bot.digest.posting`, :mod:`bot.digest.poster`) is one design for both: claim
the recipient's local date, pick from the recipient's quote cycle, send, record. What differs
is behind :class:`Recipients`: where the settings live, which channel to send to (a user's DM
channel is opened once and remembered), what a refusal means (a guild's digest is disabled for
a lost channel; a user's is paused when Discord won't let the bot DM them), and how a refusal
is recorded. The store keeps each kind's tables apart (:class:`bot.store.RecipientKind`).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Protocol

from bot.catalog.models import Lang
from bot.digest.sending import (
    DmSender,
    FailureAction,
    Sender,
    classify_dm_failure,
    classify_failure,
)
from bot.store import (
    DisableReason,
    GuildSettings,
    RecipientKind,
    Store,
    StoreConnection,
    UserSettings,
)

__all__ = ["DigestSettings", "GuildRecipients", "Recipients", "UserRecipients"]


class DigestSettings(Protocol):
    """What the poster reads of a recipient's settings (guild's or user's)."""

    @property
    def recipient_id(self) -> int: ...
    @property
    def channel_id(self) -> int | None: ...
    @property
    def post_time(self) -> time: ...
    @property
    def timezone(self) -> str: ...
    @property
    def language(self) -> Lang: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def updated_at(self) -> datetime: ...


class Recipients(Protocol):
    """One kind of recipient: its settings, channel, sender and failure rules."""

    @property
    def kind(self) -> RecipientKind: ...
    @property
    def sender(self) -> Sender: ...

    async def settings(self, recipient_id: int) -> DigestSettings | None: ...

    async def open_channel(self, settings: DigestSettings) -> int:
        """Open the channel of a recipient that has none stored yet (one request; the caller
        took its throttle slot) and store it; raises :class:`~bot.digest.sending.SendError`
        when Discord refuses."""
        ...

    def classify(self, status: int, code: int) -> FailureAction: ...

    async def disable(
        self, recipient_id: int, reason: DisableReason, *, conn: StoreConnection
    ) -> None: ...


class GuildRecipients:
    """Guilds: the digest goes to the channel ``/digest set`` chose."""

    kind = RecipientKind.GUILD

    def __init__(self, store: Store, sender: Sender) -> None:
        self.store = store
        self.sender = sender

    async def settings(self, recipient_id: int) -> GuildSettings | None:
        return await self.store.get_settings(recipient_id)

    async def open_channel(self, settings: DigestSettings) -> int:
        # A guild's digest always has its channel: never called for one.
        raise AssertionError(f"guild {settings.recipient_id}'s digest has no channel")

    def classify(self, status: int, code: int) -> FailureAction:
        return classify_failure(status, code)

    async def disable(
        self, recipient_id: int, reason: DisableReason, *, conn: StoreConnection
    ) -> None:
        await self.store.disable_settings(recipient_id, reason, conn=conn)


class UserRecipients:
    """Users (``/mydigest``): the digest goes by DM. The DM channel is opened the first time
    and its id kept, so each later day costs one request (the send)."""

    kind = RecipientKind.USER

    def __init__(self, store: Store, sender: DmSender) -> None:
        self.store = store
        self.sender: DmSender = sender

    async def settings(self, recipient_id: int) -> UserSettings | None:
        return await self.store.get_user_settings(recipient_id)

    async def open_channel(self, settings: DigestSettings) -> int:
        channel_id = await self.sender.open_dm(settings.recipient_id)
        await self.store.set_user_channel(settings.recipient_id, channel_id)
        return channel_id

    def classify(self, status: int, code: int) -> FailureAction:
        return classify_dm_failure(status, code)

    async def disable(
        self, recipient_id: int, reason: DisableReason, *, conn: StoreConnection
    ) -> None:
        await self.store.disable_user_settings(recipient_id, reason, conn=conn)
