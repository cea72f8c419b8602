"""deploy/summitbot.service agrees with the CLI's exit codes, and systemd accepts it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli, connection, runner
from tests.paths import REPO_ROOT

UNIT = REPO_ROOT / "deploy" / "summitbot.service"
OPERATIONS = REPO_ROOT / "docs" / "operations.md"
INSTALLED = "/opt/summitbot/.venv/bin/summitbot"


def unit_entries() -> dict[str, list[str]]:
    """Every `Key=value` of the unit (keys may repeat), comments and sections skipped."""
    entries: dict[str, list[str]] = {}
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        entries.setdefault(key, []).append(value)
    return entries


def documented_exit_codes() -> dict[int, str]:
    """The exit-code table of docs/operations.md: {code: meaning}."""
    text = OPERATIONS.read_text(encoding="utf-8")
    table = text[text.index("| exit code | meaning |") :]
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", table.split("\n\n", 1)[0], re.MULTILINE)
    return {int(code): meaning for code, meaning in rows}


def test_exit_codes_agree_between_the_cli_the_docs_and_the_unit() -> None:
    assert cli.EXIT_CONFIG == runner.EXIT_CONFIG == connection.EXIT_CONFIG == 2
    assert runner.EXIT_PROBLEMS == cli.EXIT_PROBLEMS == 1
    assert runner.EXIT_UNREACHABLE == 3
    documented = documented_exit_codes()
    assert set(documented) == {0, 1, 2, 3}
    assert documented[2].startswith("configuration")
    assert "rejected the token" in documented[2]
    assert "unreachable" in documented[3]

    entries = unit_entries()
    # Configuration errors are not retried; everything else that fails may be.
    assert entries["Restart"] == ["on-failure"]
    prevented = {
        int(code) for value in entries["RestartPreventExitStatus"] for code in value.split()
    }
    assert prevented == {runner.EXIT_CONFIG}
    # RestartPreventExitStatus only looks at the main process: a failing ExecStartPre would be
    # restarted whatever its exit code, so the pre-start check must not fail the start.
    assert entries["ExecStartPre"] == [f"-{INSTALLED} check"]
    assert entries["ExecStart"] == [f"{INSTALLED} run"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    # verify insists the commands exist: point them at this checkout's summitbot.
    here = Path(sys.executable).parent / "summitbot"
    assert here.is_file()
    unit = tmp_path / "summitbot.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace(INSTALLED, str(here)), "utf-8")
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "summitbot.service" not in proc.stderr, proc.stderr
