"""`content new` on the AGI-Next article, measured against the curated pack (issue 14, item 1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.catalog import Catalog, load_catalog
from bot.catalog.models import Pack
from bot.catalog.verify import _comparable
from bot.cli import main
from tests.paths import ARTICLE, REPO_ROOT

CURATED = REPO_ROOT / "content"
PACK_ID = "agi-next-draft"


@dataclass(frozen=True)
class Figures:
    curated: int
    found: int  # curated quotes the draft has as a quote (same text after normalising)
    extra: int  # draft quotes that are no curated quote
    attributed: int  # found quotes whose speaker is the curated speaker
    speakers: int  # curated speakers in the draft, by Chinese name
    with_roles: int  # of those, with the article's roles (see `_role_covered`)


def _pack(catalog: Catalog, pack_id: str) -> Pack:
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


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drafts")
    code = main(["content", "new", str(ARTICLE), "--id", PACK_ID, "--out", str(out)])
    assert code == 0
    return out


def test_draft_measured_against_the_curated_pack(drafted: Path) -> None:
    draft = _pack(load_catalog(drafted, drafts=True), PACK_ID)
    curated = _pack(load_catalog(CURATED), "agi-next-2026")
    figures = measure(draft, curated, ARTICLE.read_text(encoding="utf-8"))
    print(f"\nAGI-Next draft vs curated: {figures}")
    assert figures.curated == 45
    assert figures.found >= 43
    assert figures.extra <= 5
    assert figures.attributed >= 41
    assert figures.speakers == len(curated.speakers) == 5
    assert figures.with_roles == 5


def test_draft_event_header_from_the_article(drafted: Path) -> None:
    event = _pack(load_catalog(drafted, drafts=True), PACK_ID).event
    curated = _pack(load_catalog(CURATED), "agi-next-2026").event
    assert event.draft is True
    assert event.source.url == curated.source.url
    assert event.source.title == curated.source.title
    assert event.source.author == curated.source.author
    assert event.source.published == curated.source.published
    assert event.date == curated.date  # "昨日举行": the day before publication
    assert event.host.zh == curated.host.zh
    assert [section.title.zh for section in event.sections][1:] == [
        "Scaling仍在继续,但训练范式在变",
        "做大模型要敢于冒险,走出榜单的束缚",
    ]


def test_draft_passes_content_verify(drafted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["content", "verify", "--source", str(ARTICLE), "--content", str(drafted)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert re.match(r"\d+ quotes verified against ", out)


def test_speakers_get_pinyin_names_and_the_article_roles(drafted: Path) -> None:
    draft = _pack(load_catalog(drafted, drafts=True), PACK_ID)
    names = {speaker.name.zh: speaker for speaker in draft.speakers}
    assert names["杨植麟"].name.en == "Yang Zhilin"
    assert names["林俊旸"].name.en == "Lin Junyang"
    assert names["唐杰"].role.zh == "清华大学教授、智谱首席科学家"
    assert names["杨强"].role.zh == "加拿大皇家学院院士、香港科技大学荣休教授"


def test_scare_quotes_and_headings_are_left_out(drafted: Path) -> None:
    texts = {quote.text.zh for quote in _pack(load_catalog(drafted, drafts=True), PACK_ID).quotes}
    for label in ("露脸", "开源四杰", "噪音", "震撼", "输入", "异步", "超级智能"):
        assert label not in texts
    # The 01 heading repeats a quote: it is the quote once, not twice.
    gdp = [text for text in texts if text.startswith("大模型应对GDP")]
    assert len(gdp) == 1


def test_glossary_candidates_include_the_terms_of_art(drafted: Path) -> None:
    terms = _pack(load_catalog(drafted, drafts=True), PACK_ID).terms
    surfaces = {term.term.en for term in terms} | {term.term.zh for term in terms}
    for expected in ("RLVR", "Token Efficiency", "MUON", "Agent", "强化学习", "自主学习"):
        assert expected in surfaces
    rlvr = next(term for term in terms if term.term.en == "RLVR")
    assert rlvr.term.zh == "可验证奖励强化学习"  # from the article's own gloss
    assert all(term.definition.en.startswith("TODO(write definition)") for term in terms)


def test_drafting_is_deterministic(tmp_path: Path) -> None:
    for run in ("one", "two"):
        assert (
            main(["content", "new", str(ARTICLE), "--id", PACK_ID, "--out", str(tmp_path / run)])
            == 0
        )
    for name in ("event.yaml", "speakers.yaml", "quotes.yaml", "glossary.yaml", "topics.yaml"):
        first = (tmp_path / "one" / PACK_ID / name).read_text(encoding="utf-8")
        assert first == (tmp_path / "two" / PACK_ID / name).read_text(encoding="utf-8")
