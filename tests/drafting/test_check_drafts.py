"""A draft is refused by `check` with the work left, accepted by `check --drafts` and `preview`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalog import ContentError, load_catalog
from bot.catalog.drafts import Todo, find_todos, group_todos
from bot.cli import main
from tests.paths import ARTICLE

PACK_ID = "agi-next-draft"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def drafted(tmp_path: Path) -> Path:
    assert main(["content", "new", str(ARTICLE), "--id", PACK_ID, "--out", str(tmp_path)]) == 0
    return tmp_path


def test_check_refuses_a_draft_and_lists_what_is_left(
    drafted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    pack = next(p for p in load_catalog(drafted, drafts=True).packs if p.id == PACK_ID)
    code, out, err = run(capsys, "check", "--content", str(drafted))
    assert code == 1
    assert out == ""
    headings = [line.strip() for line in err.splitlines() if re.match(r"^  \S.*:$", line)]
    summaries = 1 + len(pack.event.sections) + len(pack.speakers)
    assert f"translate {len(pack.quotes)} quotes:" in headings
    assert f"confirm {len(pack.speakers)} speakers:" in headings
    assert f"write {summaries} summaries:" in headings
    assert f"write {len(pack.quotes)} contexts:" in headings
    assert f"write {len(pack.terms)} definitions:" in headings
    # Groups in the issue's order: translate, then confirm, then write.
    verbs = [heading.split()[0] for heading in headings]
    assert verbs == sorted(verbs, key=("translate", "confirm", "write").index)
    # Every listed place is a file:line holding a TODO marker.
    places = re.findall(r"^    (\S+\.yaml):(\d+)", err, flags=re.MULTILINE)
    assert places
    for file, line in places:
        assert "TODO(" in Path(file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    assert "draft: true" in err
    assert "nothing was loaded" in err


def test_check_drafts_accepts_a_draft(drafted: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code, out, err = run(capsys, "check", "--drafts", "--content", str(drafted))
    assert (code, err) == (0, "")
    assert "OK: configuration and 1 content pack are valid." in out
    assert f"Drafts accepted for previewing (not ready to serve): {PACK_ID}" in out


def test_preview_works_on_a_draft_only_with_drafts(
    drafted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code, out, err = run(capsys, "preview", "speaker", "唐杰", "--content", str(drafted))
    assert code == 1
    assert "draft" in err
    code, out, err = run(
        capsys, "preview", "speaker", "唐杰", "--drafts", "--content", str(drafted), "--width", "80"
    )
    assert (code, err) == (0, "")
    assert "Tang Jie" in out
    code, out, err = run(capsys, "preview", "quote", "--drafts", "--content", str(drafted))
    assert (code, err) == (0, "")


def test_the_bot_loader_refuses_drafts(drafted: Path) -> None:
    with pytest.raises(ContentError) as caught:
        load_catalog(drafted)
    assert any(issue.todo == "translate quote" for issue in caught.value.issues)


def _finish(folder: Path) -> None:
    """Do what an editor does: fill every marker, drop the markers' comments and `draft: true`."""
    for file in folder.glob("*.yaml"):
        lines = []
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines()):
            if line == "draft: true":
                continue
            line = re.sub(r"\s*# TODO\(.*$", "", line)
            # Each text its own (a term's English names one term only).
            line = re.sub(r'"TODO\([^)]*\)[^"]*"', f'"written by the editor {number}"', line)
            lines.append(line)
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_finished_draft_loads_as_a_normal_pack(
    drafted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _finish(drafted / PACK_ID)
    assert find_todos(drafted / PACK_ID) == []
    catalog = load_catalog(drafted)
    assert catalog.packs[0].event.draft is False
    capsys.readouterr()
    code, out, _ = run(capsys, "check", "--content", str(drafted))
    assert code == 0
    assert "Drafts accepted" not in out


def test_a_marker_left_in_a_finished_pack_is_refused_even_with_drafts(drafted: Path) -> None:
    _finish(drafted / PACK_ID)
    quotes = drafted / PACK_ID / "quotes.yaml"
    text = quotes.read_text(encoding="utf-8")
    quotes.write_text(
        re.sub(r'"written by the editor \d+"', '"TODO(translate quote)"', text, count=1)
    )
    with pytest.raises(ContentError) as caught:
        load_catalog(drafted, drafts=True)
    assert [issue.todo for issue in caught.value.issues] == ["translate quote"]


def test_draft_true_without_markers_is_still_a_draft(drafted: Path) -> None:
    _finish(drafted / PACK_ID)
    event = drafted / PACK_ID / "event.yaml"
    event.write_text("draft: true\n" + event.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_catalog(drafted)
    assert [issue.line for issue in caught.value.issues] == [1]
    assert load_catalog(drafted, drafts=True).packs[0].event.draft is True


def test_groups_count_entries_not_markers(tmp_path: Path) -> None:
    file = tmp_path / "speakers.yaml"
    lines = [
        "speakers:",
        "  - id: a  # TODO(confirm speaker): A → Ei",
        '    summary: {zh: "TODO(write summary)", en: "TODO(write summary)"}',
        "  - id: b",
        "    summary:",
        '      zh: "TODO(write summary)"',
        '      en: "TODO(write summary)"',
    ]
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    todos = find_todos(tmp_path)
    assert todos[0] == Todo(file, 2, "confirm speaker", "A → Ei", 2)
    groups = {group.label: group for group in group_todos(todos)}
    assert groups["write summary"].count == 2
    assert len(groups["write summary"].todos) == 4
    assert groups["write summary"].heading == "write 2 summaries"
    assert groups["confirm speaker"].heading == "confirm 1 speaker"


def test_content_new_refuses_an_existing_folder_and_a_bad_id(
    drafted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code, _, err = run(
        capsys, "content", "new", str(ARTICLE), "--id", PACK_ID, "--out", str(drafted)
    )
    assert code == 2
    assert "already exists" in err
    code, _, err = run(
        capsys, "content", "new", str(ARTICLE), "--id", "Bad Id", "--out", str(drafted)
    )
    assert code == 2
    assert "--id must be a slug" in err


def test_content_new_needs_a_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text("“我们明年一定会发布新的模型。”张伟表示。\n", encoding="utf-8")
    code, _, err = run(capsys, "content", "new", str(article), "--id", "x", "--out", str(tmp_path))
    assert code == 2
    assert "pass --url" in err
    code, _, err = run(
        capsys,
        "content", "new", str(article), "--id", "x", "--out", str(tmp_path),
        "--url", "https://example.org/a",
    )  # fmt: skip
    assert (code, err) == (0, "")
    catalog = load_catalog(tmp_path, drafts=True)
    (quote,) = catalog.quotes.values()
    assert catalog.speakers[quote.speaker].name.zh == "张伟"
    assert catalog.packs[0].event.source.url == "https://example.org/a"


def test_glossary_candidates_another_pack_defines_pass_check_drafts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ids and surfaces are per pack: a draft beside AGI-Next may keep its own RLVR."""
    from tests.summits import copy_content

    content = copy_content(tmp_path / "content")
    assert main(["content", "new", str(ARTICLE), "--id", PACK_ID, "--out", str(content)]) == 0
    capsys.readouterr()
    glossary = (content / PACK_ID / "glossary.yaml").read_text(encoding="utf-8")
    assert "id: rlvr" in glossary  # a candidate AGI-Next defines too
    code, _, err = run(capsys, "check", "--drafts", "--content", str(content))
    assert (code, err) == (0, "")
    catalog = load_catalog(content, drafts=True)
    assert {catalog.pack_of(t).id for t in catalog.terms_named("rlvr")} == {
        PACK_ID,
        "agi-next-2026",
    }
