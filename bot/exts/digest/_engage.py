"""The conversation around a daily post: the "who said it?" round it may be, the opt-in role it
mentions (with **Notify me**), the discussion thread opened on it, and how `/digest status`
words them.

:func:`engage` completes what :func:`bot.exts.digest._sender.digest_message` puts together;
:class:`ThreadOpener` runs after a post went out (a thread that cannot be opened never fails
the post: the reason is recorded for `/digest status`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal

import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote
from bot.digest.sending import DigestPost
from bot.exts.digest._notify import NotifyButton, role_problem
from bot.exts.whosaid._items import answer_view
from bot.exts.whosaid._round import round_choices, round_embed
from bot.i18n import t
from bot.store import DigestMode, GuildSettings, Store, ThreadProblem
from bot.ui.digest import digest_embed
from bot.ui.limits import truncate

log = logging.getLogger("bot.exts.digest")

__all__ = [
    "THREAD_ARCHIVE_MINUTES",
    "THREAD_NAME_LIMIT",
    "ThreadOpener",
    "channel_thread_problem",
    "engage",
    "engage_status_lines",
    "mode_of",
    "preview_embed",
    "role_refusal",
    "set_extras",
    "thread_name",
]

#: Discord's limit on a thread's name.
THREAD_NAME_LIMIT = 100
#: A post's thread archives after a day without messages (Discord: 60, 1440, 4320 or 10080).
THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Discord JSON error codes a thread creation may meet.
_NOT_THIS_CHANNEL_TYPE = 50024
_THREAD_EXISTS = 160004


def engage(post: DigestPost, message: dict[str, Any]) -> dict[str, Any]:
    """``message`` (a quote post's send keywords) as the post actually goes out: a round
    instead of the quote in ``whosaid`` mode, and the role's mention and Notify me button."""
    out = dict(message)
    view: discord.ui.View | None = out.get("view")
    if post.round_id is not None:
        out["embed"] = round_embed(
            post.catalog, post.quote, post.lang, daily=True, reveal=post.reveal
        )
        view = answer_view(post.round_id, round_choices(post.catalog, post.quote), post.lang)
    if post.role_id is not None:
        view = view if view is not None else discord.ui.View(timeout=None)
        button = NotifyButton(post.role_id, t("engage.notify", post.lang))
        button.row = 4
        view.add_item(button)
        out["content"] = f"<@&{post.role_id}>"
        # The one role, and nothing else: never @everyone, never users.
        out["allowed_mentions"] = discord.AllowedMentions(
            everyone=False, users=False, roles=[discord.Object(post.role_id)], replied_user=False
        )
    if view is not None:
        out["view"] = view
    return out


def _date(day: dt.date, lang: Lang) -> str:
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def thread_name(post: DigestPost) -> str:
    """The thread's name: the post's (local) date and its speaker (a round hides the speaker),
    in the post's language, within Discord's 100 characters."""
    day = post.day
    if post.round_id is not None:
        who = t("engage.thread_round", post.lang)
    else:
        who = post.catalog.speakers[post.quote.speaker].name.get(post.lang)
    name = t("engage.thread_name", post.lang, date=_date(day, post.lang), speaker=who)
    return truncate(name.strip(), THREAD_NAME_LIMIT)


class ThreadOpener:
    """After a post went out: open its discussion thread when the guild wants one, and
    record why not when it can't be opened."""

    def __init__(self, client: discord.Client, store: Store) -> None:
        self.client = client
        self.store = store

    async def after_post(
        self, guild_id: int, channel_id: int, message_id: int, post: DigestPost
    ) -> None:
        if not post.thread:
            return
        try:
            problem = await self._open(guild_id, channel_id, message_id, post)
        except Exception:
            log.exception("digest for guild %d: opening the thread failed", guild_id)
            problem = ThreadProblem.REJECTED
        if problem is not None:
            log.warning(
                "digest for guild %d: posted without a thread (%s)", guild_id, problem.value
            )
        try:
            await self.store.set_thread_problem(guild_id, problem)
        except Exception:
            log.exception("digest for guild %d: could not record the thread outcome", guild_id)

    async def _open(
        self, guild_id: int, channel_id: int, message_id: int, post: DigestPost
    ) -> ThreadProblem | None:
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None else None
        if channel is not None and guild is not None:
            problem = channel_thread_problem(guild, channel)
            if problem is not None:
                return problem
        try:
            await self.client.http.start_thread_with_message(
                channel_id,
                message_id,
                name=thread_name(post),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                reason="Discussion thread of the daily quote",
            )
        except discord.Forbidden:
            return ThreadProblem.MISSING_PERMISSIONS
        except discord.HTTPException as exc:
            if exc.code == _THREAD_EXISTS:
                return None  # a retried post: its thread is already there
            if exc.code == _NOT_THIS_CHANNEL_TYPE:
                return ThreadProblem.CHANNEL_UNSUPPORTED
            log.warning("digest for guild %d: thread refused: %s", guild_id, exc)
            return ThreadProblem.REJECTED
        return None


def channel_thread_problem(guild: discord.Guild, channel: Any) -> ThreadProblem | None:
    """Why a post in ``channel`` can't get a thread (None: it can), from the gateway cache."""
    if not isinstance(channel, discord.TextChannel):  # text and announcement channels
        return ThreadProblem.CHANNEL_UNSUPPORTED
    me = guild.me
    if me is None:
        return None  # can't tell: try, and let Discord say
    if not channel.permissions_for(me).create_public_threads:
        return ThreadProblem.MISSING_PERMISSIONS
    return None


def engage_status_lines(
    settings: GuildSettings, guild: discord.Guild | None, lang: Lang
) -> list[str]:
    """`/digest status`'s lines for the post's mode, thread and role, with what stops them."""
    lines = [t("engage.status_mode", lang, mode=t(f"engage.modes.{settings.mode.value}", lang))]
    if not settings.thread:
        state = t("engage.off", lang)
    else:
        problem = settings.thread_problem
        if problem is None and guild is not None:
            channel = guild.get_channel(settings.channel_id)
            if channel is not None:
                problem = channel_thread_problem(guild, channel)
        state = (
            t("engage.on", lang)
            if problem is None
            else t(
                "engage.status_thread_problem",
                lang,
                reason=t(f"engage.thread_problems.{problem.value}", lang),
            )
        )
    lines.append(t("engage.status_thread", lang, state=state))
    if settings.role_id is None:
        lines.append(t("engage.status_role", lang, role=t("engage.none", lang)))
    else:
        mention = f"<@&{settings.role_id}>"
        why = role_problem(guild, settings.role_id) if guild is not None else None
        if why is None:
            lines.append(t("engage.status_role", lang, role=mention))
        else:
            lines.append(
                t(
                    "engage.status_role_problem",
                    lang,
                    role=mention,
                    why=t(f"engage.notify_why.{why}", lang),
                )
            )
    return lines


def mode_of(value: str | None) -> DigestMode:
    """The ``mode`` option's value as a :class:`DigestMode` (absent: a plain quote)."""
    return DigestMode(value) if value else DigestMode.QUOTE


def role_refusal(role: discord.Role, lang: Lang) -> str | None:
    """Why ``role`` can't be the daily post's role (None: it can): @everyone/@here (the
    guild's default role) pings everyone, and a managed role can't be given by anyone."""
    if role.is_default():
        return t("engage.refuse_default_role", lang)
    if role.managed:
        return t("engage.refuse_managed_role", lang, role=role.mention)
    return None


def set_extras(
    settings: GuildSettings, guild: discord.Guild, channel: discord.TextChannel, lang: Lang
) -> list[str]:
    """What `/digest set` adds to its answer: the mode, thread and role saved, and a warning
    for each that can't work yet (a missing permission, a role above the bot's)."""
    role = f"<@&{settings.role_id}>" if settings.role_id is not None else t("engage.none", lang)
    lines = [
        t(
            "engage.set_extras",
            lang,
            mode=t(f"engage.modes.{settings.mode.value}", lang),
            thread=t("engage.on" if settings.thread else "engage.off", lang),
            role=role,
        )
    ]
    if settings.thread:
        problem = channel_thread_problem(guild, channel)
        if problem is ThreadProblem.MISSING_PERMISSIONS:
            lines.append(t("engage.warn_thread_permission", lang, channel=channel.mention))
        elif problem is ThreadProblem.CHANNEL_UNSUPPORTED:
            lines.append(t("engage.warn_thread_channel", lang, channel=channel.mention))
    if settings.role_id is not None:
        why = role_problem(guild, settings.role_id)
        if why is not None:
            lines.append(
                t("engage.warn_role", lang, role=role, why=t(f"engage.notify_why.{why}", lang))
            )
        # Discord pings a role that isn't mentionable only for Mention @everyone holders.
        target = guild.get_role(settings.role_id)
        me = guild.me
        if (
            target is not None
            and me is not None
            and not target.mentionable
            and not channel.permissions_for(me).mention_everyone
        ):
            lines.append(t("engage.warn_role_mention", lang, role=role))
    return lines


def preview_embed(
    catalog: Catalog, quote: Quote, lang: Lang, settings: GuildSettings | None
) -> discord.Embed:
    """`/digest preview`: the next post's embed exactly as it will go out (a round in
    ``whosaid`` mode, answered by nobody yet)."""
    if settings is not None and settings.mode is DigestMode.WHOSAID:
        return round_embed(catalog, quote, lang, daily=True)
    return digest_embed(catalog, quote, lang, catalog.related_term(quote))
