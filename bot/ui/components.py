"""Buttons that outlive the process: every button the bot sends is a `discord.ui.DynamicItem`.

A button's `custom_id` carries everything its click needs, so nothing is kept in memory per
message and a click works on any message the bot ever sent, after any restart. discord.py
matches an incoming click's `custom_id` against each registered item's `template` and builds
the item with `from_custom_id`; its `callback` answers. discord.py calls *every* registered
item whose template matches, so the templates are disjoint: `Unanswerable` claims only `sb:`
ids no item here takes and discord.py's old random ids, never the extensions' own (Notify me's
`digest-notify:`, a DM's `mydigest:stop:`, a round's `ws:`). The formats (≤ 100 characters,
Discord's limit; written and read by `bot.ui.custom_ids`; ids travel as 8-character
`short_key`s, which stay valid across content reloads for as long as the id exists):

    sb:qa:<owner>:<quote>:<speaker>:<topic>:[@<event>:]<search>   another quote (same filters)
    sb:sp:<speaker>                                          a speaker's profile, privately
    ws-profile:<speaker id>                                  the same, as /whosaid sent it once
    sb:sq:<speaker>                                          a speaker's quotes, a private pager
    sb:pg:<owner>:<page>:<p|n>:<stamp>:<speaker>:<topic>:[@<event>:]<search>   turn a page

`owner` is the user id, in base 36, of the only user whose click may change the message in
place. A pager carries it; "another" leaves it empty (buttons sent before this carried it and
are still honoured): whose a quote is comes from the clicked message itself, which Discord
sends with the click (`interaction_metadata`: the user whose command or click it answered;
a daily post has none, so its buttons answer everyone privately). So a quote's buttons are
the same for everyone and their view is built once (`quote_view`). `quote`, `speaker`,
`topic` are keys or "" for "any"; `@<event>:` is the key of the summit the quotes come
from, left out for every summit ("@:" when a search starts with "@", so the two never mix);
`search` is the search words, whitespace collapsed and cut to `SEARCH_KEPT` characters (a cut
search matches every quote the whole one did); `stamp` is the key of the pager's list when it
was opened, so a turn can say that a content update changed it. A click whose ids no longer
resolve (a content reload removed them) or whose `custom_id` is malformed is answered
privately with a clear message.

The views these functions build are only containers for the components' JSON: plain buttons
with the items' custom_ids (each item's `button`), stopped before they are sent, so discord.py
neither stores them nor starts a timeout task. The items themselves are built by discord.py
from a click. Another feature may add its own persistent items to a view of its own (a DM's
Stop, a daily post's Notify me): they are sent in rows after these buttons. A view several
messages share (`quote_view`'s) refuses them.
"""

from __future__ import annotations

import abc
import logging
import random
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.catalog import Catalog, short_key
from bot.catalog.models import Lang, Pack, Quote, Speaker
from bot.i18n import t
from bot.ui._embeds import renders
from bot.ui.custom_ids import (
    ANOTHER,
    MAX_PAGE,
    ONE_KEY,
    PAGE,
    QuoteFilters,
    decode_filters,
    encode_filters,
    list_stamp,
    owner_text,
)
from bot.ui.quotes import clamp_page, page_count, quote_embed, quotes_page_embed
from bot.ui.replies import NO_MENTIONS, guarded, lang_of, reply_private
from bot.ui.speakers import speaker_embed

if TYPE_CHECKING:
    from bot.app import SummitBot

log = logging.getLogger(__name__)

#: Quotes per page in a pager (keeps each page well inside embed limits).
PER_PAGE = 5


# --- answering a click ------------------------------------------------------------------------


class _Answer(abc.ABC):
    """How every button answers: the click's ids in each log line, a private note for a
    `custom_id` that no longer resolves, and failures through the tree's one error handler
    (logged with an id, a short apology) instead of discord.py's silent log line."""

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await guarded(interaction, lambda: self.answer(interaction))

    @abc.abstractmethod
    async def answer(self, interaction: discord.Interaction[SummitBot]) -> None:
        """Answer the click."""


async def _stale(interaction: discord.Interaction[SummitBot]) -> None:
    """The answer to a button whose ids no longer resolve, or whose custom_id is malformed."""
    await reply_private(interaction, t("errors.button_stale", lang_of(interaction)))


#: A button as Discord's JSON (a message component of type 2).
ButtonJSON = dict[str, Any]

_BUTTON = discord.ComponentType.button.value
_ACTION_ROW = discord.ComponentType.action_row.value


def _button(
    custom_id: str, label: str, style: discord.ButtonStyle, *, disabled: bool = False
) -> ButtonJSON:
    return {
        "type": _BUTTON,
        "style": style.value,
        "label": label,
        "custom_id": custom_id,
        "disabled": disabled,
    }


