"""What one attempt to post a guild's digest did: :class:`PostResult` (logged, counted in the
metrics, and shown by ``/digest now``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from bot.store import DisableReason, PostRecord, PostStatus, Reason

__all__ = ["PostOutcome", "PostResult", "already", "late_detail"]


class PostOutcome(enum.StrEnum):
    POSTED = "posted"  # sent and recorded
    ALREADY = "already"  # the date already had a row; nothing sent
    SKIPPED = "skipped"  # recorded as skipped (missed beyond grace, no quotes, interrupted)
    FAILED = "failed"  # recorded as failed after the retries (or a request Discord refuses)
    DISABLED = "disabled"  # recorded as failed and the guild's digest turned off
    NOT_ENABLED = "not_enabled"  # no settings, or the digest is off: nothing to do
    NOTHING_DUE = "nothing_due"  # startup: nothing was missed


@dataclass(frozen=True, slots=True)
class PostResult:
    """What one attempt to post a guild's digest did (also logged).

    ``reason`` is the recorded row's reason code (skipped, failed, disabled, or the existing
    row's for ALREADY); ``detail`` says what happened, for operators.
    """

    guild_id: int
    outcome: PostOutcome
    local_date: date | None = None
    message_id: int | None = None
    channel_id: int | None = None
    quote_id: str | None = None
    attempts: int = 0
    reason: Reason | None = None
    detail: str | None = None
    disabled: DisableReason | None = None
    status: PostStatus | None = None  # the row's state, for ALREADY


def already(guild_id: int, day: date, existing: PostRecord | None) -> PostResult:
    """The result for a date that already has a row: nothing sent."""
    return PostResult(
        guild_id,
        PostOutcome.ALREADY,
        day,
        message_id=existing.message_id if existing else None,
        channel_id=existing.channel_id if existing else None,
        quote_id=existing.quote_id if existing else None,
        reason=existing.reason if existing else None,
        detail=existing.detail if existing else None,
        status=existing.status if existing else None,
    )


def late_detail(late_by: timedelta, grace: timedelta) -> str:
    """How late a missed post is, for the detail of a ``missed``/``interrupted`` row."""
    minutes = int(late_by.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"late by {hours} h {minutes:02d} min, beyond the "
        f"{grace.total_seconds() / 3600:g} h grace period"
    )
