"""Loader validation: every rule reports `file:line: message`, all problems at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.catalog import ContentError, ContentIssue, load_catalog
from tests.catalog.conftest import MINI, PackCopy

Q = "content/mini-summit/quotes.yaml"
S = "content/mini-summit/speakers.yaml"
G = "content/mini-summit/glossary.yaml"
E = "content/mini-summit/event.yaml"
T = "content/mini-summit/topics.yaml"


def test_the_mini_pack_loads() -> None:
    catalog = load_catalog(MINI)
    assert [pack.id for pack in catalog.packs] == ["mini-summit"]
    assert list(catalog.speakers) == ["tangjie", "yangzhilin", "yaoshunyu"]
    assert len(catalog.quotes) == 6
    assert len(catalog.terms) == 8
    assert list(catalog.topics) == ["reinforcement-learning", "efficiency", "agents"]


def test_issue_string_and_sorting() -> None:
    issue = ContentIssue(Path("content/a/quotes.yaml"), 12, "boom")
    assert str(issue) == "content/a/quotes.yaml:12: boom"
    error = ContentError(
        [
            ContentIssue(Path("b.yaml"), 1, "third"),
            ContentIssue(Path("a.yaml"), 9, "second"),
            ContentIssue(Path("a.yaml"), 2, "first"),
        ]
    )
    assert [issue.message for issue in error.issues] == ["first", "second", "third"]
    assert "3 content problems" in str(error)


# -- files and YAML ---------------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line(pack: PackCopy) -> None:
    pack.replace("topics.yaml", "      en: Efficiency\n", "      en: [Efficiency\n")
    assert pack.issues() == [
        f"{T}:10: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence at line 9)"
    ]


def test_missing_file(pack: PackCopy) -> None:
    (pack.folder / "glossary.yaml").unlink()
    assert pack.issues() == [f"{G}: file is missing"]


def test_unknown_top_level_key(pack: PackCopy) -> None:
    pack.replace("quotes.yaml", "quotes:\n", "quote:\n")
    assert pack.issues() == [
        f"{Q}:1: unknown top-level key `quote` (expected `quotes`)",
        f"{Q}:1: missing top-level key `quotes`",
    ]


def test_extra_top_level_key(pack: PackCopy) -> None:
    pack.replace("topics.yaml", "topics:\n", "version: 2\ntopics:\n")
    assert pack.issues() == [f"{T}:1: unknown top-level key `version` (expected `topics`)"]


def test_top_level_must_be_a_mapping_with_a_list(pack: PackCopy) -> None:
    pack.write("topics.yaml", "- id: a\n")
    pack.replace("speakers.yaml", "speakers:\n", "speakers: none\nold:\n")
    assert pack.issues() == [
        f"{S}:1: `speakers` must be a list, got text",
        f"{S}:2: unknown top-level key `old` (expected `speakers`)",
        f"{T}:1: expected a mapping with the key `topics`, got a list",
    ]


def test_duplicate_yaml_key(pack: PackCopy) -> None:
    pack.replace("event.yaml", "date: 2026-01-10\n", "date: 2026-01-10\ndate: 2026-01-11\n")
    assert pack.issues() == [f"{E}:7: duplicate key `date` (first at line 6)"]


def test_no_pack_and_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content" / "notes").mkdir(parents=True)
    with pytest.raises(ContentError) as raised:
        load_catalog(Path("content"))
    assert [str(i) for i in raised.value.issues] == [
        "content: no content pack found (a pack is a folder with event.yaml)"
    ]
    with pytest.raises(ContentError) as raised:
        load_catalog(Path("nowhere"))
    assert [str(i) for i in raised.value.issues] == ["nowhere: content folder does not exist"]


# -- model validation ----------------------------------------------------------------------


def test_missing_language(pack: PackCopy) -> None:
    pack.replace("speakers.yaml", "      en: Yang Zhilin\n", "")
    assert pack.issues() == [f"{S}:20: speaker 'yangzhilin': name: missing `en`"]


def test_missing_field(pack: PackCopy) -> None:
    pack.replace(
        "quotes.yaml",
        "    context:\n      zh: 谈中美差距。\n      en: On the gap between China and the US.\n",
        "",
    )
    assert pack.issues() == [f"{Q}:32: quote 'tangjie-gap': missing `context`"]


def test_entry_without_an_id_is_named_by_its_line(pack: PackCopy) -> None:
    pack.replace(
        "topics.yaml", "      en: Agents\n", "      en: Agents\n  - name: {zh: 新, en: New}\n"
    )
    assert pack.issues() == [f"{T}:14: topic at line 14: missing `id`"]


def test_unknown_key_suggests_the_field(pack: PackCopy) -> None:
    pack.replace(
        "quotes.yaml",
        "  - id: yangzhilin-muon\n    speaker: yangzhilin\n",
        "  - id: yangzhilin-muon\n    speeker: yangzhilin\n",
    )
    assert pack.issues() == [
        f"{Q}:42: quote 'yangzhilin-muon': missing `speaker`",
        f"{Q}:43: quote 'yangzhilin-muon': unknown key `speeker` (did you mean `speaker`?)",
    ]


def test_unknown_nested_key(pack: PackCopy) -> None:
    pack.replace("speakers.yaml", "      en: Tang Jie\n", "      en: Tang Jie\n      fr: Jie\n")
    assert pack.issues() == [f"{S}:6: speaker 'tangjie': name: unknown key `fr`"]


def test_wrong_type(pack: PackCopy) -> None:
    pack.replace("speakers.yaml", "    aliases: [Jie Tang]\n", "    aliases: Jie Tang\n")
    pack.replace(
        "glossary.yaml",
        "    topics: [reinforcement-learning]\n",
        "    topics: [reinforcement-learning]\n    definition: 3\n",
    )
    assert pack.issues() == [
        f"{G}:13: duplicate key `definition` (first at line 7)",
        f"{G}:13: term 'rlvr': definition: expected a mapping, got a number",
        f"{S}:6: speaker 'tangjie': aliases: expected a list, got text",
    ]


def test_bad_slug_id(pack: PackCopy) -> None:
    pack.replace("quotes.yaml", "  - id: tangjie-gap\n", "  - id: Tangjie Gap\n")
    assert pack.issues() == [
        f"{Q}:32: quote 'Tangjie Gap': id: 'Tangjie Gap' is not a valid id "
        "(use lowercase letters, digits and hyphens)"
    ]


def test_bad_attendance(pack: PackCopy) -> None:
    pack.replace("speakers.yaml", "attendance: remote", "attendance: online")
    assert pack.issues() == [
        f"{S}:41: speaker 'yaoshunyu': attendance: must be 'in-person' or 'remote', got 'online'"
    ]


def test_bad_date_and_url(pack: PackCopy) -> None:
    pack.replace("event.yaml", "date: 2026-01-10", "date: soon")
    pack.replace("event.yaml", "url: https://example.com/agi-next", "url: example.com")
    assert pack.issues() == [
        f"{E}:6: event: date: expected a date (YYYY-MM-DD), got 'soon'",
        f"{E}:17: event: source.url: 'example.com' is not a usable link: "
        "must start with http:// or https://",
    ]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (
            "https://www.tmtpost.com/7838344.html)[Verify your account](https://evil.example/login",
            "contains `)` (percent-encode it)",
        ),
        ("https://example.com/a<b>", "contains `<` (percent-encode it)"),
        ("https://example.com/[x]", "contains `[` (percent-encode it)"),
        ("'https://example.com/a b'", "contains whitespace or an invisible control character"),
        (
            '"https://example.com/a\\u200bb"',
            "contains whitespace or an invisible control character",
        ),
        ('"https://example.com/a\\x07"', "contains whitespace or an invisible control character"),
        ("javascript:alert(1)", "contains `(` (percent-encode it)"),
        ("ftp://example.com/x", "must start with http:// or https://"),
        ("https:example.com/x", "must start with http:// or https://"),
        ("https:///path-only", "needs a host name like example.org (punycode for non-ASCII names)"),
        (
            "https://localhost/x",
            "needs a host name like example.org (punycode for non-ASCII names)",
        ),
        ("https://example.com@evil.example/", "must not contain a user name or password (`user@`)"),
        ("https://example.com:99999/", "is not a well-formed URL"),
        ("https://example.com/" + "a" * 500, "longer than 500 characters"),
    ],
)
def test_source_url_is_validated_strictly(pack: PackCopy, url: str, problem: str) -> None:
    pack.replace("event.yaml", "url: https://example.com/agi-next", f"url: {url}")
    issues = pack.issues()
    assert len(issues) == 1
    assert issues[0].startswith(f"{E}:17: event: source.url: '")
    assert issues[0].endswith(f"' is not a usable link: {problem}")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.tmtpost.com/7838344.html",
        "http://example.com",
        "HTTPS://Example.COM/a_b-c~d?x=1&y=%28z%29#frag",
        "https://203.0.113.7:8443/path",
        "https://xn--fiqs8s.example/文章",
    ],
)
def test_ordinary_urls_pass(pack: PackCopy, url: str) -> None:
    pack.replace("event.yaml", "url: https://example.com/agi-next", f"url: {url}")
    assert load_catalog(pack.content).packs[0].event.source.url == url


def test_empty_text(pack: PackCopy) -> None:
    pack.replace("topics.yaml", "      en: Efficiency\n", "      en: '  '\n")
    assert pack.issues() == [f"{T}:9: topic 'efficiency': name.en: must not be empty"]


def test_entry_that_is_not_a_mapping(pack: PackCopy) -> None:
    pack.replace("topics.yaml", "topics:\n", "topics:\n  - agents-and-more\n")
    assert pack.issues() == [f"{T}:2: topic entries must be mappings, got text"]


def test_event_id_must_match_the_folder(pack: PackCopy) -> None:
    pack.replace("event.yaml", "id: mini-summit", "id: mini")
    assert pack.issues() == [
        f"{E}:2: event id 'mini' must equal the pack folder name 'mini-summit'"
    ]


# -- ids and references --------------------------------------------------------------------


def test_duplicate_id_in_a_pack(pack: PackCopy) -> None:
    pack.replace("quotes.yaml", "  - id: tangjie-gap\n", "  - id: tangjie-rlvr-year\n")
    assert pack.issues() == [
        f"{Q}:32: quote 'tangjie-rlvr-year' is defined twice (first at line 12)"
    ]


def test_duplicate_section_id(pack: PackCopy) -> None:
    pack.replace("event.yaml", "  - id: training\n", "  - id: outlook\n")
    issues = pack.issues()
    assert issues[0] == f"{E}:27: section 'outlook' is defined twice (first at line 20)"
    # The quotes in the section that no longer exists are reported too.
    assert f"{Q}:14: quote 'tangjie-rlvr-year': section 'training' is not defined" in issues


def test_a_copied_pack_repeats_only_its_speakers(pack: PackCopy) -> None:
    other = pack.content / "other-summit"
    shutil.copytree(pack.folder, other)
    path = other / "event.yaml"
    path.write_text(path.read_text().replace("id: mini-summit", "id: other-summit"))
    issues = pack.issues()
    # A person named in two packs is one person twice: the registry is where they belong.
    assert (
        "content/other-summit/speakers.yaml:2: speaker 'tangjie' is also a speaker of pack "
        "'mini-summit' (content/mini-summit/speakers.yaml:2): one person, so define them once "
        "in people.yaml (id, name, pinyin, aliases) and keep only the role and summary in each pack"
    ) in issues
    # Quote, term and topic ids are unique per pack: the copy's are its own.
    assert not any("quotes.yaml" in i or "glossary.yaml" in i or "topics.yaml" in i for i in issues)
    assert len(issues) == 3  # every speaker of the copy, once


def test_dangling_quote_references(pack: PackCopy) -> None:
    pack.replace(
        "quotes.yaml",
        "    speaker: yangzhilin\n    section: training\n    topics: [efficiency]\n",
        "    speaker: yangzhilni\n    section: trainin\n"
        "    topics: [efficiency, nope, efficiency]\n",
    )
    assert pack.issues() == [
        f"{Q}:43: quote 'yangzhilin-muon': speaker 'yangzhilni' is not defined "
        "(did you mean 'yangzhilin'?)",
        f"{Q}:44: quote 'yangzhilin-muon': section 'trainin' is not defined "
        "(did you mean 'training'?)",
        f"{Q}:45: quote 'yangzhilin-muon': topic 'nope' is not defined",
        f"{Q}:45: quote 'yangzhilin-muon': topics lists 'efficiency' twice",
    ]


def test_dangling_quote_references_on_their_own_lines(pack: PackCopy) -> None:
    pack.replace(
        "quotes.yaml", "    topics: [agents]\n", "    topics:\n      - agents\n      - agentz\n"
    )
    assert pack.issues() == [
        f"{Q}:7: quote 'tangjie-ai-for-science': topic 'agentz' is not defined "
        "(did you mean 'agents'?)"
    ]


def test_dangling_term_references(pack: PackCopy) -> None:
    pack.replace(
        "glossary.yaml",
        "    mentioned_by: [tangjie]\n    related: [ai]\n    topics: [reinforcement-learning]\n",
        "    mentioned_by: [tangjei]\n    related: [rlvr, aii]\n    topics: [reinforcement]\n",
    )
    assert pack.issues() == [
        f"{G}:10: term 'rlvr': speaker 'tangjei' is not defined (did you mean 'tangjie'?)",
        f"{G}:11: term 'rlvr': related lists the term itself",
        f"{G}:11: term 'rlvr': related term 'aii' is not defined (did you mean 'ai'?)",
        f"{G}:12: term 'rlvr': topic 'reinforcement' is not defined "
        "(did you mean 'reinforcement-learning'?)",
    ]


def test_a_broken_file_does_not_cascade(pack: PackCopy) -> None:
    pack.write("topics.yaml", "topics: [\n")
    issues = pack.issues()
    assert len(issues) == 1
    assert issues[0].startswith(f"{T}:2: YAML syntax error")


def test_an_invalid_entry_still_counts_as_defined(pack: PackCopy) -> None:
    pack.replace(
        "speakers.yaml",
        "attendance: in-person\n    summary:\n      zh: 关注",
        "attendance: yes\n    summary:\n      zh: 关注",
    )
    # Only the speaker's own problem: quotes by yangzhilin do not turn into dangling ones.
    assert pack.issues() == [
        f"{S}:26: speaker 'yangzhilin': attendance: must be 'in-person' or 'remote', got 'True'"
    ]


# -- aliases --------------------------------------------------------------------------------


def test_alias_naming_two_terms(pack: PackCopy) -> None:
    pack.replace(
        "glossary.yaml", "aliases: [MUON optimizer]", "aliases: [MUON optimizer, ｒｌｖｒ]"
    )
    assert pack.issues() == [
        f"{G}:17: term 'muon': alias 'ｒｌｖｒ' also names term 'rlvr' ({G}:2)"
    ]


def test_term_name_clashing_after_folding(pack: PackCopy) -> None:
    # 智能體 is the Traditional form of 智能体 (the agent term's zh name).
    pack.replace("glossary.yaml", "      zh: 自我认知\n", "      zh: 智能體\n")
    assert pack.issues() == [
        f"{G}:71: term 'self-cognition': term.zh '智能體' also names term 'agent' ({G}:61)"
    ]


# -- lengths --------------------------------------------------------------------------------


def test_quote_text_too_long(pack: PackCopy) -> None:
    long_en = "word " * 600
    pack.replace(
        "quotes.yaml",
        "      en: I think reaching AGI on the basis of priors may happen sooner.\n",
        f"      en: {long_en}\n",
    )
    assert pack.issues() == [
        f"{Q}:56: quote 'yangzhilin-prior': text is 3020 characters in zh and en together "
        "(limit 3000)"
    ]


def test_definition_summary_point_name_alias_too_long(pack: PackCopy) -> None:
    pack.replace(
        "glossary.yaml",
        "      en: Reaching the same result with fewer tokens.\n",
        f"      en: {'x' * 1025}\n",
    )
    pack.replace(
        "speakers.yaml",
        "      en: Focuses on token efficiency and better priors.\n",
        f"      en: {'y' * 2049}\n",
    )
    pack.replace(
        "speakers.yaml",
        "        en: The gap with the US has not narrowed.\n",
        f"        en: {'z' * 301}\n",
    )
    pack.replace("topics.yaml", "      en: Agents\n", f"      en: {'a' * 101}\n")
    pack.replace("speakers.yaml", "aliases: [Shunyu Yao]", f"aliases: [Shunyu Yao, {'b' * 101}]")
    assert pack.issues() == [
        f"{G}:30: term 'token-efficiency': definition.en is 1025 characters (limit 1024)",
        f"{S}:18: speaker 'tangjie': points[1].en is 301 characters (limit 300)",
        f"{S}:29: speaker 'yangzhilin': summary.en is 2049 characters (limit 2048)",
        f"{S}:37: speaker 'yaoshunyu': alias 'bbbbbbbbbbbbbbbbbbbb…' is 101 characters (limit 100)",
        f"{T}:13: topic 'agents': name.en is 101 characters (limit 100)",
    ]


# -- everything at once -------------------------------------------------------------------


def test_every_problem_in_every_file_is_reported_at_once(pack: PackCopy) -> None:
    pack.replace("event.yaml", "id: mini-summit", "id: mini")
    pack.replace("speakers.yaml", "      en: Yang Zhilin\n", "")
    pack.replace(
        "quotes.yaml", "muon\n    speaker: yangzhilin\n", "muon\n    speaker: yangzhilni\n"
    )
    pack.replace(
        "glossary.yaml", "    related: [ai]\n    topics", "    related: [rlvr]\n    topics"
    )
    pack.write("topics.yaml", "topics:\n  - id: agents\n    name: {zh: 智能体}\n")
    with pytest.raises(ContentError) as raised:
        load_catalog(pack.content)
    assert [str(issue) for issue in raised.value.issues] == [
        f"{E}:2: event id 'mini' must equal the pack folder name 'mini-summit'",
        f"{G}:11: term 'rlvr': related lists the term itself",
        f"{G}:12: term 'rlvr': topic 'reinforcement-learning' is not defined",
        f"{G}:23: term 'muon': topic 'efficiency' is not defined",
        f"{G}:33: term 'token-efficiency': topic 'efficiency' is not defined",
        f"{Q}:15: quote 'tangjie-rlvr-year': topic 'reinforcement-learning' is not defined",
        f"{Q}:25: quote 'tangjie-verifiable-env': topic 'reinforcement-learning' is not defined",
        f"{Q}:43: quote 'yangzhilin-muon': speaker 'yangzhilni' is not defined "
        "(did you mean 'yangzhilin'?)",
        f"{Q}:45: quote 'yangzhilin-muon': topic 'efficiency' is not defined",
        f"{Q}:55: quote 'yangzhilin-prior': topic 'efficiency' is not defined",
        f"{S}:20: speaker 'yangzhilin': name: missing `en`",
        f"{T}:3: topic 'agents': name: missing `en`",
    ]


# -- hostile YAML: aliases, nesting, tabs, long values -----------------------------------------

#: Nine lines that expand to 9**8 ≈ 43 million strings if aliases are followed.
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + ALIAS_BOMB


def test_an_alias_bomb_is_refused_fast_and_small(pack: PackCopy) -> None:
    import tracemalloc

    pack.write("topics.yaml", ALIAS_BOMB)
    tracemalloc.start()
    try:
        issues = pack.issues()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert issues == [
        f"{T}:1: YAML anchors and aliases are not allowed (found anchor &a); "
        "write the value out in full"
    ]
    assert peak < 20 * 2**20  # the whole pack load, not gigabytes


@pytest.mark.parametrize(
    ("text", "line", "found"),
    [
        ("topics:\n  - &t {id: a, name: {zh: 甲, en: A}}\n", 2, "anchor &t"),
        ("topics:\n  - id: a\n    name: &n {zh: 甲, en: A}\n", 3, "anchor &n"),
        ("topics:\n- id: a\n  name:\n    zh: &z 甲\n    en: A\n", 4, "anchor &z"),
        ("topics: [{id: a, name: {zh: 甲, en: A}}, {id: b, name: *n}]\n", 1, "alias *n"),
        ("topics:\n- id: a\n  name:\n    zh: 甲\n    en:\n      *z\n", 6, "alias *z"),
        ("? &k topics\n: []\n", 1, "anchor &k"),
        ('topics: [{"id":&x a, name: {zh: 甲, en: A}}]\n', 1, "anchor &x"),
        ('topics: [{"id": a, "name":*x}]\n', 1, "alias *x"),
        ("\ufeff&r\ntopics: []\n", 1, "anchor &r"),
    ],
)
def test_any_anchor_or_alias_is_refused_with_its_line(
    pack: PackCopy, text: str, line: int, found: str
) -> None:
    pack.write("topics.yaml", text)
    issues = pack.issues()
    assert len(issues) == 1
    assert issues[0] == (
        f"{T}:{line}: YAML anchors and aliases are not allowed (found {found}); "
        "write the value out in full"
    )


def test_ampersands_and_stars_in_text_are_not_anchors(pack: PackCopy) -> None:
    pack.replace("topics.yaml", "      en: Efficiency\n", '      en: "R&D *efficiency* & more"\n')
    pack.replace("topics.yaml", "      en: Agents\n", "      en: R&D *agents* & 2 * 3\n")
    catalog = load_catalog(pack.content)
    assert catalog.topics["efficiency"].name.en == "R&D *efficiency* & more"
    assert catalog.topics["agents"].name.en == "R&D *agents* & 2 * 3"


@pytest.mark.parametrize(
    "text",
    [
        "topics: " + "[" * 5000 + "]" * 5000 + "\n",
        "topics: " + "[" * 5000 + "\n",
        "topics: " + "[" * 500 + "]" * 500 + "\n",
        "topics:\n" + "".join("  " * depth + f"- k{depth}:\n" for depth in range(1, 200)),
    ],
)
def test_deep_nesting_is_one_line_not_a_recursion_error(pack: PackCopy, text: str) -> None:
    pack.write("topics.yaml", text)
    issues = pack.issues()
    assert len(issues) == 1
    assert issues[0].startswith(f"{T}:")
    assert issues[0].endswith(": nested deeper than 32 levels")


def test_nesting_is_also_checked_when_the_text_has_an_ampersand(pack: PackCopy) -> None:
    # Text that might hold an anchor takes the event scan; it refuses deep nesting too.
    pack.write("topics.yaml", "# R & D: &x\ntopics: " + "[" * 100 + "]" * 100 + "\n")
    assert pack.issues() == [f"{T}:2: nested deeper than 32 levels"]


def test_a_tab_in_the_indentation_says_tabs(pack: PackCopy) -> None:
    pack.replace("topics.yaml", "      en: Efficiency\n", "\ten: Efficiency\n")
    assert pack.issues() == [f"{T}:9: tabs are not allowed in YAML indentation; indent with spaces"]


def test_long_values_are_cut_in_messages(pack: PackCopy) -> None:
    long_id = "Bad_" + "x" * 500
    cut = long_id[:79] + "…"
    pack.replace("topics.yaml", "  - id: efficiency\n", f"  - id: {long_id}\n")
    pack.replace("topics.yaml", "topics:\n", f"{'k' * 300}: 1\ntopics:\n")
    issues = pack.issues()
    assert f"{T}:1: unknown top-level key `{'k' * 79}…` (expected `topics`)" in issues
    assert f"{T}:7: topic '{cut}': id: is longer than 64 characters" in issues
    assert all(len(issue) < 250 for issue in issues)


def test_a_long_bad_value_is_cut_in_its_message(pack: PackCopy) -> None:
    value = "remote " * 100
    pack.replace("speakers.yaml", "    attendance: remote\n", f"    attendance: {value}\n")
    cut = value.strip()[:79] + "…"
    assert pack.issues() == [
        f"{S}:41: speaker 'yaoshunyu': attendance: must be 'in-person' or 'remote', got '{cut}'"
    ]