def _placeholder(item: discord.ui.Item[Any]) -> discord.ui.Button[discord.ui.View]:
    """The clicked button as discord.py rebuilt it from the message (its label and style)."""
    if isinstance(item, discord.ui.Button):
        return discord.ui.Button(label=item.label, style=item.style, custom_id=item.custom_id)
    return discord.ui.Button(custom_id=getattr(item, "custom_id", None))


Button = discord.ui.Button[discord.ui.View]


def _one_key(match: re.Match[str]) -> str | None:
    """The key a one-key custom_id carries (None: malformed)."""
    return match["rest"] if ONE_KEY.fullmatch(match["rest"]) else None


async def _clicked_speaker(
    interaction: discord.Interaction[SummitBot], key: str | None
) -> Speaker | None:
    """The speaker a button's key names; None once the click was answered (a malformed id, or
    a speaker a content reload removed)."""
    if key is None:
        await _stale(interaction)
        return None
    speaker = interaction.client.catalog.by_key("speaker", key)
    if not isinstance(speaker, Speaker):
        await reply_private(interaction, t("speaker.removed", lang_of(interaction)))
        return None
    return speaker


def _made_for_clicker(interaction: discord.Interaction[Any]) -> bool:
    """Whether the clicked message answered the clicker's own command or click (Discord sends
    the message with the click, with the user it answered; a daily post answered nobody)."""
    message = interaction.message
    metadata = message.interaction_metadata if message is not None else None
    return metadata is not None and metadata.user.id == interaction.user.id


class AnotherQuote(_Answer, discord.ui.DynamicItem[Button], template=r"sb:qa:(?P<rest>.*)"):
    """Another quote with the same filters: the invoker's message changes in place; anyone
    else gets their own quote privately (with buttons of their own)."""

    def __init__(self, button: Button, args: re.Match[str] | None) -> None:
        super().__init__(button)
        self.args = args

    @staticmethod
    def button(label: str, quote: Quote | None, filters: QuoteFilters) -> ButtonJSON:
        quote_key = "" if quote is None else short_key(quote.id)
        custom_id = f"sb:qa::{quote_key}:{encode_filters(filters)}"
        return _button(custom_id, label, discord.ButtonStyle.primary)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        return cls(_placeholder(item), ANOTHER.fullmatch(match["rest"]))

    async def answer(self, interaction: discord.Interaction[SummitBot]) -> None:
        args = self.args
        catalog = interaction.client.catalog
        filters = None if args is None else decode_filters(catalog, args)
        if args is None or filters is None:
            await _stale(interaction)
            return
        lang = lang_of(interaction)
        quotes = filters.quotes(catalog)
        # The shown quote, by whatever form of its key the button was made with (a bare id
        # before another summit shared it): never picked again.
        shown = catalog.by_key("quote", args["quote"]) if args["quote"] else None
        others = [q for q in quotes if q is not shown and short_key(q.id) != args["quote"]]
        pick = random.choice(others) if others else (quotes[0] if quotes else None)
        if pick is None:
            await reply_private(interaction, t("quotes.none_left", lang))
            return
        embed, view = quote_message(catalog, pick, lang, filters)
        owner = args["owner"]  # only in buttons sent before the message told whose it is
        if owner == owner_text(interaction.user.id) if owner else _made_for_clicker(interaction):
            await interaction.response.edit_message(embed=embed, view=view)
            return
        # Someone else's message (or a daily post): their own quote, privately.
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


class SpeakerProfile(
    _Answer,
    discord.ui.DynamicItem[Button],
    template=r"sb:sp:(?P<rest>.*)|ws-profile:(?P<speaker_id>[a-z0-9-]{1,64})",
):
    """A speaker's profile, privately to whoever clicks. (`ws-profile:<speaker id>` is the
    profile button /whosaid answers carried before they used this one.)"""

    def __init__(self, button: Button, key: str | None) -> None:
        super().__init__(button)
        self.key = key

    @staticmethod
    def button(label: str, speaker_id: str) -> ButtonJSON:
        return _button(f"sb:sp:{short_key(speaker_id)}", label, discord.ButtonStyle.secondary)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        legacy = match["speaker_id"]
        return cls(_placeholder(item), short_key(legacy) if legacy else _one_key(match))

    async def answer(self, interaction: discord.Interaction[SummitBot]) -> None:
        speaker = await _clicked_speaker(interaction, self.key)
        if speaker is None:
            return
        catalog, lang = interaction.client.catalog, lang_of(interaction)
        await interaction.response.send_message(
            embed=speaker_embed(catalog, speaker, lang),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


class SpeakerQuotes(_Answer, discord.ui.DynamicItem[Button], template=r"sb:sq:(?P<rest>.*)"):
    """A speaker's quotes in a private pager of the clicker's own."""

    def __init__(self, button: Button, key: str | None) -> None:
        super().__init__(button)
        self.key = key

    @staticmethod
    def button(label: str, speaker_id: str, *, disabled: bool) -> ButtonJSON:
        custom_id = f"sb:sq:{short_key(speaker_id)}"
        return _button(custom_id, label, discord.ButtonStyle.primary, disabled=disabled)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        return cls(_placeholder(item), _one_key(match))

    async def answer(self, interaction: discord.Interaction[SummitBot]) -> None:
        speaker = await _clicked_speaker(interaction, self.key)
        if speaker is None:
            return
        catalog, lang = interaction.client.catalog, lang_of(interaction)
        filters = QuoteFilters(speaker=speaker.id)
        quotes = filters.quotes(catalog)
        if not quotes:
            await reply_private(interaction, t("quotes.none_left", lang))
            return
        embed, view = pager(catalog, quotes, filters, 0, interaction.user.id, lang)
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )


