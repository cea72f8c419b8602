"""Shared fixtures: the mini pack, and a writable copy of it for loader-error tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalog import Catalog, load_catalog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "packs"
MINI = FIXTURES / "mini"


class PackCopy:
    """A copy of the mini pack under `content/` in the (chdir'd) temporary directory."""

    def __init__(self, root: Path) -> None:
        self.content = Path("content")
        shutil.copytree(MINI, root / "content")
        self.folder = self.content / "mini-summit"

    def replace(self, name: str, old: str, new: str) -> None:
        """Replace exactly one occurrence of `old` in a pack file."""
        path = self.folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        (self.folder / name).write_text(text, encoding="utf-8")

    def issues(self) -> list[str]:
        """Every issue `load_catalog` reports, as `file:line: message` strings."""
        from bot.catalog import ContentError

        with pytest.raises(ContentError) as raised:
            load_catalog(self.content)
        return [str(issue) for issue in raised.value.issues]


@pytest.fixture(scope="session")
def mini() -> Catalog:
    return load_catalog(MINI)


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackCopy:
    monkeypatch.chdir(tmp_path)
    return PackCopy(tmp_path)
