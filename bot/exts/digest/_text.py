"""What `/digest status` and `/digest now` say: settings, next posts, the last post's outcome
and failure reasons in words (``digest.reasons.<code>`` in the locale files)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.catalog.models import Lang
from bot.digest.due import format_post_time, next_n_due
from bot.digest.outcomes import PostOutcome, PostResult
from bot.i18n import t
from bot.store import (
    DisableReason,
    GuildSettings,
    PostRecord,
    PostStatus,
    Reason,
    UserSettings,
)
from bot.ui.text import echo

__all__ = [
    "disabled_text",
    "message_link",
    "now_text",
    "now_words",
    "outcome_words",
    "reason_words",
    "schedule_lines",
    "status_text",
    "timestamp",
]


def message_link(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def timestamp(instant: dt.datetime, style: str = "F") -> str:
    """A Discord timestamp: every reader sees it in their own time zone and language."""
    return f"<t:{int(instant.timestamp())}:{style}>"


def reason_words(reason: Reason | DisableReason | None, detail: str | None, lang: Lang) -> str:
    """A post-log or disable reason in words; an unknown one (a pre-0003 row) shows its text."""
    if reason is None:
        return t("digest.reasons.unknown", lang, reason="?")
    if reason is Reason.UNKNOWN:
        return t("digest.reasons.unknown", lang, reason=echo(detail or "?", 200))
    return t(f"digest.reasons.{reason.value}", lang)


def disabled_text(settings: GuildSettings, lang: Lang) -> str:
    """The header of a digest that is off, with its reason."""
    return t(
        "digest.status.header_off", lang, reason=reason_words(settings.disabled_reason, None, lang)
    )


def status_text(
    settings: GuildSettings, last: PostRecord | None, now: dt.datetime, lang: Lang
) -> str:
    """`/digest status`: on or off (and why), where, when, the next posts and the last one."""
    lines: list[str] = []
    if settings.enabled:
        lines.append(t("digest.status.header_on", lang))
    else:
        lines.append(disabled_text(settings, lang))
        if settings.disabled_reason is not DisableReason.ADMIN:
            lines.append(t("digest.status.fix_hint", lang))
    lines.append(t("digest.status.channel", lang, channel=f"<#{settings.channel_id}>"))
    guild_id = settings.guild_id

    def outcome(record: PostRecord) -> str:
        return outcome_words(
            record,
            lang,
            link=lambda channel_id, message_id: message_link(guild_id, channel_id, message_id),
            posted="digest.outcomes.posted",
            claimed="digest.outcomes.claimed",
        )

    lines += schedule_lines(settings, last, now, lang, prefix="digest", outcome=outcome)
    return "\n".join(lines)


def schedule_lines(
    settings: GuildSettings | UserSettings,
    last: PostRecord | None,
    now: dt.datetime,
    lang: Lang,
    *,
    prefix: str,
    outcome: Callable[[PostRecord], str],
) -> list[str]:
    """A guild or personal digest's status from its time on: when, in which language, the
    next three dates (when on) and the last one's ``outcome``; ``prefix`` picks the locale
    keys (``digest`` or ``mydigest``)."""
    lines = [
        t(
            "digest.status.time",
            lang,
            time=format_post_time(settings.post_time),
            zone=settings.timezone,
        ),
        t(
            "digest.status.language",
            lang,
            language=t(f"digest.languages.{settings.language}", lang),
        ),
    ]
    if settings.enabled:
        # A date that already has a post-log row (e.g. from `/digest now`) won't post again.
        upcoming = [
            due
            for due in next_n_due(now, settings.post_time, settings.timezone, 4)
            if last is None or due.local_date > last.local_date
        ][:3]
        times = ", ".join(timestamp(due.instant) for due in upcoming)
        lines.append(t(f"{prefix}.status.next", lang, times=times))
    if last is None:
        lines.append(t(f"{prefix}.status.last_none", lang))
    else:
        lines.append(
            t(
                f"{prefix}.status.last",
                lang,
                date=last.local_date.isoformat(),
                outcome=outcome(last),
            )
        )
    return lines


def outcome_words(
    record: PostRecord, lang: Lang, *, link: Callable[[int, int], str], posted: str, claimed: str
) -> str:
    """The last post's outcome in words; ``link`` makes a message's link from its channel and
    message ids, ``posted`` and ``claimed`` are the locale keys of a sent and an unfinished post."""
    if record.status is PostStatus.POSTED and record.message_id and record.channel_id:
        return t(posted, lang, link=link(record.channel_id, record.message_id))
    if record.status is PostStatus.CLAIMED:
        return t(claimed, lang)
    key = "skipped" if record.status is PostStatus.SKIPPED else "failed"
    reason = reason_words(record.reason, record.detail, lang)
    return t(f"digest.outcomes.{key}", lang, reason=reason)


def now_text(guild_id: int, result: PostResult, lang: Lang) -> str:
    """`/digest now`: what the attempt to post today's quote did."""

    def link(channel_id: int, message_id: int) -> str:
        return message_link(guild_id, channel_id, message_id)

    return now_words(result, lang, link=link, prefix="digest", posted="posted", off="disabled")


def now_words(
    result: PostResult,
    lang: Lang,
    *,
    link: Callable[[int, int], str],
    prefix: str,
    posted: str,
    off: str,
) -> str:
    """What a `now` command's attempt did, in words. ``link`` makes the post's link from its
    channel and message ids; ``prefix`` is the command's locale section (`digest`, `mydigest`),
    ``posted`` and ``off`` the keys under ``<prefix>.now`` of a sent post and of a digest the
    attempt turned off. Skips and failures read the same for both (``digest.now.*``)."""
    channel = f"<#{result.channel_id}>" if result.channel_id else "?"
    post_link = (
        link(result.channel_id, result.message_id)
        if result.channel_id and result.message_id
        else ""
    )
    reason = reason_words(result.reason, result.detail, lang)
    if result.outcome is PostOutcome.POSTED:
        return t(f"{prefix}.now.{posted}", lang, channel=channel, link=post_link)
    if result.outcome is PostOutcome.ALREADY:
        if result.status is PostStatus.POSTED:
            return t(f"{prefix}.now.already", lang, link=post_link)
        if result.status is PostStatus.CLAIMED:
            return t(f"{prefix}.now.in_progress", lang)
        if result.status is PostStatus.SKIPPED:
            return t("digest.now.skipped", lang, reason=reason)
    if result.outcome is PostOutcome.DISABLED:
        return t(f"{prefix}.now.{off}", lang, reason=reason)
    if result.outcome is PostOutcome.SKIPPED:
        return t("digest.now.skipped", lang, reason=reason)
    if result.outcome is PostOutcome.NOT_ENABLED:
        return t(f"{prefix}.not_configured", lang)
    return t("digest.now.failed", lang, reason=reason)