class PageTurn(_Answer, discord.ui.DynamicItem[Button], template=r"sb:pg:(?P<rest>.*)"):
    """Previous / next page of a pager; only its owner may turn it."""

    def __init__(self, button: Button, args: re.Match[str] | None) -> None:
        super().__init__(button)
        self.args = args

    @staticmethod
    def button(
        label: str,
        owner_id: int,
        page: int,
        direction: str,
        stamp: str,
        filters: QuoteFilters,
        *,
        disabled: bool,
    ) -> ButtonJSON:
        page = min(max(page, 0), MAX_PAGE)
        custom_id = (
            f"sb:pg:{owner_text(owner_id)}:{page}:{direction}:{stamp}:{encode_filters(filters)}"
        )
        return _button(custom_id, label, discord.ButtonStyle.secondary, disabled=disabled)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        return cls(_placeholder(item), PAGE.fullmatch(match["rest"]))

    async def answer(self, interaction: discord.Interaction[SummitBot]) -> None:
        args = self.args
        if args is None:
            await _stale(interaction)
            return
        lang = lang_of(interaction)
        if args["owner"] != owner_text(interaction.user.id):
            await reply_private(interaction, t("errors.not_your_view", lang))
            return
        catalog = interaction.client.catalog
        filters = decode_filters(catalog, args)
        if filters is None:
            await _stale(interaction)
            return
        quotes = filters.quotes(catalog)
        notice = None
        if list_stamp(quotes) != args["stamp"]:
            notice = t("quotes.changed", lang, count=len(quotes))
        page = int(args["page"])
        embed, view = pager(catalog, quotes, filters, page, interaction.user.id, lang)
        await interaction.response.edit_message(content=notice, embed=embed, view=view)


class Unanswerable(
    _Answer,
    discord.ui.DynamicItem[Button],
    template=re.compile(r"sb:(?!(?:qa|sp|sq|pg):).*|[0-9a-f]{32}", re.DOTALL),
):
    """A button no other item claims: an unknown action, or one of the in-memory views the
    bot sent before its buttons were persistent (discord.py's random 32-hex custom_ids).
    Nothing can be done for it but to say so, privately."""

    def __init__(self, button: Button) -> None:
        super().__init__(button)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Self:
        return cls(_placeholder(item))

    async def answer(self, interaction: discord.Interaction[SummitBot]) -> None:
        await _stale(interaction)


#: Every persistent item, registered once at startup (`Client.add_dynamic_items`).
DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    AnotherQuote,
    SpeakerProfile,
    SpeakerQuotes,
    PageTurn,
    Unanswerable,
)


# --- the views messages carry -----------------------------------------------------------------


class Components(discord.ui.View):
    """A message's buttons, held as Discord's JSON in a view discord.py can send.

    A sent view is only asked for `to_components()`; the clicks are answered by the dynamic
    items, whatever view sent the buttons. So the view holds no items of its own (building
    discord.py `Button`s cost most of what `/quote` added to an interaction), is stopped at
    once (never stored, no timeout task: ephemeral views otherwise get a 15-minute one) and
    hands out the JSON it was given, one action row, then the rows of any persistent item
    another feature added with `add_item` (a DM's Stop, a daily post's Notify me).
    """

    def __init__(self, *buttons: ButtonJSON, shared: bool = False) -> None:
        super().__init__(timeout=None)
        row = {"type": _ACTION_ROW, "components": [*buttons]}
        self._rows = [row] if buttons else []
        self._shared = shared
        self.stop()

    def add_item(self, item: discord.ui.Item[Any]) -> Self:
        if self._shared:
            raise TypeError("this view is shared by several messages: add items to your own")
        return super().add_item(item)

    def to_components(self) -> list[dict[str, Any]]:
        if not self.children:
            return self._rows
        return [*self._rows, *super().to_components()]


