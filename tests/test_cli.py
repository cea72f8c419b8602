"""The `summitbot` command: exit codes and messages for good and bad content and config."""

from __future__ import annotations

import io
import itertools
import os
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest

from bot.catalog import Catalog, ContentError, load_catalog
from bot.cli import build_parser, main
from bot.ui.terminal import display_width, embed_to_text, markdown_to_plain, wrap
from tests.paths import ARTICLE, REPO_ROOT

REAL = REPO_ROOT / "content"
MINI = REPO_ROOT / "tests" / "fixtures" / "packs" / "mini"


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMITBOT_CONFIG", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)


@pytest.fixture(scope="module")
def real() -> Catalog:
    return load_catalog(REAL)


def flat(text: str) -> str:
    """Preview output without line breaks, quote bars or any whitespace, for `in` checks."""
    return "".join("".join(line.strip().removeprefix("│ ").split()) for line in text.splitlines())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- check ----------------------------------------------------------------------------------


def test_check_real_content(capsys: pytest.CaptureFixture[str], real: Catalog) -> None:
    code, out, err = run(capsys, "check")
    assert (code, err) == (0, "")
    assert "config:  defaults (no config file)" in out
    assert f"content: {REAL}" in out
    assert "DISCORD_TOKEN not set" in out
    header = next(line for line in out.splitlines() if line.startswith("pack"))
    assert header.split() == ["pack", "speakers", "quotes", "terms", "topics", "sections"]
    for pack in real.packs:
        row = next(line for line in out.splitlines() if line.startswith(pack.id))
        counts = [len(pack.speakers), len(pack.quotes), len(pack.terms), len(pack.topics)]
        assert row.split() == [pack.id, *map(str, counts), str(len(pack.event.sections))]
    assert out.rstrip().endswith("OK: configuration and 1 content pack are valid.")


def test_check_with_config_file_and_token(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(MINI, tmp_path / "packs")
    config = tmp_path / "bot.yaml"
    config.write_text("content:\n  path: packs\n", encoding="utf-8")
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value")
    code, out, _ = run(capsys, "check", "--config", str(config))
    assert code == 0
    assert f"config:  {config}" in out
    assert f"content: {tmp_path / 'packs'}" in out
    assert "mini-summit" in out
    assert "DISCORD_TOKEN set" in out
    assert "secret-token-value" not in out
    # --config before the subcommand works the same.
    assert run(capsys, "--config", str(config), "check")[0] == 0


def _broken_pack(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    folder = content / "mini-summit"
    quotes = folder / "quotes.yaml"
    text = quotes.read_text(encoding="utf-8")
    text = text.replace("speaker: tangjie", "speaker: nobody", 1)
    text = text.replace("section: training", "section: no-such-section", 1)
    quotes.write_text(text, encoding="utf-8")
    glossary = folder / "glossary.yaml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("related: [ai]", "related: [missing-term]", 1),
        encoding="utf-8",
    )
    return content


def test_check_broken_pack_prints_every_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = _broken_pack(tmp_path)
    with pytest.raises(ContentError) as raised:
        load_catalog(content)
    expected = [str(issue) for issue in raised.value.issues]
    assert len(expected) >= 3

    code, out, err = run(capsys, "check", "--content", str(content))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[: len(expected)] == expected
    for line in expected:
        path, lineno, _ = line.split(":", 2)
        assert Path(path).name in {"quotes.yaml", "glossary.yaml"}
        assert lineno.isdigit()
    assert lines[-1] == f"summitbot: {len(expected)} content problems; nothing was loaded."


def test_check_bad_config_exits_2_naming_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "digest:\n  default_time: '25:00'\ndiscord:\n  shard_idz: [1]\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "--config", str(config), "check")
    assert code == 2
    assert out == ""
    assert str(config) in err
    assert f"{config}:2: digest.default_time: expected HH:MM, got '25:00'" in err
    assert f"{config}:4: discord.shard_idz: unknown key" in err


def test_check_missing_content_folder_is_a_config_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("content:\n  path: nowhere\n", encoding="utf-8")
    code, _, err = run(capsys, "check", "--config", str(config))
    assert code == 2
    assert f"content.path: no such directory: {tmp_path / 'nowhere'}" in err
    code, _, err = run(capsys, "check", "--content", str(tmp_path / "nope"))
    assert code == 2
    assert "--content: no such directory" in err


def test_missing_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--config", str(tmp_path / "absent.yaml"), "check")
    assert code == 2
    assert "config file not found" in err


def test_config_from_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("logging:\n  level: LOUD\n", encoding="utf-8")
    monkeypatch.setenv("SUMMITBOT_CONFIG", str(config))
    code, _, err = run(capsys, "check")
    assert code == 2
    assert "logging.level: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in err


def test_check_with_the_example_copied_elsewhere_from_another_cwd(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "etc" / "config.yaml"
    copy.parent.mkdir()
    shutil.copy(REPO_ROOT / "config.example.yaml", copy)
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    code, out, err = run(capsys, "--config", str(copy), "check")
    assert (code, err) == (0, "")
    assert f"content: {REAL}" in out


#: Nine lines that expand to 9**8 ≈ 43 million strings if the aliases are followed.
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ANCHORS_REFUSED = (
    "YAML anchors and aliases are not allowed (found anchor &a); write the value out in full"
)


def test_check_refuses_an_alias_bomb_in_the_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("logging:\n  level: INFO\n" + ALIAS_BOMB, encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "check")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"summitbot: invalid configuration: {config}:3: (yaml): {ANCHORS_REFUSED}"
    ]


def test_check_refuses_an_alias_bomb_in_content(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    topics = content / "mini-summit" / "topics.yaml"
    topics.write_text(ALIAS_BOMB, encoding="utf-8")
    code, out, err = run(capsys, "check", "--content", str(content))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{topics}:1: {ANCHORS_REFUSED}",
        "summitbot: 1 content problem; nothing was loaded.",
    ]


@pytest.mark.parametrize("where", ["config", "content"])
def test_check_refuses_5000_nested_brackets_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str
) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    deep = "[" * 5000 + "\n"
    config = tmp_path / "config.yaml"
    config.write_text("content:\n  path: content\n", encoding="utf-8")
    if where == "config":
        config.write_text("discord:\n  owner_ids: " + deep, encoding="utf-8")
    else:
        (content / "mini-summit" / "topics.yaml").write_text("topics: " + deep, encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "check")
    assert out == ""
    if where == "config":
        assert code == 2
        assert err.splitlines() == [
            f"summitbot: invalid configuration: {config}:2: (yaml): nested deeper than 32 levels"
        ]
    else:
        assert code == 1
        topics = content / "mini-summit" / "topics.yaml"
        assert err.splitlines() == [
            f"{topics}:1: nested deeper than 32 levels",
            "summitbot: 1 content problem; nothing was loaded.",
        ]


