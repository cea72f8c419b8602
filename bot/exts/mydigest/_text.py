"""What `/mydigest status` and `/mydigest now` say."""

from __future__ import annotations

import datetime as dt

from bot.catalog.models import Lang
from bot.digest.outcomes import PostOutcome, PostResult
from bot.exts.digest._text import outcome_words, reason_words, schedule_lines
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

    def outcome(record: PostRecord) -> str:
        return outcome_words(
            record,
            lang,
            link=dm_link,
            posted="mydigest.outcomes.sent",
            claimed="mydigest.outcomes.sending",
        )

    lines += schedule_lines(settings, last, now, lang, prefix="mydigest", outcome=outcome)
    return "\n".join(lines)


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
