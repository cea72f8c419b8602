"""Ids are unique per pack; references across packs are explicit (`pack/id`).

The Xinghe fixture pack defines its own `rlvr` term and an `agents` topic, as AGI-Next does,
and refers to AGI-Next's `reward-function` term and `innovation` topic explicitly.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bot.catalog import Catalog, ContentError, load_catalog, short_key
from bot.ui.custom_ids import ANOTHER, QuoteFilters, decode_filters, encode_filters
from tests.summits import AGI_NEXT_ID, XINGHE_ID, copy_content, two_summits

AGI_RLVR = f"{AGI_NEXT_ID}/rlvr"
XINGHE_RLVR = f"{XINGHE_ID}/rlvr"


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(two_summits(tmp_path_factory.mktemp("pack-ids") / "content"))


@pytest.fixture(scope="module")
def agi_only(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(copy_content(tmp_path_factory.mktemp("agi-only") / "content"))


def _issues(content: Path) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_catalog(content)
    return [str(issue) for issue in raised.value.issues]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_two_packs_may_each_define_a_term_and_a_topic(both: Catalog) -> None:
    assert both.terms[AGI_RLVR] is not both.terms[XINGHE_RLVR]
    assert both.pack_of(both.terms[XINGHE_RLVR]).id == XINGHE_ID
    assert {both.pack_of(t).id for t in both.topics_named("agents")} == {XINGHE_ID, AGI_NEXT_ID}
    # An id no other pack uses keeps its bare key, as with one summit.
    assert both.terms["long-horizon-task"].id == "long-horizon-task"
    assert both.quotes["xinghe-tangjie-go-deep"].id == "xinghe-tangjie-go-deep"


def test_a_single_summit_keeps_its_bare_keys(agi_only: Catalog) -> None:
    assert agi_only.terms["rlvr"].id == "rlvr"
    assert all("/" not in key for key in (*agi_only.quotes, *agi_only.terms, *agi_only.topics))


def test_a_shared_name_finds_the_newest_summit_and_knows_the_other(both: Catalog) -> None:
    for query in ("rlvr", "RLVR", "可验证奖励强化学习"):
        found = both.find_term(query)
        assert found is not None
        assert found.id == XINGHE_RLVR  # Xinghe is the newer summit
    assert [t.id for t in both.terms_named("RLVR")] == [XINGHE_RLVR, AGI_RLVR]
    assert [t.id for t in both.terms_elsewhere(both.terms[XINGHE_RLVR])] == [AGI_RLVR]
    assert [t.id for t in both.terms_elsewhere(both.terms[AGI_RLVR])] == [XINGHE_RLVR]
    # A qualified key names one pack's entry.
    agi = both.find_term(AGI_RLVR)
    assert agi is not None
    assert both.pack_of(agi).id == AGI_NEXT_ID


def test_autocomplete_names_the_summit_of_a_shared_name(both: Catalog) -> None:
    choices = both.suggest("term", "rlvr")
    assert [c.id for c in choices[:2]] == [XINGHE_RLVR, AGI_RLVR]
    assert choices[0].label == "RLVR · Xinghe AI Developers Summit 2026"
    assert choices[1].label == "RLVR · AGI-Next Frontier Summit"
    # A name only one summit uses is labelled as before.
    (long_task,) = both.suggest("term", "long-horizon task")[:1]
    assert long_task.label == "Long-horizon task · 长程任务"


def test_a_shared_surface_is_one_match(both: Catalog) -> None:
    matches = both.scan_terms("RLVR，也就是可验证奖励强化学习，和 verifiable rewards")
    assert [m.term.id for m in matches] == [XINGHE_RLVR]
    # Beside a quote, its own summit's term.
    agi_quote = next(
        q
        for q in both.quotes_of_event(AGI_NEXT_ID)
        if any(m.term.id == XINGHE_RLVR for m in both.scan_terms(q.text.zh))
    )
    mine = both.scan_terms(agi_quote.text.zh, prefer=AGI_NEXT_ID)
    assert AGI_RLVR in {m.term.id for m in mine}
    assert XINGHE_RLVR not in {m.term.id for m in mine}
    # AGI-Next's RLVR still has its example quote from AGI-Next.
    example = both.best_quote_mentioning(both.terms[AGI_RLVR], lambda q: q.id)
    assert example is not None
    assert both.pack_of(example).id == AGI_NEXT_ID


def test_a_shared_topic_id_filters_quotes_of_every_summit(both: Catalog) -> None:
    every = both.search_quotes(topic="agents")
    assert {both.pack_of(q).id for q in every} == {XINGHE_ID, AGI_NEXT_ID}
    xinghe = both.search_quotes(topic=f"{XINGHE_ID}/agents")
    assert [q.id for q in xinghe] == ["xinghe-tangjie-run-a-month"]
    agi = both.search_quotes(topic=f"{AGI_NEXT_ID}/agents")
    assert len(agi) + len(xinghe) == len(every)
    assert len(both.search_quotes(topic="agents", event=AGI_NEXT_ID)) == len(agi)
    topic = both.topic_filter("agents")
    assert topic is not None
    assert topic.id == "agents"  # every summit's
    qualified = both.topic_filter(f"{AGI_NEXT_ID}/agents")
    assert qualified is not None
    assert qualified.id == f"{AGI_NEXT_ID}/agents"


def test_references_resolve_within_the_pack_or_explicitly(both: Catalog) -> None:
    # Within the pack: Xinghe's rlvr is related to its own long-horizon-task and tagged with
    # its own `agents`; explicitly: AGI-Next's reward-function and innovation.
    rlvr = both.terms[XINGHE_RLVR]
    assert rlvr.related == ("long-horizon-task", "reward-function")
    assert both.pack_of(both.terms[rlvr.related[1]]).id == AGI_NEXT_ID
    assert rlvr.topics == (f"{XINGHE_ID}/agents",)
    go_deep = both.quotes["xinghe-tangjie-go-deep"]
    assert go_deep.topics == ("agent-reliability", "innovation")
    assert both.pack_of(both.topics["innovation"]).id == AGI_NEXT_ID
    # AGI-Next's own references to `rlvr` stay AGI-Next's.
    assert AGI_RLVR in both.terms["reward-function"].related


def test_a_bare_reference_to_another_packs_entry_is_refused(tmp_path: Path) -> None:
    content = two_summits(tmp_path / "content")
    quotes = content / XINGHE_ID / "quotes.yaml"
    _edit(quotes, "agi-next-2026/innovation]", "innovation]")
    issues = _issues(content)
    assert any(
        issue.startswith(f"{quotes}:")
        and "quote 'xinghe-tangjie-go-deep': topic 'innovation' is not defined" in issue
        for issue in issues
    ), issues


def test_explicit_references_are_checked_with_file_and_line(tmp_path: Path) -> None:
    content = two_summits(tmp_path / "content")
    glossary = content / XINGHE_ID / "glossary.yaml"
    quotes = content / XINGHE_ID / "quotes.yaml"
    _edit(glossary, "agi-next-2026/reward-function]", "agi-next-2026/reward-functoin]")
    _edit(quotes, "agi-next-2026/innovation]", "agi-nxt-2026/innovation]")
    issues = _issues(content)
    related_line = next(
        n
        for n, line in enumerate(glossary.read_text().splitlines(), 1)
        if "reward-functoin" in line
    )
    topic_line = next(
        n for n, line in enumerate(quotes.read_text().splitlines(), 1) if "agi-nxt-2026" in line
    )
    assert (
        f"{glossary}:{related_line}: term 'rlvr': related 'agi-next-2026/reward-functoin': "
        "pack 'agi-next-2026' has no term 'reward-functoin' (did you mean 'reward-function'?)"
    ) in issues
    assert (
        f"{quotes}:{topic_line}: quote 'xinghe-tangjie-go-deep': topics "
        "'agi-nxt-2026/innovation' names pack 'agi-nxt-2026', which does not exist "
        "(did you mean 'agi-next-2026'?)"
    ) in issues
    assert len(issues) == 2


def test_a_surface_may_name_a_term_in_each_pack_but_one_term_per_pack(tmp_path: Path) -> None:
    content = two_summits(tmp_path / "content")
    glossary = content / XINGHE_ID / "glossary.yaml"
    _edit(
        glossary, 'aliases: ["verifiable rewards"]', 'aliases: ["verifiable rewards", "数据闭环"]'
    )
    issues = _issues(content)
    assert len(issues) == 1
    assert "alias '数据闭环' also names term 'data-loop'" in issues[0]


def test_ids_stored_before_ids_were_per_pack_still_resolve(both: Catalog) -> None:
    # AGI-Next's ids were bare (digest logs, cycles, whosaid rounds, buttons): a bare id
    # several packs now define is the oldest summit's, the one that had it then.
    assert both.terms["rlvr"] is both.terms[AGI_RLVR]
    assert both.topics["agents"] is both.topics[f"{AGI_NEXT_ID}/agents"]
    assert both.quotes.canonical("tangjie-ai-for-science-year") == "tangjie-ai-for-science-year"
    assert both.quotes.canonical(f"{AGI_NEXT_ID}/tangjie-ai-for-science-year") == (
        "tangjie-ai-for-science-year"
    )
    assert both.quotes.canonical("no-such-quote") is None
    # Short keys of buttons already sent, and of a key's other form.
    assert both.by_key("term", short_key("rlvr")) is both.terms[AGI_RLVR]
    assert both.by_key("term", short_key(XINGHE_RLVR)) is both.terms[XINGHE_RLVR]
    assert both.by_key("term", short_key(f"{XINGHE_ID}/data-loop")) is both.terms["data-loop"]
    assert both.by_key("topic", short_key("agents")) is both.topics["agents"]
    # After a reload in another process (the catalog is pickled), the same.
    copy = pickle.loads(pickle.dumps(both))
    assert copy.terms["rlvr"].id == AGI_RLVR
    assert copy.by_key("term", short_key("rlvr")).id == AGI_RLVR


def test_an_old_custom_id_still_resolves(agi_only: Catalog, both: Catalog) -> None:
    # An "Another" button sent by the AGI-Next-only bot, for a quote on the `agents` topic.
    quote = agi_only.search_quotes(topic="agents")[0]
    old = f"0:{short_key(quote.id)}:{encode_filters(QuoteFilters(topic='agents'))}"
    match = ANOTHER.fullmatch(old)
    assert match is not None
    # With both summits loaded the topic id is shared: the button filters every summit's.
    filters = decode_filters(both, match)
    assert filters is not None
    assert filters.topic == "agents"
    assert {both.pack_of(q).id for q in filters.quotes(both)} == {XINGHE_ID, AGI_NEXT_ID}
    assert both.by_key("quote", match["quote"]) is both.quotes[quote.id]
    # Served by AGI-Next alone the same button means what it meant.
    alone = decode_filters(agi_only, match)
    assert alone is not None
    assert [q.id for q in alone.quotes(agi_only)] == [
        q.id for q in agi_only.search_quotes(topic="agents")
    ]
