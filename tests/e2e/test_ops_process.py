"""`summitbot run` as a real process against the fake Discord: SIGHUP reloads, `db backup` works
while it runs, SIGTERM exits 0 with the database closed cleanly, and the token never appears in
anything the processes printed."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.store import Store
from tests.fakediscord import FakeDiscord
from tests.ops.helpers import eventually, free_port, get_json, sample, scrape

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "mini"

NEW_QUOTE = """
  - id: tangjie-after-sighup
    speaker: tangjie
    section: outlook
    topics: []
    text:
      zh: 收到 SIGHUP 之后才出现的语录。
      en: A quote that appears after SIGHUP.
    context: {zh: 测试用。, en: For the tests.}
"""


def environment(token: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SUMMITBOT_CONFIG")}
    if token is not None:
        env["DISCORD_TOKEN"] = token
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Process:
    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _readers: list[asyncio.Task[None]] = field(default_factory=list)

    def start_reading(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            assert stream is not None
            self._readers.append(asyncio.create_task(self._read(stream)))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            self.lines.append(raw.decode("utf-8", "replace"))
            self._changed.set()

    async def wait_for_line(self, pattern: str, timeout: float = 30.0) -> str:  # noqa: ASYNC109
        regex = re.compile(pattern)

        async def find() -> str:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if regex.search(line):
                        return line
                seen = len(self.lines)
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    async def finish(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        await asyncio.gather(*self._readers)
        return code

    @property
    def output(self) -> str:
        return "".join(self.lines)


async def spawn(*args: str, token: str | None) -> Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=environment(token),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    process = Process(proc)
    process.start_reading()
    return process


def write_config(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


async def test_sighup_reloads_sigterm_exits_cleanly_and_the_token_never_shows(
    fake_discord: FakeDiscord, tmp_path: Path, killer: list[Process]
) -> None:
    fake = fake_discord
    token = fake.token
    guild = fake.add_guild("Ops", channels=["general"], members=["ops-member"])
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    port = free_port()
    db = tmp_path / "data" / "summitbot.db"
    config = write_config(
        tmp_path / "config.yaml",
        {
            "discord": {
                "api_base": fake.api_base,
                "gateway_url": fake.gateway_url,
                "dev_guild_id": guild.id,
            },
            "database": {"path": str(db)},
            "content": {"path": str(content)},
            "logging": {"level": "DEBUG"},
            "health": {"enabled": True, "port": port},
        },
    )

    bot = await spawn("--config", str(config), "run", token=token)
    killer.append(bot)
    await fake.wait_ready(timeout=30)

    # Commands, an autocomplete and an error (Discord refuses a first response once).
    assert (await fake.slash(guild, None, "ops-member", "help")).responded
    assert await fake.autocomplete(guild, None, "ops-member", "speaker", {"name": "ta"}, "name")
    fake.inject(
        "POST", "/interactions/*/*/callback", 400, body={"code": 50035, "message": "Invalid"}
    )
    failed = await fake.slash(guild, None, "ops-member", "speakers")
    assert failed.ephemeral
    await bot.wait_for_line(r"unexpected error in an interaction .*\(guild=\d+ .*command=speakers")

    async def healthy() -> bool:
        return (await get_json(f"http://127.0.0.1:{port}/healthz"))[0] == 200

    await eventually(healthy, "the process reports healthy")

    # SIGHUP: the new quote is loaded without a restart.
    (content / "mini-summit" / "quotes.yaml").write_text(
        (content / "mini-summit" / "quotes.yaml").read_text(encoding="utf-8") + NEW_QUOTE,
        encoding="utf-8",
    )
    bot.proc.send_signal(signal.SIGHUP)
    await bot.wait_for_line(r"content reloaded from .*: 1 packs, \d+ speakers, 7 quotes")
    metrics = await scrape(f"http://127.0.0.1:{port}/metrics")
    assert sample(metrics, "summitbot_content_items", kind="quotes") == 7
    assert sample(metrics, "summitbot_content_reloads_total", result="ok") == 1
    assert sample(metrics, "summitbot_commands_total", command="speakers", outcome="error") == 1

    # `summitbot db backup` while the bot runs: a complete, consistent copy.
    copy = tmp_path / "backups" / "summitbot.db"
    backup = await spawn("--config", str(config), "db", "backup", str(copy), token=None)
    assert await backup.finish() == 0, backup.output
    assert backup.output.startswith(f"backed up {db} to {copy}")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    backed_up = await Store.open(copy)
    try:
        assert await backed_up.pending_migrations() == []
    finally:
        await backed_up.close()

    # SIGTERM: a clean exit.
    bot.proc.send_signal(signal.SIGTERM)
    assert await bot.finish() == 0
    output = bot.output
    assert "received SIGTERM: shutting down" in output
    assert "Traceback" not in output.split("received SIGTERM")[1]

    # The database was closed cleanly (WAL checkpointed and removed) and is consistent.
    assert not db.with_name(db.name + "-wal").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = await Store.open(db)
    try:
        assert await store.pending_migrations() == []
    finally:
        await store.close()

    # `summitbot check`, and a config that wrongly holds the token, with the token set.
    checked = await spawn("--config", str(config), "check", token=token)
    assert await checked.finish() == 0
    assert "token:   DISCORD_TOKEN set" in checked.output
    bad = write_config(tmp_path / "bad.yaml", {"discord": {"token": token}})
    refused = await spawn("--config", str(bad), "check", token=token)
    assert await refused.finish() == 2
    assert "discord.token: unknown key" in refused.output

    for name, text in (("run", output), ("check", checked.output), ("bad", refused.output)):
        assert token not in text, f"the token appears in the output of {name}"
    assert len(output.splitlines()) > 50  # DEBUG: discord.py's HTTP and gateway lines too


async def test_an_unusable_database_stops_the_start_with_one_line(
    fake_discord: FakeDiscord, tmp_path: Path, killer: list[Process]
) -> None:
    db = tmp_path / "summitbot.db"
    db.write_bytes(b"this is not an SQLite database, just bytes " * 100)
    config = write_config(
        tmp_path / "config.yaml",
        {
            "discord": {"api_base": fake_discord.api_base, "gateway_url": fake_discord.gateway_url},
            "database": {"path": str(db)},
        },
    )
    bot = await spawn("--config", str(config), "run", token=fake_discord.token)
    killer.append(bot)
    assert await bot.finish() == 1
    errors = [line for line in bot.lines if "[CRITICAL]" in line or "[ERROR" in line]
    assert len(errors) == 1
    assert "[CRITICAL] bot.runner: the database cannot be used: " in errors[0]
    assert str(db) in errors[0]
    assert "Traceback" not in bot.output
