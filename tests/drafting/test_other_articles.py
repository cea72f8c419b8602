"""Other attribution patterns: a Chinese panel transcript and an English report (fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog, load_catalog
from bot.catalog.drafts import find_todos
from bot.cli import main
from bot.drafting import make_draft
from tests.drafting.conftest import PANEL, REPORT

# The curation of each fixture: (speaker's name as written, the start of each quote).
PANEL_QUOTES = [
    ("王小明", "最大的变化是数据。"),
    ("陈静", "我不完全同意。"),
    ("王小明", "我们内部已经把VLA模型作为默认方案"),
    ("陈静", "端到端的问题是出了错说不清原因。"),
    ("李华", "补充一点，我是做灵巧手的。"),
    ("陈静", "家庭场景。"),
    ("王小明", "我押工业。"),
    ("陈静", "真机数据永远是最贵的"),
]
PANEL_ROLES = {
    "王小明": "星河智能创始人、CEO",
    "陈静": "深蓝实验室首席科学家",
    "李华": "灵犀机械联合创始人",
}
REPORT_QUOTES = [
    ("Maria Lopez", "Open weights are no longer a charity project"),
    ("Maria Lopez", "Every serious lab will publish"),
    ("Raj Patel", "Releasing weights is easy."),
    ("Raj Patel", "We measured it:"),
    ("Ken Ito", "Regulators want logs, not promises"),
    ("Ken Ito", "will arrive before the models are ready"),
    ("Maria Lopez", "If you cannot measure an agent"),
]
REPORT_ROLES = {
    "Maria Lopez": "chief scientist at Helix Labs",
    "Raj Patel": "founder of Quanta Robotics",
    "Ken Ito": "policy director at the Open Compute Alliance",
}


def _draft(tmp_path: Path, article: Path, pack_id: str) -> Catalog:
    assert main(["content", "new", str(article), "--id", pack_id, "--out", str(tmp_path)]) == 0
    return load_catalog(tmp_path, drafts=True)


def _said(catalog: Catalog, english: bool) -> list[tuple[str, str]]:
    result = []
    for quote in catalog.quotes.values():
        name = catalog.speakers[quote.speaker].name
        result.append((name.en if english else name.zh, quote.text.zh))
    return result


def test_panel_transcript_turns_are_quotes_of_their_guests(tmp_path: Path) -> None:
    catalog = _draft(tmp_path, PANEL, "embodied-panel")
    said = _said(catalog, english=False)
    assert len(said) == len(PANEL_QUOTES)
    for (name, text), (expected_name, start) in zip(said, PANEL_QUOTES, strict=True):
        assert text.startswith(start)
        assert name == expected_name
    # The moderator's questions and the scare quotes (卡脖子, 故事) are not quotes.
    assert not any("？" in text for _, text in said)
    assert not any(text in ("卡脖子", "故事") for _, text in said)


def test_panel_transcript_speakers_roles_and_pinyin(tmp_path: Path) -> None:
    catalog = _draft(tmp_path, PANEL, "embodied-panel")
    speakers = {speaker.name.zh: speaker for speaker in catalog.speakers.values()}
    assert {name: speaker.role.zh for name, speaker in speakers.items()} == PANEL_ROLES
    assert speakers["王小明"].name.en == "Wang Xiaoming"
    assert speakers["陈静"].name.en == "Chen Jing"
    event = catalog.packs[0].event
    assert event.name.zh == "星海机器人论坛"
    assert event.source.author == "未来科技观察"
    assert str(event.source.published) == "2026-03-05"


def test_panel_transcript_unsure_attribution_is_left_to_confirm(tmp_path: Path) -> None:
    catalog = _draft(tmp_path, PANEL, "embodied-panel")
    confirm = [
        todo
        for todo in find_todos(tmp_path / "embodied-panel")
        if todo.label == "confirm attribution"
    ]
    # Only the closing quote, a sentence after "她表示", is attributed by the paragraph's subject.
    assert len(confirm) == 1
    lines = (tmp_path / "embodied-panel" / "quotes.yaml").read_text(encoding="utf-8").splitlines()
    item = lines[confirm[0].item_line - 1]
    last = list(catalog.quotes.values())[-1]
    assert item.strip() == f"- id: {last.id}"


def test_english_report_quotes_speakers_and_roles(tmp_path: Path) -> None:
    catalog = _draft(tmp_path, REPORT, "northlake-2026")
    said = _said(catalog, english=True)
    assert len(said) == len(REPORT_QUOTES)
    for (name, text), (expected_name, start) in zip(said, REPORT_QUOTES, strict=True):
        assert text.startswith(start)
        assert name == expected_name
    roles = {speaker.name.en: speaker.role.en for speaker in catalog.speakers.values()}
    assert roles == REPORT_ROLES
    # The original is English: it is the quote's text, and the Chinese names are to translate.
    assert all(quote.text.en == quote.text.zh for quote in catalog.quotes.values())
    assert all(s.name.zh == "TODO(translate speaker)" for s in catalog.speakers.values())
    event = catalog.packs[0].event
    assert event.name.en == "Northlake AI Summit"
    assert event.host.en == "Institute for Applied Learning"
    assert event.source.author == "Dana Whitfield"
    assert str(event.source.published) == "2026-03-12"


def test_english_scare_quotes_are_left_out() -> None:
    draft = make_draft(REPORT.read_text(encoding="utf-8"), "northlake-2026")
    texts = [quote.text for quote in draft.quotes]
    assert "open" not in texts
    assert "agent tax" not in texts
    assert "RAG" in {term.en for term in draft.terms}


@pytest.mark.parametrize(("article", "pack_id"), [(PANEL, "embodied-panel"), (REPORT, "northlake")])
def test_fixture_drafts_pass_verify(
    tmp_path: Path, article: Path, pack_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _draft(tmp_path, article, pack_id)
    capsys.readouterr()
    code = main(["content", "verify", "--source", str(article), "--content", str(tmp_path)])
    _, err = capsys.readouterr()
    assert (code, err) == (0, "")
