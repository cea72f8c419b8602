"""The digest's Discord side of sending: :class:`DiscordSender` (the poster's
:class:`~bot.digest.sending.Sender` through discord.py) and :func:`digest_message`, what a
daily post is made of."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
import discord

from bot.catalog import Catalog
from bot.catalog.models import Lang, Quote
from bot.digest.sending import DigestPost, HistoryUnreadable, SendError
from bot.exts.digest._engage import engage
from bot.ui.components import daily_post_view
from bot.ui.digest import digest_embed
from bot.whosaid import round_marker

__all__ = [
    "TRANSIENT",
    "DiscordSender",
    "digest_message",
    "find_own_post",
    "render_digest",
    "send_error",
]

#: Errors that mean Discord never answered (connection trouble or a timeout).
TRANSIENT = (aiohttp.ClientError, OSError, TimeoutError)


def send_error(exc: Exception) -> SendError:
    """A failed Discord call (an HTTP error, a rate limit or no answer) as a :class:`SendError`."""
    if isinstance(exc, discord.HTTPException):
        return SendError(exc.status, exc.code, exc.text or str(exc))
    if isinstance(exc, discord.RateLimited):
        return SendError(429, 0, f"rate limited for {exc.retry_after:.1f} s")
    return SendError(0, 0, f"no answer from Discord: {exc!r}")


async def find_own_post(
    channel: discord.PartialMessageable,
    me: discord.abc.Snowflake,
    *,
    since: datetime,
    markers: tuple[str, ...],
) -> int | None:
    """The id of the bot's message since ``since`` whose embed footer ends with one of
    ``markers`` (of the channel's latest 100), if any."""
    try:
        async for message in channel.history(limit=100, after=since, oldest_first=True):
            if message.author.id != me.id:
                continue
            for embed in message.embeds:
                if (embed.footer.text or "").endswith(markers):
                    return message.id
    except (discord.HTTPException, *TRANSIENT) as exc:
        raise send_error(exc) from exc
    return None


def render_digest(catalog: Catalog, quote: Quote, lang: Lang) -> discord.Embed:
    """The digest embed exactly as it is posted (``/digest preview`` shows the same)."""
    return digest_embed(catalog, quote, lang, catalog.related_term(quote))


def digest_message(post: DigestPost) -> dict[str, Any]:
    """What a daily post sends (``Messageable.send`` keywords, besides its nonce): the one
    place a post's content is put together: the quote with its buttons (another quote, the
    speaker's profile, the source), then what ``engage`` makes of it (a round instead, the
    role and its Notify me button)."""
    return engage(
        post,
        {
            "embed": render_digest(post.catalog, post.quote, post.lang),
            "view": daily_post_view(post.catalog, post.quote, post.lang),
            "allowed_mentions": discord.AllowedMentions.none(),
        },
    )


#: Run after a post went out (guild, channel, message, post): the discussion thread.
AfterPost = Callable[[int, int, int, DigestPost], Awaitable[None]]


class DiscordSender:
    """:class:`~bot.digest.sending.Sender` through a discord.py client, without needing the
    channel in the cache."""

    def __init__(self, client: discord.Client, *, after_post: AfterPost | None = None) -> None:
        self.client = client
        self.after_post = after_post

    async def send(self, guild_id: int, channel_id: int, post: DigestPost, *, nonce: str) -> int:
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            message = await channel.send(nonce=nonce, **digest_message(post))
        except (discord.HTTPException, discord.RateLimited, *TRANSIENT) as exc:
            raise send_error(exc) from exc
        if self.after_post is not None:
            await self.after_post(guild_id, channel_id, message.id, post)
        return message.id

    async def find_sent(
        self, guild_id: int, channel_id: int, *, since: datetime, quote_id: str
    ) -> int | None:
        me = self.client.user
        if me is None:
            raise SendError(0, 0, "not logged in")
        self._require_history(guild_id, channel_id)
        channel = self.client.get_partial_messageable(channel_id, guild_id=guild_id)
        # A quote's footer ends with its id; a round's with an opaque mark (the id names the
        # speaker).
        markers = (f" {quote_id}", f" {round_marker(quote_id)}")
        return await find_own_post(channel, me, since=since, markers=markers)

    def _require_history(self, guild_id: int, channel_id: int) -> None:
        """Raise :class:`HistoryUnreadable` unless the bot may read the channel's history,
        computed from the guild's roles and the channel's overwrites (gateway cache)."""
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        me = guild.me if guild is not None else None
        if guild is None or channel is None or me is None:
            raise HistoryUnreadable("the channel is not known, so its permissions are not either")
        if isinstance(channel, discord.CategoryChannel | discord.ForumChannel):
            raise HistoryUnreadable("the channel has no message history")
        have = channel.permissions_for(me)
        if not (have.view_channel and have.read_message_history):
            raise HistoryUnreadable("the bot lacks Read Message History in the channel")
