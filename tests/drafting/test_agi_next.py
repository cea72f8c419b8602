"""`content new` on the AGI-Next article, measured against the curated pack (issue 14, item 1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalog import load_catalog
from bot.cli import main
from tests.drafting.measure import measure, pack_of
from tests.paths import ARTICLE, REPO_ROOT

CURATED = REPO_ROOT / "content"
PACK_ID = "agi-next-draft"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("drafts")
    code = main(["content", "new", str(ARTICLE), "--id", PACK_ID, "--out", str(out)])
    assert code == 0
    return out


def test_draft_measured_against_the_curatedpack_of(drafted: Path) -> None:
    draft = pack_of(load_catalog(drafted, drafts=True), PACK_ID)
    curated = pack_of(load_catalog(CURATED), "agi-next-2026")
    figures = measure(draft, curated, ARTICLE.read_text(encoding="utf-8"))
    print(f"\nAGI-Next draft vs curated: {figures}")
    assert figures.curated == 45
    assert figures.found >= 43
    assert figures.extra <= 5
    assert figures.attributed >= 41
    assert figures.speakers == len(curated.speakers) == 5
    assert figures.with_roles == 5


def test_draft_event_header_from_the_article(drafted: Path) -> None:
    event = pack_of(load_catalog(drafted, drafts=True), PACK_ID).event
    curated = pack_of(load_catalog(CURATED), "agi-next-2026").event
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
    draft = pack_of(load_catalog(drafted, drafts=True), PACK_ID)
    names = {speaker.name.zh: speaker for speaker in draft.speakers}
    assert names["杨植麟"].name.en == "Yang Zhilin"
    assert names["林俊旸"].name.en == "Lin Junyang"
    assert names["唐杰"].role.zh == "清华大学教授、智谱首席科学家"
    assert names["杨强"].role.zh == "加拿大皇家学院院士、香港科技大学荣休教授"


def test_scare_quotes_and_headings_are_left_out(drafted: Path) -> None:
    texts = {quote.text.zh for quote in pack_of(load_catalog(drafted, drafts=True), PACK_ID).quotes}
    for label in ("露脸", "开源四杰", "噪音", "震撼", "输入", "异步", "超级智能"):
        assert label not in texts
    # The 01 heading repeats a quote: it is the quote once, not twice.
    gdp = [text for text in texts if text.startswith("大模型应对GDP")]
    assert len(gdp) == 1


def test_glossary_candidates_include_the_terms_of_art(drafted: Path) -> None:
    terms = pack_of(load_catalog(drafted, drafts=True), PACK_ID).terms
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
