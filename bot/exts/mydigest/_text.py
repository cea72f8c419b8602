"""What `/mydigest status` and `/mydigest now` say."""

from __future__ import annotations

import datetime as dt

from bot.catalog.models import Lang
from bot.digest.due import format_post_time, next_n_due
from bot.digest.outcomes import PostOutcome, PostResult
from bot.exts.digest._text import reason_words, timestamp
from bot.i18n import t
from bot.store import DisableReason, PostRecord, PostStatus, UserSettings

__all__ = ["dm_link", "now_text", "status_text"]


def dm_link(channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/@me/{channel_id}/{message_id}"


def _paused_lines(settings: UserSettings, lang: Lang) -> list[str]:
    reason = settings.disabled_reason
    lines = [t("mydigest.status.header_off", lang, reason=reason_words(reason, None, lang))]
    if reason is DisableReason.CANNOT_DM:
        lines.append(t("mydigest.status.fix_dms", lang))
    else:
        lines.append(t("mydigest.status.resume_hint", lang))
    return lines


def status_text(
    settings: UserSettings, last: PostRecord | None, now: dt.datetime, lang: Lang
) -> str:
    """On, or off and why (with how to fix it), when, the next three DMs and the last one."""
    lines = [t("mydigest.status.header_on", lang)] if settings.enabled else []
    if not settings.enabled:
        lines += _paused_lines(settings, lang)
    lines.append(
        t(
            "digest.status.time",
            lang,
            time=format_post_time(settings.post_time),
            zone=settings.timezone,
        )
    )
    lines.append(
        t("digest.status.language", lang, language=t(f"digest.languages.{settings.language}", lang))
    )
    if settings.enabled:
        upcoming = [
            due
            for due in next_n_due(now, settings.post_time, settings.timezone, 4)
            if last is None or due.local_date > last.local_date
        ][:3]
        lines.append(
            t("mydigest.status.next", lang, times=", ".join(timestamp(d.instant) for d in upcoming))
        )
    if last is None:
        lines.append(t("mydigest.status.last_none", lang))
    else:
        lines.append(
            t(
                "mydigest.status.last",
                lang,
                date=last.local_date.isoformat(),
                outcome=_outcome_words(last, lang),
            )
        )
    return "\n".join(lines)


def _outcome_words(record: PostRecord, lang: Lang) -> str:
    if record.status is PostStatus.POSTED and record.message_id and record.channel_id:
        return t("mydigest.outcomes.sent", lang, link=dm_link(record.channel_id, record.message_id))
    if record.status is PostStatus.CLAIMED:
        return t("mydigest.outcomes.sending", lang)
    key = "skipped" if record.status is PostStatus.SKIPPED else "failed"
    return t(
        f"digest.outcomes.{key}", lang, reason=reason_words(record.reason, record.detail, lang)
    )


def now_text(result: PostResult, lang: Lang) -> str:
    """`/mydigest now`: what the attempt to send today's quote did."""
    link = (
        dm_link(result.channel_id, result.message_id)
        if result.channel_id and result.message_id
        else ""
    )
    reason = reason_words(result.reason, result.detail, lang)
    if result.outcome is PostOutcome.POSTED:
        return t("mydigest.now.sent", lang, link=link)
    if result.outcome is PostOutcome.ALREADY:
        if result.status is PostStatus.POSTED:
            return t("mydigest.now.already", lang, link=link)
        if result.status is PostStatus.CLAIMED:
            return t("mydigest.now.in_progress", lang)
        if result.status is PostStatus.SKIPPED:
            return t("digest.now.skipped", lang, reason=reason)
    if result.outcome is PostOutcome.DISABLED:
        return t("mydigest.now.paused", lang, reason=reason)
    if result.outcome is PostOutcome.SKIPPED:
        return t("digest.now.skipped", lang, reason=reason)
    if result.outcome is PostOutcome.NOT_ENABLED:
        return t("mydigest.not_configured", lang)
    return t("digest.now.failed", lang, reason=reason)
