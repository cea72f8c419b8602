"""The Discord side of a personal digest: :class:`DiscordDmSender` opens the user's DM channel
(``POST /users/@me/channels``, once: the poster stores its id) and sends the daily quote with
the DM's buttons (:func:`personal_message`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from bot.digest.sending import DigestPost, SendError
from bot.exts.digest._sender import TRANSIENT, find_own_post, render_digest, send_error
from bot.exts.mydigest._components import personal_view

__all__ = ["DiscordDmSender", "personal_message"]


def personal_message(post: DigestPost, user_id: int) -> dict[str, Any]:
    """What a personal daily DM sends (``Messageable.send`` keywords, besides its nonce)."""
    return {
        "embed": render_digest(post.catalog, post.quote, post.lang),
        "view": personal_view(post, user_id),
        "allowed_mentions": discord.AllowedMentions.none(),
    }


class DiscordDmSender:
    """:class:`~bot.digest.sending.DmSender` through a discord.py client (no cache needed)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def open_dm(self, user_id: int) -> int:
        try:
            data = await self.client.http.start_private_message(user_id)
        except (discord.HTTPException, discord.RateLimited, *TRANSIENT) as exc:
            raise send_error(exc) from exc
        return int(data["id"])

    def _channel(self, channel_id: int) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(channel_id, type=discord.ChannelType.private)

    async def send(self, guild_id: int, channel_id: int, post: DigestPost, *, nonce: str) -> int:
        # `guild_id` is the poster's recipient: here, the user.
        try:
            message = await self._channel(channel_id).send(
                nonce=nonce, **personal_message(post, guild_id)
            )
        except (discord.HTTPException, discord.RateLimited, *TRANSIENT) as exc:
            raise send_error(exc) from exc
        return message.id

    async def find_sent(
        self, guild_id: int, channel_id: int, *, since: datetime, quote_id: str
    ) -> int | None:
        # The bot can always read its own DM channel's history.
        me = self.client.user
        if me is None:
            raise SendError(0, 0, "not logged in")
        return await find_own_post(
            self._channel(channel_id), me, since=since, markers=(f" {quote_id}",)
        )
