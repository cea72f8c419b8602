"""`content new` beside a speaker registry: a person already in `people.yaml` is drafted as
that registry person (id only, their quotes referring to it), everyone else by name."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main
from bot.cli_draft import registry_names
from tests.summits import XINGHE_ARTICLE, copy_content


def test_registry_names_map_every_form_to_the_id(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    names = registry_names(content / "people.yaml")
    assert names["唐杰"] == names["Tang Jie"] == names["Jie Tang"] == "tangjie"
    assert registry_names(tmp_path / "nowhere.yaml") == {}
    broken = tmp_path / "broken.yaml"
    broken.write_text("people: [\n", encoding="utf-8")
    assert registry_names(broken) == {}


def test_a_registry_person_is_drafted_by_id(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    url = "https://example.org/xinghe-2026"
    code = main(
        ["content", "new", str(XINGHE_ARTICLE), "--id", "xinghe-draft", "--url", url,
         "--out", str(content)]
    )  # fmt: skip
    assert code == 0
    speakers = (content / "xinghe-draft" / "speakers.yaml").read_text(encoding="utf-8")
    entry = speakers.split("  - id: tangjie", 1)[1].split("  - id:", 1)[0]
    assert "the registry's `tangjie`" in entry
    assert "name:" not in entry  # the registry has it
    assert 'name:\n      zh: "周明远"' in speakers  # not in the registry: named here
    quotes = (content / "xinghe-draft" / "quotes.yaml").read_text(encoding="utf-8")
    assert quotes.count("speaker: tangjie") == 3