def test_check_refuses_a_source_url_that_injects_a_link(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    event = content / "mini-summit" / "event.yaml"
    hostile = (
        "https://www.tmtpost.com/7838344.html)[Verify your account](https://evil.example/login"
    )
    text = event.read_text(encoding="utf-8")
    event.write_text(text.replace("https://example.com/agi-next", hostile), encoding="utf-8")
    code, out, err = run(capsys, "check", "--content", str(content))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{event}:17: event: source.url: '{hostile[:79]}…' is not a usable link: "
        "contains `)` (percent-encode it)",
        "summitbot: 1 content problem; nothing was loaded.",
    ]


# --- preview --------------------------------------------------------------------------------


def test_preview_term_rlvr(capsys: pytest.CaptureFixture[str], real: Catalog) -> None:
    code, out, err = run(capsys, "preview", "term", "RLVR", "--lang", "en", "--width", "200")
    assert (code, err) == (0, "")
    term = real.find_term("RLVR")
    assert term is not None
    lines = out.splitlines()
    assert lines[1] == f"RLVR · {term.term.zh}"
    assert flat(term.definition.en) in flat(out)
    assert "▌ Mentioned by" in out
    assert "▌ Source" in out
    source = real.packs[0].event.source
    assert f"{source.title} <{source.url}>" in out
    assert "\\" not in out  # markdown escapes are undone for the terminal


def test_preview_speaker(capsys: pytest.CaptureFixture[str], real: Catalog) -> None:
    speaker = real.find_speaker("tangjie")
    assert speaker is not None
    code, out, err = run(capsys, "preview", "speaker", "tangjie")
    assert (code, err) == (0, "")
    assert f"{speaker.name.en} ({speaker.name.zh})" in out
    assert "".join(speaker.summary.en.split()) in "".join(out.split())
    code, out, _ = run(capsys, "preview", "speaker", "唐杰", "--lang", "zh")
    assert code == 0
    assert f"{speaker.name.zh}（{speaker.name.en}）" in out
    # No name: the speaker list.
    code, out, _ = run(capsys, "preview", "speaker")
    assert code == 0
    for each in real.speakers.values():
        assert each.name.en in out


def test_preview_speaker_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "speaker", "xyzzy")
    assert code == 1
    assert out == ""
    assert err.startswith("No speaker matches 'xyzzy'.")


