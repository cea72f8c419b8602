"""What the poster asks of Discord (:class:`Sender`) and what a refusal means.

The poster never talks to Discord itself: it hands a :class:`DigestPost` to a :class:`Sender`
(the Discord-side one is ``bot.exts.digest.sender.DiscordSender``), which raises
:class:`SendError` with the HTTP status and Discord's JSON error code when Discord refuses.
:func:`classify_failure` decides from those two numbers whether to try again or to disable the
guild's digest. Discord's error codes are plain ints here, so this stays Discord-free.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote
from bot.store import DisableReason

__all__ = [
    "CANNOT_DM",
    "CANNOT_SEND_IN_NON_TEXT",
    "MISSING_ACCESS",
    "UNKNOWN_GUILD",
    "DigestPost",
    "DmSender",
    "FailureAction",
    "HistoryUnreadable",
    "SendError",
    "Sender",
    "classify_dm_failure",
    "classify_failure",
    "digest_nonce",
]

# Discord JSON error codes the poster acts on.
UNKNOWN_GUILD = 10004
MISSING_ACCESS = 50001
CANNOT_SEND_IN_NON_TEXT = 50008
CANNOT_DM = 50007  # "Cannot send messages to this user": DMs closed, or no shared server


@dataclass(frozen=True, slots=True)
class DigestPost:
    """One daily post to send: a quote of ``catalog`` in ``lang`` (the sender renders it).

    ``round_id``: the post is that "who said it?" round (``mode: whosaid``), and ``reveal``
    the previous daily round's quote, whose answer it reveals. ``role_id``: the opt-in role
    to mention; ``thread``: open a discussion thread on the post, named from ``day``.
    """

    catalog: Catalog
    quote: Quote
    lang: Lang
    day: date
    thread: bool = False
    role_id: int | None = None
    round_id: int | None = None
    reveal: Quote | None = None


class SendError(Exception):
    """A send (or a channel lookup) that Discord refused or that never got an answer.

    ``status`` is the HTTP status (0: no response: connection error or timeout); ``code`` is
    Discord's JSON error code (0 when there is none).
    """

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"HTTP {status} (code {code}): {message}" if status else message)
        self.status = status
        self.code = code
        self.message = message


class HistoryUnreadable(Exception):
    """The bot cannot read the channel's message history, so looking for a message proves
    nothing: without Read Message History Discord answers a history request with no messages."""


class Sender(Protocol):
    """The Discord calls the poster makes; raises :class:`SendError` when Discord refuses."""

    async def send(self, guild_id: int, channel_id: int, post: DigestPost, *, nonce: str) -> int:
        """Post the digest to the channel; return the message id."""
        ...

    async def find_sent(
        self, guild_id: int, channel_id: int, *, since: datetime, quote_id: str
    ) -> int | None:
        """The id of a digest for ``quote_id`` this bot posted in the channel after ``since``;
        None only when the channel's history was read and it is not there. Raises
        :class:`HistoryUnreadable` when the bot cannot read the history (or cannot tell)."""
        ...


class DmSender(Sender, Protocol):
    """A :class:`Sender` for personal digests: ``guild_id`` is the user, ``channel_id`` their
    DM channel, which :meth:`open_dm` opens (``POST /users/@me/channels``) the first time."""

    async def open_dm(self, user_id: int) -> int:
        """Open (or get) the DM channel with the user; return its id."""
        ...


@dataclass(frozen=True, slots=True)
class FailureAction:
    """What a failed send means: try again, or give up (disabling the digest, or not)."""

    retry: bool
    disable: DisableReason | None = None


def classify_failure(status: int, code: int) -> FailureAction:
    """Decide what a failed send means from its HTTP status and Discord error code."""
    if status == 0 or status == 429 or status >= 500:
        return FailureAction(retry=True)
    if status == 404:
        if code == UNKNOWN_GUILD:
            return FailureAction(False, DisableReason.GUILD_UNAVAILABLE)
        return FailureAction(False, DisableReason.CHANNEL_MISSING)
    if status == 403:
        if code == MISSING_ACCESS:
            return FailureAction(False, DisableReason.MISSING_ACCESS)
        return FailureAction(False, DisableReason.MISSING_PERMISSIONS)
    if status == 400 and code == CANNOT_SEND_IN_NON_TEXT:
        return FailureAction(False, DisableReason.CHANNEL_UNSUPPORTED)
    # Any other 4xx is a request Discord will refuse again the same way: record it, keep going.
    return FailureAction(retry=False)


def classify_dm_failure(status: int, code: int) -> FailureAction:
    """Decide what a failed DM (or DM-channel open) means: Discord refusing to let the bot DM
    the user (50007, any 403, an unknown user) pauses the personal digest; server errors are
    retried as for guilds."""
    if status == 0 or status == 429 or status >= 500:
        return FailureAction(retry=True)
    if code == CANNOT_DM or status in (403, 404):
        return FailureAction(False, DisableReason.CANNOT_DM)
    return FailureAction(retry=False)


def digest_nonce(guild_id: int, local_date: date) -> str:
    """The send's nonce (≤ 25 characters): the same for every attempt of one recipient's
    date."""
    return hashlib.sha256(f"{guild_id}:{local_date.isoformat()}".encode()).hexdigest()[:25]
