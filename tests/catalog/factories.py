"""Small builders for hand-made catalogs (ranking and scanning edge cases)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.catalog import Catalog
from bot.catalog.models import Event, Pack, Quote, Section, Source, Speaker, Term, Text, Topic


def text(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def term(term_id: str, en: str, zh: str, aliases: Sequence[str] = ()) -> Term:
    return Term(
        id=term_id,
        term=text(zh, en),
        aliases=tuple(aliases),
        definition=text(f"{zh}的定义。", f"Definition of {en}."),
    )


def speaker(speaker_id: str, zh: str, en: str, aliases: Sequence[str] = ()) -> Speaker:
    return Speaker(
        id=speaker_id,
        name=text(zh, en),
        aliases=tuple(aliases),
        role=text("讲者", "Speaker"),
        attendance="in-person",
        summary=text("摘要。", "Summary."),
    )


def quote(quote_id: str, speaker_id: str, zh: str, en: str, topics: Sequence[str] = ()) -> Quote:
    return Quote(
        id=quote_id,
        speaker=speaker_id,
        section="main",
        topics=tuple(topics),
        text=text(zh, en),
        context=text("背景。", "Context."),
    )


def catalog(
    *,
    terms: Sequence[Term] = (),
    speakers: Sequence[Speaker] = (),
    quotes: Sequence[Quote] = (),
    topics: Sequence[Topic] = (),
    pack_id: str = "hand-made",
) -> Catalog:
    event = Event(
        id=pack_id,
        name=text("手工", "Hand made"),
        date=dt.date(2026, 1, 10),
        host=text("测试", "Tests"),
        summary=text("摘要。", "Summary."),
        source=Source(
            title="t",
            author="a",
            publisher="p",
            url="https://example.com",
            published=dt.date(2026, 1, 11),
        ),
        sections=(
            Section(id="main", title=text("主要", "Main"), summary=text("摘要。", "Summary.")),
        ),
    )
    pack = Pack(
        id=pack_id,
        event=event,
        speakers=tuple(speakers),
        quotes=tuple(quotes),
        terms=tuple(terms),
        topics=tuple(topics),
    )
    return Catalog([pack])