def test_preview_term_unknown_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "term", "RLVF")
    assert code == 1
    assert out == ""
    assert err.startswith("No term matches 'RLVF'. Did you mean: RLVR · ")
    code, _, err = run(capsys, "preview", "term", "RLVF", "--lang", "zh")
    assert code == 1
    assert err.startswith("没有与“RLVF”匹配的术语。")


def test_preview_quote(capsys: pytest.CaptureFixture[str], real: Catalog) -> None:
    first = next(iter(real.quotes.values()))
    code, out, err = run(capsys, "preview", "quote", "--width", "200")
    assert (code, err) == (0, "")
    assert flat(first.text.zh) in flat(out)
    assert flat(first.text.en) in flat(out)
    assert first.id in out
    last = list(real.quotes.values())[-1]
    code, out, _ = run(capsys, "preview", "quote", last.id, "--width", "200", "--lang", "zh")
    assert code == 0
    assert flat(last.text.zh) in flat(out)
    assert flat(last.context.zh) in flat(out)
    # Search words pick the first matching quote.
    code, out, _ = run(capsys, "preview", "quote", "RLVR", "--width", "200")
    assert code == 0
    assert flat(real.search_quotes("RLVR")[0].text.en) in flat(out)
    code, _, err = run(capsys, "preview", "quote", "no such words anywhere qqq")
    assert code == 1
    assert err.startswith("No quote matches 'no such words anywhere qqq'.")


def test_preview_digest_and_summit(capsys: pytest.CaptureFixture[str], real: Catalog) -> None:
    code, out, _ = run(capsys, "preview", "digest")
    assert code == 0
    assert "Quote of the day" in out
    code, out, _ = run(capsys, "preview", "digest", "--lang", "zh")
    assert code == 0
    assert "每日一言" in out
    pack = real.packs[0]
    code, out, _ = run(capsys, "preview", "summit")
    assert code == 0
    assert pack.event.name.en in out
    assert "10 January 2026" in out
    assert run(capsys, "preview", "summit", pack.id)[0] == 0
    code, _, err = run(capsys, "preview", "summit", "no-such-pack")
    assert code == 1
    assert pack.id in err


def test_preview_with_mini_content(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "preview", "term", "muon", "--content", str(MINI))
    assert code == 0
    assert "Muon · Muon优化器" in out


def test_preview_lines_fit_the_width(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "preview", "speaker", "tangjie", "--lang", "zh", "--width", "60")
    assert code == 0
    for line in out.splitlines():
        assert display_width(line) <= 60, line


_PREFIXES = ("▌ ", "— ", "│ ")


def _bodies(out: str) -> list[str]:
    """Each output line without its indent and layout prefix."""
    bodies = []
    for line in out.splitlines():
        body = line.strip()
        for prefix in _PREFIXES:
            body = body.removeprefix(prefix)
        bodies.append(body)
    return bodies


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("what", [("summit",), ("term", "RLVR"), ("speaker", "yaoshunyu")])
def test_preview_layout_keeps_names_urls_and_separators(
    capsys: pytest.CaptureFixture[str], real: Catalog, lang: str, what: tuple[str, ...]
) -> None:
    names = [s.name.zh for s in real.speakers.values()]
    url = real.packs[0].event.source.url
    for width in (40, 47, 53, 60, 71, 80):
        code, out, _ = run(capsys, "preview", *what, "--lang", lang, "--width", str(width))
        assert code == 0
        bodies = _bodies(out)
        for body in bodies:
            assert not body.startswith(("·", "，", "。", "、", "）", "；", "：")), (width, body)
        for above, below in itertools.pairwise(bodies):
            for name in names:
                for cut in range(1, len(name)):
                    split = above.endswith(name[:cut]) and below.startswith(name[cut:])
                    assert not split, (width, name, above, below)
        assert f"<{url}>" in out  # one piece, on one line
        wide = [line for line in out.splitlines() if display_width(line) > width]
        assert all(url in line for line in wide), wide


def test_preview_summit_sections_are_separated(
    capsys: pytest.CaptureFixture[str], real: Catalog
) -> None:
    code, out, _ = run(capsys, "preview", "summit", "--lang", "en", "--width", "60")
    assert code == 0
    lines = out.splitlines()
    for section in real.packs[0].event.sections[1:]:
        start = "  " + " ".join(section.title.en.split()[:3])
        first = next(i for i, line in enumerate(lines) if line.startswith(start))
        assert lines[first - 1] == "" or lines[first - 1].startswith("▌ "), section.id


