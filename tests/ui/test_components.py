"""Persistent buttons: every custom_id fits Discord's 100 characters in the worst case, is
unique within its message, is claimed by exactly one registered item, and resolves back."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.catalog import Catalog, load_catalog, short_key
from bot.catalog.models import Pack
from bot.ui.components import (
    CUSTOM_ID_LIMIT,
    DYNAMIC_ITEMS,
    MAX_PAGE,
    SEARCH_KEPT,
    Components,
    PageTurn,
    QuoteFilters,
    daily_post_view,
    pager,
    quote_view,
    source_links,
    speaker_view,
)

ROOT = Path(__file__).resolve().parents[2]
#: The largest snowflake (64 bits) as the owner: 13 base-36 digits.
BIGGEST_USER = 2**64 - 1
#: Search words longer than a button keeps, astral characters (two UTF-16 units) included.
LONG_SEARCH = "𝔸𝔾𝕀 scaling law 可验证奖励强化学习 " * 12


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
        for item in DYNAMIC_ITEMS
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
        views.append(quote_view(catalog, quote, lang, filters.kept(), BIGGEST_USER))
        views.append(daily_post_view(catalog, quote, lang))
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
        assert view.is_finished()  # stopped: discord.py keeps no state and runs no timeout


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
