"""Typed rows the store returns. Frozen: they are snapshots, not live records."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

# Same values as bot.catalog.models.Lang; not imported so the store does not load the catalog.
Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

__all__ = [
    "LANGS",
    "AnswerOutcome",
    "CycleState",
    "DigestMode",
    "DisableReason",
    "GuildSettings",
    "Lang",
    "MigrationStatus",
    "PostRecord",
    "PostStatus",
    "Reason",
    "RecipientKind",
    "Round",
    "Score",
    "ThreadProblem",
    "UserSettings",
]


class RecipientKind(enum.StrEnum):
    """Who a daily digest goes to: a guild's channel, or a user by DM (``/mydigest``). Each kind
    has its own settings, quote cycles and post log, built the same way."""

    GUILD = "guild"
    USER = "user"


class DisableReason(enum.StrEnum):
    """Why a guild's digest is off; shown as a code in ``/digest status``."""

    CHANNEL_MISSING = "channel_missing"  # the channel was deleted or is not visible
    MISSING_ACCESS = "missing_access"  # Discord 50001: the bot cannot see the channel
    MISSING_PERMISSIONS = "missing_permissions"  # Discord 50013: cannot send or embed
    CHANNEL_UNSUPPORTED = "channel_unsupported"  # not a channel the bot can post in
    GUILD_UNAVAILABLE = "guild_unavailable"  # the bot left or was removed from the guild
    ADMIN = "admin"  # turned off with /digest disable
    # Personal digests (/mydigest):
    CANNOT_DM = "cannot_dm"  # Discord won't let the bot DM the user (50007, or another 403)
    USER = "user"  # turned off by the user (/mydigest off, or the Stop button)


class Reason(enum.StrEnum):
    """Why a post-log row is ``skipped`` or ``failed`` (or why a post disabled the digest);
    ``/digest status`` says each in words (``digest.reasons.<value>`` in the locale files) and
    the metrics count by it. What happened in detail is a separate text (``PostRecord.detail``).
    """

    MISSED = "missed"  # due while the bot was down, beyond the grace period
    INTERRUPTED = "interrupted"  # a crash mid-send; the message was not found afterwards
    UNVERIFIED = "unverified"  # a crash mid-send, and the channel could not be checked
    NO_HISTORY = "no_history"  # a crash mid-send, and the bot cannot read the channel's history
    NO_QUOTES = "no_quotes"  # the content packs have no quotes
    SERVER_ERROR = "server_error"  # Discord kept failing (5xx, 429, no answer) through retries
    REJECTED = "rejected"  # Discord refused the request itself (another 4xx)
    # A failure that disabled the digest: the DisableReason's value.
    CHANNEL_MISSING = "channel_missing"
    MISSING_ACCESS = "missing_access"
    MISSING_PERMISSIONS = "missing_permissions"
    CHANNEL_UNSUPPORTED = "channel_unsupported"
    GUILD_UNAVAILABLE = "guild_unavailable"
    ADMIN = "admin"
    CANNOT_DM = "cannot_dm"
    USER = "user"
    UNKNOWN = "unknown"  # a pre-0003 reason without a known code (its text is the detail)

    @classmethod
    def disabled(cls, reason: DisableReason) -> Reason:
        """The post-log reason of a failure that disabled the digest."""
        return cls(reason.value)


class DigestMode(enum.StrEnum):
    """What a guild's daily post is: a plain quote, or a "who said it?" round."""

    QUOTE = "quote"
    WHOSAID = "whosaid"


class ThreadProblem(enum.StrEnum):
    """Why a daily post's discussion thread was not opened (the post itself went out)."""

    MISSING_PERMISSIONS = "missing_permissions"  # no Create Public Threads (or no access)
    CHANNEL_UNSUPPORTED = "channel_unsupported"  # a channel type without threads
    REJECTED = "rejected"  # Discord refused it otherwise (or never answered)


class PostStatus(enum.StrEnum):
    """A post-log row's state: ``claimed`` before sending, then one of the other three."""

    CLAIMED = "claimed"
    POSTED = "posted"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    channel_id: int
    post_time: time
    timezone: str
    language: Lang
    enabled: bool
    disabled_reason: DisableReason | None
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    thread: bool = False  # open a discussion thread on each post (0005)
    role_id: int | None = None  # the opt-in role each post mentions (0005)
    mode: DigestMode = DigestMode.QUOTE  # (0005)
    thread_problem: ThreadProblem | None = None  # why the latest post has no thread (0005)

    @property
    def recipient_id(self) -> int:
        """Whom the digest goes to (the poster's key): the guild."""
        return self.guild_id


@dataclass(frozen=True, slots=True)
class UserSettings:
    """A user's personal digest (``/mydigest``); ``channel_id`` is their DM channel once opened
    (None before the first send). Off with a reason (``cannot_dm``, ``user``) keeps the rest."""

    user_id: int
    channel_id: int | None
    post_time: time
    timezone: str
    language: Lang
    enabled: bool
    disabled_reason: DisableReason | None
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def recipient_id(self) -> int:
        """Whom the digest goes to (the poster's key): the user."""
        return self.user_id


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One local date's digest outcome (at most one row per recipient and date).

    ``guild_id`` is the recipient: the guild, or the user for a personal post-log row.
    """

    guild_id: int
    local_date: date
    status: PostStatus
    quote_id: str | None
    channel_id: int | None
    message_id: int | None
    reason: Reason | None
    attempts: int
    scheduled_for: datetime
    created_at: datetime
    updated_at: datetime
    claimed_by: str | None = None  # the instance that holds a claim (None before 0002)
    detail: str | None = None  # what happened, for operators (None before 0003)


@dataclass(frozen=True, slots=True)
class CycleState:
    """Where a guild (or a user: ``guild_id`` is the recipient) is in its walk through the
    quotes."""

    guild_id: int
    cycle: int
    seed: str
    avoid_first: str | None  # the previous cycle's last quote; this cycle never opens with it
    posted: frozenset[str]  # quotes posted in this cycle
    last_quote_id: str | None  # the latest quote posted in this cycle
    started_at: datetime


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    version: int
    name: str
    applied_at: datetime | None  # None: pending
    checksum_ok: bool  # False: the applied file changed or is missing
    problem: str | None = None  # why checksum_ok is False, for `summitbot db status`


@dataclass(frozen=True, slots=True)
class Round:
    """A "who said it?" round. ``guild_id`` 0: outside any guild; ``local_date``: the daily
    round of that guild-local date (None for a ``/whosaid play`` round)."""

    id: int
    guild_id: int
    channel_id: int | None
    message_id: int | None
    quote_id: str
    local_date: date | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Score:
    """One person's "who said it?" record in a scope (a guild id, or 0 outside guilds)."""

    scope_id: int
    user_id: int
    answers: int = 0
    correct: int = 0
    streak: int = 0
    best_streak: int = 0


@dataclass(frozen=True, slots=True)
class AnswerOutcome:
    """What recording an answer did: ``first`` False when the person had already answered
    this round (``correct`` and ``speaker_id`` are then their first answer's); ``score`` is
    their score afterwards; ``answers`` how many people have answered the round."""

    first: bool
    correct: bool
    speaker_id: str
    score: Score
    answers: int