def test_preview_term_shows_related_terms_as_pairs(
    capsys: pytest.CaptureFixture[str], real: Catalog
) -> None:
    term = next(t for t in real.terms.values() if "rlvr" in t.related)
    rlvr = real.terms["rlvr"].term
    code, out, _ = run(capsys, "preview", "term", term.id, "--lang", "en", "--width", "200")
    assert code == 0
    assert f"{rlvr.en} ({rlvr.zh})" in out
    code, out, _ = run(capsys, "preview", "term", term.id, "--lang", "zh", "--width", "200")
    assert code == 0
    assert f"{rlvr.zh}（{rlvr.en}）" in out


@pytest.mark.parametrize("width", ["39", "201", "0", "-5", "wide"])
def test_preview_width_is_bounded(capsys: pytest.CaptureFixture[str], width: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["preview", "summit", "--width", width])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("summitbot preview: error: argument --width: ")
    assert ("from 40 to 200 columns" in err) or ("expected a number of columns" in err)


@pytest.mark.parametrize("width", ["40", "200"])
def test_preview_width_bounds_are_inclusive(capsys: pytest.CaptureFixture[str], width: str) -> None:
    code, out, _ = run(capsys, "preview", "summit", "--width", width)
    assert code == 0
    assert out.splitlines()[0] == "─" * int(width)


# --- content verify -------------------------------------------------------------------------


def test_content_verify_real_pack(capsys: pytest.CaptureFixture[str], real: Catalog) -> None:
    code, out, err = run(capsys, "content", "verify", "--source", str(ARTICLE))
    assert (code, err) == (0, "")
    assert out.strip() == f"{len(real.quotes)} quotes verified against {ARTICLE}"


def test_content_verify_reports_offenders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, real: Catalog
) -> None:
    quotes = list(real.quotes.values())
    removed = [quotes[0], quotes[-1]]
    text = ARTICLE.read_text(encoding="utf-8")
    for quote in removed:
        # The pack may restore full-width punctuation; the article's form is its NFKC fold.
        head = unicodedata.normalize("NFKC", quote.text.zh)[:12]
        assert head in text
        text = text.replace(head, "")
    source = tmp_path / "article.txt"
    source.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "content", "verify", "--source", str(source))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    for quote in removed:
        assert any(line.startswith(f"{quote.id} ({quote.speaker}): ") for line in lines)
    assert lines[-1] == f"2 of {len(quotes)} quotes are not verbatim in {source}"


def test_content_verify_one_pack_of_several(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.summits import XINGHE_ARTICLE, XINGHE_ID, two_summits

    content = str(two_summits(tmp_path / "content"))
    # Each summit against its own article.
    for pack, source, count in (
        (XINGHE_ID, XINGHE_ARTICLE, 8),
        ("agi-next-2026", ARTICLE, 45),
    ):
        args = ("content", "verify", "--source", str(source), "--pack", pack)
        code, out, err = run(capsys, *args, "--content", content)
        assert (code, err) == (0, "")
        assert out.strip() == f"{count} quotes verified against {source}"
    # Without --pack, every quote against one article: the other summit's are not in it.
    code, _, err = run(capsys, "content", "verify", "--source", str(ARTICLE), "--content", content)
    assert code == 1
    assert err.splitlines()[-1] == f"8 of 53 quotes are not verbatim in {ARTICLE}"
    args = ("content", "verify", "--source", str(ARTICLE), "--pack", "nope")
    code, _, err = run(capsys, *args, "--content", content)
    assert code == 2
    assert "no pack 'nope'" in err


def test_content_verify_missing_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "content", "verify", "--source", str(tmp_path / "none.txt"))
    assert code == 2
    assert "cannot read" in err


# --- the parser -----------------------------------------------------------------------------


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys)
    assert code == 2
    assert "usage: summitbot" in err


def test_every_subcommand_is_registered() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"check", "preview", "content", "run", "sync", "db"} <= set(commands)
    args = parser.parse_args(["db", "status", "--config", "x.yaml"])
    assert args.config == Path("x.yaml")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["preview", "nonsense"])
    assert raised.value.code == 2
    with pytest.raises(SystemExit) as raised:
        main(["preview", "term", "--lang", "fr"])
    assert raised.value.code == 2


# --- terminal rendering ---------------------------------------------------------------------


def test_markdown_to_plain() -> None:
    assert (
        markdown_to_plain("[Title \\*x\\*](https://e.com/a) · A")
        == "Title *x* <https://e.com/a> · A"
    )
    assert markdown_to_plain("**bold** \\_under\\_ `code`") == "bold _under_ code"
    assert markdown_to_plain("\\[not a link](https://e.com)") == "[not a link](https://e.com)"


