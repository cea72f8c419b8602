"""The README's offline demo: `python -m tests.fakediscord.demo` talks to the real bot."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from tests.fakediscord.demo import main, parse_command
from tests.paths import REPO_ROOT

#: Enough of the registered commands' shape for the parser.
COMMANDS = {
    "glossary": {"name": "glossary", "options": [{"type": 3, "name": "term", "required": True}]},
    "quote": {
        "name": "quote",
        "options": [
            {"type": 3, "name": "speaker"},
            {"type": 3, "name": "topic"},
            {"type": 3, "name": "search"},
        ],
    },
    "digest": {
        "name": "digest",
        "options": [
            {"type": 1, "name": "status", "options": []},
            {"type": 1, "name": "set", "options": [{"type": 3, "name": "time"}]},
        ],
    },
}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/quote", ("quote", {})),
        ("/quote speaker:tangjie", ("quote", {"speaker": "tangjie"})),
        ('/quote search:"Token Efficiency"', ("quote", {"search": "Token Efficiency"})),
        ("/glossary RLVR", ("glossary", {"term": "RLVR"})),
        ("/glossary term:a:b", ("glossary", {"term": "a:b"})),
        ("/digest status", ("digest status", {})),
        ("/digest set 09:30", ("digest set", {"time": "09:30"})),
    ],
)
def test_parse_command(line: str, expected: tuple[str, dict[str, str]]) -> None:
    assert parse_command(line, COMMANDS) == expected


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("quote", "starts with /"),
        ("/nope", "unknown command /nope"),
        ("/glossary RLVR more", "no option for 'more'"),
        ('/quote search:"open', "No closing quotation"),
    ],
)
def test_parse_command_refuses(line: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_command(line, COMMANDS)


def test_the_documented_command_answers_and_exits_when_stdin_is_closed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.fakediscord.demo"],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,  # a guard against a hang, not a measurement
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for sent in (">>> /summit", ">>> /quote", ">>> /glossary term:RLVR"):
        assert sent in out
    assert "AGI-Next Frontier Summit" in out  # /summit
    assert "buttons: [Another] [Speaker profile] [Source]" in out  # /quote
    assert "RLVR · 可验证奖励强化学习" in out  # /glossary
    assert "Send more:" in out
    assert "not sent" not in out
    assert "Discord would have refused" not in out


def test_lines_from_stdin_are_sent_until_it_ends(capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.StringIO("/speaker 杨强\n\nhello\n")
    assert main(["--locale", "zh-CN", "/speakers"], stdin=stdin) == 0
    out = capsys.readouterr().out
    assert ">>> /speakers" in out
    assert ">>> /speaker name:杨强" in out
    assert "加拿大皇家学院院士" in out  # the profile, in Chinese
    assert "(not sent: a command starts with /" in out
    assert out.rstrip().endswith("Bye.")


def test_a_closed_stdin_is_the_end_of_input(capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.StringIO("/help\n")
    stdin.close()
    assert main(["/speakers"], stdin=stdin) == 0
    out = capsys.readouterr().out
    assert ">>> /speakers" in out
    assert ">>> /help" not in out
