"""Several summits side by side: the shared speaker registry, per-pack roles, event filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog, ContentError, load_catalog
from bot.catalog.verify import verify_quotes
from tests.summits import AGI_NEXT_ID, XINGHE_ARTICLE, XINGHE_ID, copy_content, two_summits


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(two_summits(tmp_path_factory.mktemp("summits") / "content"))


def _issues(content: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_catalog(content)
    return [str(issue) for issue in raised.value.issues]


def test_one_person_at_two_summits(both: Catalog) -> None:
    tang = both.find_speaker("唐杰")
    assert tang is not None
    assert tang.id == "tangjie"
    assert [pack.id for pack, _ in both.appearances("tangjie")] == [XINGHE_ID, AGI_NEXT_ID]
    # One person in the speaker table, found by name, pinyin and alias alike.
    assert both.find_speaker("Tang Jie") is tang
    assert both.find_speaker("Jie Tang") is tang
    assert list(both.speakers).count("tangjie") == 1
    # His quotes from both summits.
    events = {both.pack_of(quote).id for quote in both.quotes_by("tangjie")}
    assert events == {XINGHE_ID, AGI_NEXT_ID}
    # A person of one summit only is named by their pack.
    zhou = both.find_speaker("周明远")
    assert zhou is not None
    assert [p.id for p, _ in both.appearances(zhou.id)] == [XINGHE_ID]


def test_a_quote_carries_its_own_summits_role(both: Catalog) -> None:
    quote = both.quotes["xinghe-tangjie-run-a-month"]
    assert both.pack_of(quote).id == XINGHE_ID
    assert both.speaker_of(quote) is both.appearances("tangjie")[0][1]
    old = both.quotes["tangjie-ai-for-science-year"]
    assert both.speaker_of(old) is both.appearances("tangjie")[1][1]
    assert both.speaker_of(old).attendance == "in-person"  # said in the AGI-Next pack only
    assert both.speaker_of(quote).attendance is None


def test_events_newest_first(both: Catalog) -> None:
    assert both.newest.id == XINGHE_ID
    assert [s.id for s in both.suggest_events("")] == [XINGHE_ID, AGI_NEXT_ID]
    assert [s.id for s in both.suggest_events("agi")] == [AGI_NEXT_ID]
    assert [s.id for s in both.suggest_events("星河")] == [XINGHE_ID]
    assert both.find_event("AGI-Next Frontier Summit") is both.pack(AGI_NEXT_ID)
    assert both.find_event(" xinghe-2026 ") is both.pack(XINGHE_ID)
    assert both.find_event("nothing") is None


def test_quotes_filtered_by_event(both: Catalog) -> None:
    xinghe = both.search_quotes(event=XINGHE_ID)
    assert len(xinghe) == 8
    assert all(both.pack_of(q).id == XINGHE_ID for q in xinghe)
    assert len(both.search_quotes(event=AGI_NEXT_ID)) == 45
    tang_xinghe = both.search_quotes(speaker="唐杰", event=XINGHE_ID)
    assert [q.id for q in tang_xinghe] == [
        "xinghe-tangjie-run-a-month",
        "xinghe-tangjie-hundred-steps",
        "xinghe-tangjie-go-deep",
    ]
    assert both.search_quotes(speaker="周明远", event=AGI_NEXT_ID) == []
    assert both.search_quotes("护城河", event=XINGHE_ID)[0].id == "xinghe-zhoumingyuan-moat"
    assert both.search_quotes(event="no-such-summit") == []
    assert both.quotes_of_event(XINGHE_ID) == tuple(xinghe)


def test_fixture_quotes_are_verbatim_from_its_article(both: Catalog) -> None:
    pack = both.pack(XINGHE_ID)
    assert pack is not None
    text = XINGHE_ARTICLE.read_text(encoding="utf-8")
    assert verify_quotes(Catalog([pack]), text) == []


def test_registry_speaker_must_not_rename(tmp_path: Path) -> None:
    content = two_summits(tmp_path / "content")
    path = content / XINGHE_ID / "speakers.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "  - id: tangjie\n", "  - id: tangjie\n    name: {zh: 唐杰, en: Tang Jie}\n"
        ),
        encoding="utf-8",
    )
    issues = _issues(content)
    assert any(
        issue.startswith(f"{path}:")
        and "`name` comes from the registry" in issue
        and "people.yaml:4" in issue
        for issue in issues
    ), issues


def test_unknown_person_is_reported_with_file_and_line(tmp_path: Path) -> None:
    content = two_summits(tmp_path / "content")
    path = content / XINGHE_ID / "speakers.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - id: tangjie\n", "  - id: tangjiee\n"),
        encoding="utf-8",
    )
    issues = _issues(content)
    assert (
        f"{path}:5: speaker 'tangjiee' is not in the speaker registry people.yaml "
        "(did you mean 'tangjie'?): add the person there, or give `name` here"
    ) in issues


def test_person_named_by_two_packs_must_move_to_the_registry(tmp_path: Path) -> None:
    content = two_summits(tmp_path / "content")
    other = content / "agi-next-2026" / "speakers.yaml"
    other.write_text(
        other.read_text(encoding="utf-8").replace(
            "  - id: tangjie\n",
            "  - id: zhoumingyuan\n    name: {zh: 周明远, en: Zhou Mingyuan}\n"
            "    role: {zh: 嘉宾, en: Guest}\n    summary: {zh: 嘉宾。, en: A guest.}\n"
            "  - id: tangjie\n",
        ),
        encoding="utf-8",
    )
    issues = _issues(content)
    assert any(
        "speaker 'zhoumingyuan' is also a speaker of pack" in issue
        and "define them once in people.yaml" in issue
        for issue in issues
    ), issues


def test_registry_problems_have_file_and_line(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    people = content / "people.yaml"
    text = people.read_text(encoding="utf-8")
    people.write_text(
        text + "  - id: tangjie\n    name: {zh: 唐杰, en: Tang Jie}\n  - id: nobody\n",
        encoding="utf-8",
    )
    issues = _issues(content)
    lines = text.count("\n")
    assert (f"{people}:{lines + 1}: person 'tangjie' is defined twice (first at line 4)") in issues
    assert any(issue.startswith(f"{people}:{lines + 3}: person 'nobody'") for issue in issues)


def test_a_quote_id_may_be_reused_by_another_pack(tmp_path: Path) -> None:
    # Ids are unique per pack: the second summit may reuse an id, and each entry keeps a key.
    content = two_summits(tmp_path / "content")
    path = content / XINGHE_ID / "quotes.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "id: xinghe-tangjie-go-deep", "id: tangjie-ai-for-science-year"
        ),
        encoding="utf-8",
    )
    catalog = load_catalog(content)
    ours = catalog.quotes[f"{XINGHE_ID}/tangjie-ai-for-science-year"]
    theirs = catalog.quotes[f"{AGI_NEXT_ID}/tangjie-ai-for-science-year"]
    assert catalog.pack_of(ours).id == XINGHE_ID
    assert catalog.pack_of(theirs).id == AGI_NEXT_ID
    assert ours.id == f"{XINGHE_ID}/tangjie-ai-for-science-year"
    # A bare id stored before ids were per pack is the oldest summit's (it had the id then).
    assert catalog.quotes["tangjie-ai-for-science-year"] is theirs
    assert len(catalog.quotes) == len(set(catalog.quotes))


def test_without_a_registry_a_pack_names_its_own_speakers() -> None:
    # The mini pack (and every draft from `content new`) names its speakers itself.
    from tests.catalog.conftest import MINI

    catalog = load_catalog(MINI)
    assert catalog.find_speaker("唐杰") is not None