def test_wrap_counts_cjk_as_two_columns() -> None:
    lines = wrap("中文" * 30, 20)
    assert all(display_width(line) <= 20 for line in lines)
    assert "".join(lines) == "中文" * 30
    words = wrap("alpha beta gamma delta epsilon zeta", 14, "  ")
    assert words == ["  alpha beta", "  gamma delta", "  epsilon zeta"]
    long = wrap("x" * 50, 20)
    assert all(display_width(line) <= 20 for line in long)


def test_embed_to_text_layout() -> None:
    import discord

    embed = discord.Embed(title="Title", description="> quoted\n\nplain", url="https://e.com")
    embed.set_author(name="Author")
    embed.add_field(name="Field", value="• one\n• two")
    embed.add_field(name="\u200b", value="continued")
    embed.set_footer(text="Footer")
    text = embed_to_text(embed, 40)
    assert text.splitlines() == [
        "─" * 40,
        "Author",
        "Title",
        "<https://e.com>",
        "",
        "│ quoted",
        "",
        "plain",
        "",
        "▌ Field",
        "  • one",
        "  • two",
        "",
        "  continued",
        "",
        "— Footer",
        "─" * 40,
    ]


def test_a_closed_pipe_is_not_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`summitbot preview quote | head -3`: the reader leaving early gives no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return write_end

    with capsys.disabled():
        monkeypatch.setattr(sys, "stdout", ClosedPipe())
        assert main(["preview", "quote"]) == 0
    os.close(write_end)


@pytest.mark.parametrize("words", ["自主學習", "自主学习"])
def test_preview_quote_folds_traditional_search_words(
    capsys: pytest.CaptureFixture[str], real: Catalog, words: str
) -> None:
    code, out, err = run(capsys, "preview", "quote", words, "--width", "200")
    assert (code, err) == (0, "")
    assert real.search_quotes("自主学习")[0].text.en in out


@pytest.mark.parametrize("name", ["tangjie", "Tang Jie"])
def test_preview_quote_by_a_speaker_name(
    capsys: pytest.CaptureFixture[str], real: Catalog, name: str
) -> None:
    code, out, err = run(capsys, "preview", "quote", name, "--width", "200")
    assert (code, err) == (0, "")
    assert real.quotes_by("tangjie")[0].text.en in out


def test_preview_speaker_lists_every_candidate(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "preview", "speaker", "yang")
    assert (code, out) == (1, "")
    assert err.startswith("No speaker matches 'yang'. Did you mean: ")
    assert "Yang Zhilin" in err
    assert "Yang Qiang" in err


def test_check_prints_the_database_path_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copytree(MINI, tmp_path / "packs")
    config = tmp_path / "bot.yaml"
    database = tmp_path / "state" / "deeper" / "bot.db"
    config.write_text(
        f"content:\n  path: {tmp_path / 'packs'}\ndatabase:\n  path: {database}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "check", "--config", str(config))
    assert code == 0
    assert f"database: {database} (will be created, with its folder {database.parent})" in out
    assert not (tmp_path / "state").exists()

    database.parent.mkdir(parents=True)
    database.write_bytes(b"")
    code, out, _ = run(capsys, "check", "--config", str(config))
    assert code == 0
    assert f"database: {database} (exists, writable)" in out


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        ("a-file/bot.db", "{tmp}/a-file is not a directory, so the database cannot be created"),
        ("a-file/deeper/bot.db", "{tmp}/a-file is not a directory, so the database cannot be"),
        ("a-folder", "not a file"),
    ],
)
def test_check_refuses_an_unusable_database_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str, problem: str
) -> None:
    shutil.copytree(MINI, tmp_path / "packs")
    (tmp_path / "a-file").write_text("in the way", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    config = tmp_path / "bot.yaml"
    config.write_text(
        f"content:\n  path: {tmp_path / 'packs'}\ndatabase:\n  path: {tmp_path / where}\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "check", "--config", str(config))
    assert code == 2
    assert out == ""
    assert f"database.path: {tmp_path / where} is not usable: " in err
    assert problem.format(tmp=tmp_path) in err


def test_invite_permissions_include_read_message_history() -> None:
    """View Channel, Send Messages, Embed Links and Read Message History (issue 15 finding 1)."""
    from bot.runner import INVITE_PERMISSIONS, NO_TOKEN_HELP

    assert INVITE_PERMISSIONS == 1024 | 2048 | 16384 | 65536 == 84992
    assert "Read Message History" in NO_TOKEN_HELP
    assert "permissions=84992" in NO_TOKEN_HELP
