"""The `summitbot` command: exit codes and messages for good and bad content and config."""

from __future__ import annotations

import io
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


# --- preview --------------------------------------------------------------------------------


def test_preview_term_rlvr(capsys: pytest.CaptureFixture[str], real: Catalog) -> None:
    code, out, err = run(capsys, "preview", "term", "RLVR", "--lang", "en", "--width", "2000")
    assert (code, err) == (0, "")
    term = real.find_term("RLVR")
    assert term is not None
    lines = out.splitlines()
    assert lines[1] == f"RLVR · {term.term.zh}"
    assert term.definition.en in out
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
    code, out, err = run(capsys, "preview", "quote", "--width", "2000")
    assert (code, err) == (0, "")
    assert f"│ {first.text.zh}" in out
    assert f"│ {first.text.en}" in out
    assert first.id in out
    last = list(real.quotes.values())[-1]
    code, out, _ = run(capsys, "preview", "quote", last.id, "--width", "2000", "--lang", "zh")
    assert code == 0
    assert f"│ {last.text.zh}" in out
    assert last.context.zh in out
    # Search words pick the first matching quote.
    code, out, _ = run(capsys, "preview", "quote", "RLVR", "--width", "2000")
    assert code == 0
    assert real.search_quotes("RLVR")[0].text.en in out
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


def test_invite_permissions_include_read_message_history() -> None:
    """View Channel, Send Messages, Embed Links and Read Message History (issue 15 finding 1)."""
    from bot.runner import INVITE_PERMISSIONS, NO_TOKEN_HELP

    assert INVITE_PERMISSIONS == 1024 | 2048 | 16384 | 65536 == 84992
    assert "Read Message History" in NO_TOKEN_HELP
    assert "permissions=84992" in NO_TOKEN_HELP
