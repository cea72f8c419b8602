"""Persistent buttons: every custom_id fits Discord's 100 characters in the worst case, is
unique within its message, is claimed by exactly one registered item, and resolves back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import discord
import pytest

from bot.catalog import Catalog, load_catalog, short_key
from bot.catalog.models import Pack
from bot.digest.sending import DigestPost
from bot.exts.digest._notify import NotifyButton
from bot.exts.digest._sender import digest_message
from bot.exts.mydigest._components import StopButton, personal_view
from bot.exts.whosaid._items import AnswerButton
from bot.ui.components import (
    DYNAMIC_ITEMS,
    Components,
    PageTurn,
    daily_post_view,
    pager,
    profile_view,
    quote_message,
    quote_view,
    source_links,
    speaker_view,
)
from bot.ui.custom_ids import (
    ANOTHER,
    CUSTOM_ID_LIMIT,
    MAX_PAGE,
    SEARCH_KEPT,
    QuoteFilters,
    decode_filters,
    encode_filters,
)
from bot.ui.quotes import quote_embed

DAY = date(2026, 1, 16)  # any local date: these tests read the message, not the date

ROOT = Path(__file__).resolve().parents[2]
#: The largest snowflake (64 bits) as the owner: 13 base-36 digits.
BIGGEST_USER = 2**64 - 1
#: Search words longer than a button keeps, astral characters (two UTF-16 units) included.
LONG_SEARCH = "𝔸𝔾𝕀 scaling law 可验证奖励强化学习 " * 12
#: Every item a running bot registers: the catalog's buttons (at startup) and the extensions'
#: own (Notify me, a DM's Stop, a round's answers).
REGISTERED = (*DYNAMIC_ITEMS, NotifyButton, StopButton, AnswerButton)


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(ROOT / "content")


@pytest.fixture(scope="module")
def long_ids(real: Catalog) -> Catalog:
    """The real pack with every id stretched to the 64 characters the loader allows."""
    pack = real.packs[0]

    def stretch(item_id: str) -> str:
        return (item_id + "-" + "x" * 64)[:64].rstrip("-")

    speakers = [s.model_copy(update={"id": stretch(s.id)}) for s in pack.speakers]
    topics = [t.model_copy(update={"id": stretch(t.id)}) for t in pack.topics]
    quotes = [
        q.model_copy(
            update={
                "id": stretch(q.id),
                "speaker": stretch(q.speaker),
                "topics": [stretch(t) for t in q.topics],
            }
        )
        for q in pack.quotes
    ]
    stretched = Pack.model_construct(
        **{**pack.__dict__, "speakers": speakers, "topics": topics, "quotes": quotes, "terms": []}
    )
    return Catalog([stretched])


def custom_ids(view: discord.ui.View) -> list[str]:
    out: list[str] = []
    for row in view.to_components():
        for component in row["components"]:
            if "custom_id" in component:
                out.append(component["custom_id"])
    return out


def claimed_by(custom_id: str) -> list[str]:
    return [
        item.__name__
        for item in REGISTERED
        if item.__discord_ui_compiled_template__.fullmatch(custom_id)
    ]


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def every_view(catalog: Catalog) -> list[discord.ui.View]:
    """Each kind of message, with the longest ids, owner, page and search there can be."""
    views: list[discord.ui.View] = []
    quote = max(catalog.quotes.values(), key=lambda q: len(q.id))
    speaker = max(catalog.speakers.values(), key=lambda s: len(s.id))
    topic = max(catalog.topics.values(), key=lambda t: len(t.id))
    filters = QuoteFilters(speaker.id, topic.id, LONG_SEARCH)
    for lang in ("en", "zh"):
        views.append(quote_view(catalog, quote, lang, filters.kept()))
        views.append(daily_post_view(catalog, quote, lang))
        # A daily post with the role's Notify me, a whosaid round with it, a personal DM.
        post = DigestPost(catalog, quote, lang, DAY, role_id=BIGGEST_USER)
        views.append(digest_message(post)["view"])
        round_post = DigestPost(catalog, quote, lang, DAY, role_id=BIGGEST_USER, round_id=2**63 - 1)
        views.append(digest_message(round_post)["view"])
        views.append(personal_view(post, BIGGEST_USER))
        views.append(profile_view(speaker, lang))
        views.append(speaker_view(catalog, speaker, lang))
        views.append(source_links(catalog, lang))
        quotes = list(catalog.quotes.values())
        for page in (0, 1, 1_000):
            _embed, view = pager(catalog, quotes, filters.kept(), page, BIGGEST_USER, lang)
            views.append(view)
        # The highest page a button can carry (a pack of five million quotes).
        stamp = short_key("stamp")
        turn = PageTurn.button("›", BIGGEST_USER, MAX_PAGE + 5, "n", stamp, filters, disabled=False)
        views.append(Components(turn))
        # The same with a summit filter (`event:`), which takes its room from the search.
        one_summit = QuoteFilters(speaker.id, topic.id, LONG_SEARCH, catalog.packs[0].id).kept()
        views.append(quote_view(catalog, quote, lang, one_summit))
        _embed, view = pager(catalog, quotes, one_summit, 1_000, BIGGEST_USER, lang)
        views.append(view)
        turn = PageTurn.button(
            "›", BIGGEST_USER, MAX_PAGE + 5, "n", stamp, one_summit, disabled=False
        )
        views.append(Components(turn))
    return views


@pytest.mark.parametrize("which", ["real", "long_ids"])
async def test_every_custom_id_fits_is_unique_and_claimed_once(
    which: str, request: pytest.FixtureRequest
) -> None:
    catalog: Catalog = request.getfixturevalue(which)
    for view in await every_view(catalog):
        ids = custom_ids(view)
        assert len(ids) == len(set(ids)), ids  # Discord refuses duplicates in one message
        for custom_id in ids:
            assert len(custom_id) <= CUSTOM_ID_LIMIT, custom_id
            assert utf16(custom_id) <= CUSTOM_ID_LIMIT, custom_id
            assert len(claimed_by(custom_id)) == 1, (custom_id, claimed_by(custom_id))
        if isinstance(view, Components):
            assert view.is_finished()  # stopped: discord.py keeps no state, runs no timeout


def test_the_daily_posts_buttons_with_notify_me_and_a_rounds_without_them(real: Catalog) -> None:
    quote = next(iter(real.quotes.values()))
    post = DigestPost(real, quote, "en", DAY, role_id=42)
    ids = custom_ids(digest_message(post)["view"])
    assert [claimed_by(i) for i in ids] == [["AnotherQuote"], ["SpeakerProfile"], ["NotifyButton"]]
    rows = digest_message(post)["view"].to_components()
    assert [len(r["components"]) for r in rows] == [3, 1]  # the link is the first row's third
    round_ids = custom_ids(digest_message(DigestPost(real, quote, "en", DAY, round_id=7))["view"])
    assert round_ids
    assert all(claimed_by(i) == ["AnswerButton"] for i in round_ids)
    dm = custom_ids(personal_view(DigestPost(real, quote, "en", DAY), 42))
    assert [claimed_by(i) for i in dm] == [["AnotherQuote"], ["SpeakerProfile"], ["StopButton"]]


def test_other_features_ids_and_old_ids_are_claimed_by_exactly_one_item() -> None:
    """discord.py calls every item whose template matches: the catch-all must not match."""
    for custom_id, owner in (
        ("ws:123:tangjie", "AnswerButton"),
        ("digest-notify:42", "NotifyButton"),
        ("mydigest:stop:42", "StopButton"),
        ("ws-profile:tangjie", "SpeakerProfile"),
        ("sb:zz:whatever", "Unanswerable"),
        ("0123456789abcdef" * 2, "Unanswerable"),
    ):
        assert claimed_by(custom_id) == [owner], custom_id


async def test_the_worst_case_is_measured(long_ids: Catalog) -> None:
    lengths = [len(i) for v in await every_view(long_ids) for i in custom_ids(v)]
    assert max(lengths) <= CUSTOM_ID_LIMIT
    assert max(lengths) >= 90  # the worst case really is near the limit: the test means it


def test_a_kept_search_is_a_prefix_so_it_finds_what_the_whole_one_did(real: Catalog) -> None:
    quote = next(iter(real.quotes.values()))
    whole = " ".join(quote.text.en.split())
    kept = QuoteFilters(search=whole).kept()
    assert kept.search is not None
    assert utf16(kept.search) <= SEARCH_KEPT
    assert whole.startswith(kept.search)
    assert quote in kept.quotes(real)
    assert QuoteFilters(search="  ").kept().search is None


def test_every_id_of_the_real_pack_has_its_own_key(real: Catalog) -> None:
    for kind, table in (
        ("quote", real.quotes),
        ("speaker", real.speakers),
        ("topic", real.topics),
        ("term", real.terms),
    ):
        for item_id, item in table.items():
            assert real.by_key(kind, short_key(item_id)) is item  # type: ignore[arg-type]
    assert real.by_key("quote", "AAAAAAAA") is None


def test_a_summit_filter_travels_in_the_custom_id_and_old_ids_still_parse(real: Catalog) -> None:
    pack_id = real.packs[0].id
    speaker = next(iter(real.speakers))
    for filters in (
        QuoteFilters(speaker, None, "scaling", pack_id),
        QuoteFilters(None, None, "@someone: hi", None),  # a search that looks like a summit
        QuoteFilters(None, None, "@someone: hi", pack_id),
        QuoteFilters(None, None, None, pack_id),
        QuoteFilters(speaker, None, None, None),
    ):
        encoded = encode_filters(filters)
        match = ANOTHER.fullmatch(f"owner:{short_key('q')}:{encoded}")
        assert match is not None, encoded
        assert decode_filters(real, match) == filters.kept(), encoded
    # An id written before summits could be chosen: every summit, the search as it was.
    old = ANOTHER.fullmatch(f"owner:{short_key('q')}:{short_key(speaker)}::scaling law")
    assert old is not None
    assert decode_filters(real, old) == QuoteFilters(speaker, None, "scaling law", None)
    # A summit a content reload removed: the click is answered as stale.
    gone = ANOTHER.fullmatch(f"owner:{short_key('q')}:::@{short_key('gone-2025')}:")
    assert gone is not None
    assert decode_filters(real, gone) is None


async def test_a_quote_view_is_shared_and_refuses_items(real: Catalog) -> None:
    catalog = real
    quote = next(iter(catalog.quotes.values()))
    shared = quote_view(catalog, quote, "en", QuoteFilters())
    assert quote_view(catalog, quote, "en", QuoteFilters()) is shared
    assert quote_view(catalog, quote, "zh", QuoteFilters()) is not shared
    with pytest.raises(TypeError):
        shared.add_item(discord.ui.Button(label="x", custom_id="x"))
    own = daily_post_view(catalog, quote, "en")
    own.add_item(discord.ui.Button(label="x", custom_id="x"))  # a daily post's view is its own
    assert len(own.to_components()) == 2
    assert len(shared.to_components()) == 1


async def test_a_quote_message_is_its_memoised_embed_and_shared_view(real: Catalog) -> None:
    catalog = real
    quote = next(iter(catalog.quotes.values()))
    filters = QuoteFilters(speaker=quote.speaker)
    embed, view = quote_message(catalog, quote, "zh", filters)
    assert embed is quote_embed(catalog, quote, "zh")
    assert view is quote_view(catalog, quote, "zh", filters)
    assert quote_message(catalog, quote, "zh", filters) == (embed, view)
    assert quote_message(catalog, quote, "en", filters)[0] is not embed
