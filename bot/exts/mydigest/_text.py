"""What `/mydigest status` and `/mydigest now` say."""

from __future__ import annotations

import datetime as dt

from bot.catalog.models import Lang
from bot.digest.outcomes import PostResult
from bot.exts.digest._text import now_words, outcome_words, reason_words, schedule_lines
from bot.i18n import t
from bot.store import DisableReason, PostRecord, UserSettings

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
    return now_words(result, lang, link=dm_link, prefix="mydigest", posted="sent", off="paused")
