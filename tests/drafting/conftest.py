"""Drafts written by `summitbot content new` into temporary folders."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
PANEL = FIXTURES / "panel_transcript_zh.txt"
REPORT = FIXTURES / "english_report.txt"


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMITBOT_CONFIG", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
