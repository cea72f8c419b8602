"""A draft pack measured against a curated pack of the same article (issue 14, item 1)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Catalog
from bot.catalog.models import Pack
from bot.catalog.verify import _comparable


@dataclass(frozen=True)
class Figures:
    curated: int
    found: int  # curated quotes the draft has as a quote (same text after normalising)
    extra: int  # draft quotes that are no curated quote
    attributed: int  # found quotes whose speaker is the curated speaker
    speakers: int  # curated speakers in the draft, by Chinese name
    with_roles: int  # of those, with the article's roles (see `_role_covered`)


def pack_of(catalog: Catalog, pack_id: str) -> Pack:
    return next(pack for pack in catalog.packs if pack.id == pack_id)


def _role_covered(part: str, draft_parts: list[str]) -> bool:
    """A curated role part is in the draft's role, or two of the article's appositions combined.

    腾讯CEO首席科学家 (curated) = 腾讯首席科学家 + CEO首席科学家 (the article's two mentions).
    """
    if any(part in draft for draft in draft_parts):
        return True
    for first in draft_parts:
        for second in draft_parts:
            for size in range(2, min(len(first), len(second)) + 1):
                suffix = second[-size:]
                if first.endswith(suffix) and first[:-size] + second == part:
                    return True
    return False


def measure(draft: Pack, curated: Pack, article: str) -> Figures:
    draft_speakers = {speaker.id: speaker for speaker in draft.speakers}
    curated_speakers = {speaker.id: speaker for speaker in curated.speakers}
    by_text = {_comparable(quote.text.zh): quote for quote in draft.quotes}
    curated_texts = {_comparable(quote.text.zh) for quote in curated.quotes}
    found = attributed = 0
    for quote in curated.quotes:
        match = by_text.get(_comparable(quote.text.zh))
        if match is None:
            continue
        found += 1
        said_by = draft_speakers[match.speaker].name.zh
        attributed += said_by == curated_speakers[quote.speaker].name.zh
    extra = sum(1 for text in by_text if text not in curated_texts)
    by_name = {speaker.name.zh: speaker for speaker in draft.speakers}
    speakers = with_roles = 0
    for speaker in curated.speakers:
        mine = by_name.get(speaker.name.zh)
        if mine is None:
            continue
        speakers += 1
        parts = mine.role.zh.split("、")
        from_article = all(part in article for part in parts)
        covered = all(_role_covered(part, parts) for part in speaker.role.zh.split("、"))
        with_roles += from_article and covered
    return Figures(len(curated.quotes), found, extra, attributed, speakers, with_roles)