def _source_link(catalog: Catalog, item: Quote | Speaker | Pack, lang: Lang) -> ButtonJSON:
    event = item.event if isinstance(item, Pack) else catalog.event_for(item)
    return {
        "type": _BUTTON,
        "style": discord.ButtonStyle.link.value,
        "label": t("buttons.source", lang),
        "url": event.source.url,
    }


def _quote_buttons(
    catalog: Catalog, quote: Quote, lang: Lang, filters: QuoteFilters, another: str
) -> tuple[ButtonJSON, ...]:
    return (
        AnotherQuote.button(another, quote, filters),
        SpeakerProfile.button(t("buttons.speaker_profile", lang), quote.speaker),
        _source_link(catalog, quote, lang),
    )


def quote_view(
    catalog: Catalog, quote: Quote, lang: Lang, filters: QuoteFilters
) -> discord.ui.View:
    """Under a quote: another (same filters), the speaker's profile, the source.

    The buttons are the same for every message of this quote with these filters, so the view
    is built once and shared: send it as it is (it refuses `add_item`)."""
    return renders(catalog).get(
        ("quote view", quote.id, lang, filters),
        lambda: Components(
            *_quote_buttons(catalog, quote, lang, filters, t("buttons.another", lang)),
            shared=True,
        ),
    )


def quote_message(
    catalog: Catalog, quote: Quote, lang: Lang, filters: QuoteFilters
) -> tuple[discord.Embed, discord.ui.View]:
    """A quote's embed and the buttons under it (`quote_view`), found with one lookup: what
    `/quote` and "another" send, shared by every message of that quote, language and filters
    (send both as they are)."""
    return renders(catalog).get(
        ("quote message", quote.id, lang, filters),
        lambda: (quote_embed(catalog, quote, lang), quote_view(catalog, quote, lang, filters)),
    )


def daily_post_view(catalog: Catalog, quote: Quote, lang: Lang) -> discord.ui.View:
    """Under a daily post: another quote and the speaker's profile (both answered privately to
    whoever clicks), and the source; a view of its own, so features can add their buttons."""
    label = t("buttons.another_quote", lang)
    return Components(*_quote_buttons(catalog, quote, lang, QuoteFilters(), label))


def profile_view(speaker: Speaker, lang: Lang) -> discord.ui.View:
    """Under a /whosaid answer: the speaker's profile, privately to whoever clicks."""
    return Components(SpeakerProfile.button(t("buttons.speaker_profile", lang), speaker.id))


def speaker_view(catalog: Catalog, speaker: Speaker, lang: Lang) -> discord.ui.View:
    """Under a profile: the speaker's quotes (a private pager for whoever clicks), the source."""
    count = len(catalog.quotes_by(speaker.id))
    label = t("buttons.speaker_quotes", lang, count=count)
    return Components(
        SpeakerQuotes.button(label, speaker.id, disabled=count == 0),
        _source_link(catalog, speaker, lang),
    )


def source_link(catalog: Catalog, pack: Pack, lang: Lang) -> discord.ui.View:
    """A link to one pack's source."""
    return Components(_source_link(catalog, pack, lang))


def source_links(catalog: Catalog, lang: Lang) -> discord.ui.View:
    """A link to each pack's source (at most five, one row)."""
    return Components(*(_source_link(catalog, pack, lang) for pack in catalog.packs[:5]))


def pager(
    catalog: Catalog,
    quotes: Sequence[Quote],
    filters: QuoteFilters,
    page: int,
    owner_id: int,
    lang: Lang,
) -> tuple[discord.Embed, discord.ui.View]:
    """One page of a private quote list and its previous/next buttons, which only `owner_id`
    may use. `filters` must be what produced `quotes` (`QuoteFilters.kept`), since a turn
    searches again with what the buttons carry."""
    page = clamp_page(page, len(quotes), PER_PAGE)
    pages = page_count(len(quotes), PER_PAGE)
    embed = quotes_page_embed(
        catalog, quotes, page, PER_PAGE, lang, filters.describe(catalog, lang)
    )
    stamp = list_stamp(quotes)
    view = Components(
        PageTurn.button(
            t("buttons.previous", lang),
            owner_id,
            page - 1,
            "p",
            stamp,
            filters,
            disabled=page <= 0,
        ),
        PageTurn.button(
            t("buttons.next", lang),
            owner_id,
            page + 1,
            "n",
            stamp,
            filters,
            disabled=page >= pages - 1,
        ),
    )
    return embed, view
