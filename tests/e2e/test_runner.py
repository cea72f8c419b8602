"""`summitbot run` and `summitbot sync` as an operator meets them: real processes, fake Discord."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from tests.fakediscord import FakeDiscord
from tests.paths import REPO_ROOT


def config_for(tmp_path: Path, fake: FakeDiscord) -> Path:
    path = tmp_path / "config.yaml"
    data = {
        "discord": {"api_base": fake.api_base, "gateway_url": fake.gateway_url},
        "database": {"path": str(tmp_path / "bot.db")},
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


async def summitbot(*args: str, token: str | None) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    if token is not None:
        env["DISCORD_TOKEN"] = token
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30.0)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def test_run_without_token_explains_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("SUMMITBOT_CONFIG", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err
    assert "applications.commands" in err
    assert "summitbot preview" in err


async def test_rejected_token_is_one_line(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = config_for(tmp_path, fake_discord)
    code, out, err = await summitbot("--config", str(config), "run", token="not-the-token")
    assert code == 1
    assert "rejected the token" in err
    assert "Traceback" not in err
    assert "not-the-token" not in out + err
    (violation,) = fake_discord.take_violations()  # the 401 the fake answered, as expected
    assert violation.status == 401


async def test_sync_to_a_guild_registers_every_command(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    guild = fake_discord.add_guild("Summit HQ")
    config = config_for(tmp_path, fake_discord)
    code, out, err = await summitbot(
        "--config", str(config), "sync", "--guild", str(guild.id), token=fake_discord.token
    )
    assert code == 0, err
    names = {c["name"] for c in fake_discord.registered_commands(guild)}
    assert {"quote", "glossary", "Explain terms"} <= names
    assert f"Synced {len(names)} commands to guild {guild.id}" in out


async def test_sync_globally(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = config_for(tmp_path, fake_discord)
    code, out, err = await summitbot("--config", str(config), "sync", token=fake_discord.token)
    assert code == 0, err
    assert "global commands" in out
    assert {"quote", "speaker"} <= {c["name"] for c in fake_discord.registered_commands(None)}


async def test_run_with_broken_content_lists_every_problem(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    pack = tmp_path / "content" / "agi-next-2026"
    shutil.copytree(REPO_ROOT / "content" / "agi-next-2026", pack)
    quotes = pack / "quotes.yaml"
    quotes.write_text(
        quotes.read_text(encoding="utf-8").replace("speaker: tangjie", "speaker: tangjei", 1),
        encoding="utf-8",
    )
    config = config_for(tmp_path, fake_discord)
    with config.open("a", encoding="utf-8") as f:
        f.write(f"content:\n  path: {tmp_path / 'content'}\n")
    code, _, err = await summitbot("--config", str(config), "run", token=fake_discord.token)
    assert code == 1
    assert "quotes.yaml:" in err
    assert "tangjei" in err
    assert "Traceback" not in err
