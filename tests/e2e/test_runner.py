"""`summitbot run` and `summitbot sync` as an operator meets them: real processes, fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from bot import runner
from bot.cli import main
from bot.connection import Backoff, login_with_retry
from bot.endpoints import apply_overrides
from tests.e2e.conftest import build_bot, write_settings
from tests.fakediscord import FakeDiscord
from tests.ops.helpers import free_port, restored_logging
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


@pytest.mark.parametrize("command", ["run", "sync"])
async def test_no_token_with_json_logs_is_one_json_object(tmp_path: Path, command: str) -> None:
    config = failure_config(tmp_path, "http://127.0.0.1:9/api/v10", json_logs=True)
    code, out, err = await summitbot("--config", str(config), command, token=None)
    assert code == 2
    assert out == ""
    (line,) = err.splitlines()
    entry = json.loads(line)
    assert entry["level"] == "CRITICAL"
    assert entry["exit_code"] == 2
    assert entry["message"].startswith("no bot token. Set DISCORD_TOKEN in the environment.")
    assert "applications.commands" in entry["message"]


async def test_rejected_token_is_one_line(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    config = config_for(tmp_path, fake_discord)
    code, out, err = await summitbot("--config", str(config), "run", token="not-the-token")
    assert code == 2  # configuration: systemd must not restart it (RestartPreventExitStatus)
    (line,) = err.splitlines()
    assert "rejected the token" in line
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


# --- failures to reach Discord: one line (or one JSON object) and the exit code -------------


@contextlib.asynccontextmanager
async def answering(status: int) -> AsyncIterator[str]:
    """A local HTTP server answering every request with `status`; yields its API base."""

    async def handle(_request: web.Request) -> web.Response:
        return web.json_response({"message": "nope", "code": 0}, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/api/v10"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def api_base_for(failure: str) -> AsyncIterator[str]:
    if failure == "dns":
        yield "http://nonexistent.invalid/api/v10"
    elif failure == "refused":
        yield f"http://127.0.0.1:{free_port()}/api/v10"  # nothing listens there
    elif failure == "tls":
        async with answering(200) as base:  # plain HTTP behind an https:// URL
            yield base.replace("http://", "https://")
    else:
        async with answering(int(failure)) as base:
            yield base


def failure_config(
    tmp_path: Path, api_base: str, *, json_logs: bool, max_connect_attempts: int | None = None
) -> Path:
    path = tmp_path / "config.yaml"
    data = {
        "discord": {"api_base": api_base, "max_connect_attempts": max_connect_attempts},
        "database": {"path": str(tmp_path / "bot.db")},
        "logging": {"json": json_logs},
    }
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


EXPECTED = {
    "dns": (3, "DNS lookup of nonexistent.invalid failed"),
    "refused": (3, "(Connection refused): is the server at discord.api_base"),
    "tls": (3, "TLS handshake with 127.0.0.1"),
    "404": (2, "answered 404 Not Found for /api/v10/users/@me: discord.api_base must be"),
    "503": (3, "answered 503 Service Unavailable: the server at discord.api_base"),
}


@pytest.mark.parametrize(
    ("command", "failure", "json_logs"),
    [
        *[("run", f, f in ("dns", "refused", "tls")) for f in EXPECTED],
        *[("sync", f, f not in ("dns", "refused", "tls")) for f in EXPECTED],
    ],
)
async def test_unreachable_discord_is_one_line_and_an_exit_code(
    tmp_path: Path, command: str, failure: str, json_logs: bool
) -> None:
    async with api_base_for(failure) as api_base:
        config = failure_config(tmp_path, api_base, json_logs=json_logs)
        extra = ["--max-connect-attempts", "1"] if command == "run" else []
        code, out, err = await summitbot(
            "--config", str(config), command, *extra, token="a-token-for-the-test"
        )
    expected_code, expected_text = EXPECTED[failure]
    assert code == expected_code, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    if json_logs:
        entry = json.loads(lines[0])
        assert entry["level"] == "CRITICAL"
        assert entry["exit_code"] == expected_code
        message = entry["message"]
    else:
        message = lines[0]
        assert "[CRITICAL] bot.runner: " in message
    assert expected_text in message
    assert "a-token-for-the-test" not in err


@pytest.fixture
def in_process_logging() -> Iterator[None]:
    """`main` in this process: restore the root logger, the excepthook and discord.py's URLs."""
    with restored_logging():
        yield
    apply_overrides(None, None)


@pytest.mark.parametrize("limit_from", ["flag", "config"])
def test_run_retries_with_one_line_per_attempt_then_gives_up(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    in_process_logging: None,
    limit_from: str,
) -> None:
    monkeypatch.setattr(runner, "CONNECT_BACKOFF", Backoff(base=0.001, cap=0.002))
    monkeypatch.setenv("DISCORD_TOKEN", "a-token-for-the-test")
    config = failure_config(
        tmp_path,
        f"http://127.0.0.1:{free_port()}/api/v10",
        json_logs=True,
        max_connect_attempts=3 if limit_from == "config" else None,
    )
    flag = ["--max-connect-attempts", "3"] if limit_from == "flag" else []
    code = main(["--config", str(config), "run", *flag])
    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    entries = [json.loads(line) for line in err.splitlines()]
    assert [e["level"] for e in entries] == ["WARNING", "WARNING", "CRITICAL"]
    assert [e.get("attempt") for e in entries[:2]] == [1, 2]
    assert "attempt 1 of 3 failed, retrying in" in entries[0]["message"]
    assert "attempt 2 of 3 failed, retrying in" in entries[1]["message"]
    assert entries[2]["message"].endswith("(gave up after 3 attempts)")
    assert "Connection refused" in entries[2]["message"]
    assert entries[2]["exit_code"] == 3


async def test_a_bot_started_before_discord_is_reachable_comes_up_by_itself(
    fake_discord: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """First nothing listens (refused), then Discord answers 503, then it works."""
    closed = f"http://127.0.0.1:{free_port()}/api/v10"
    settings = write_settings(tmp_path, fake_discord, {"discord": {"api_base": closed}})
    bot = build_bot(settings)  # points discord.py at the closed port
    fake_discord.inject("GET", "/users/@me", 503, count=1)
    waits: list[float] = []

    async def network_comes_up_while_waiting(delay: float) -> None:
        waits.append(delay)
        apply_overrides(fake_discord.api_base, fake_discord.gateway_url)

    try:
        async with bot:
            with caplog.at_level(logging.INFO, logger="bot.connection"):
                reached = await login_with_retry(
                    bot,
                    fake_discord.token,
                    api_base=closed,
                    max_attempts=None,
                    backoff=Backoff(base=2.0, cap=3.0),
                    stopping=asyncio.Event(),
                    sleep=network_comes_up_while_waiting,
                    rng=random.Random(9),
                )
            assert reached
            gateway = asyncio.create_task(bot.connect())
            await fake_discord.wait_ready(timeout=20)
            await bot.close()
            await gateway
    finally:
        apply_overrides(None, None)
    assert bot.user is not None
    assert 1.0 <= waits[0] <= 2.0  # attempt 1: half to all of base
    assert 1.5 <= waits[1] <= 3.0  # attempt 2: capped at 3 s
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.connection"]
    assert len(lines) == 3
    assert "(Connection refused)" in lines[0]
    assert "attempt 1 failed, retrying in" in lines[0]
    assert "answered 503" in lines[1]
    assert "attempt 2 failed, retrying in" in lines[1]
    assert lines[2] == "reached Discord after 3 attempts"


async def test_a_stop_while_waiting_to_retry_ends_the_wait(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/v10"
    settings = write_settings(tmp_path, fake_discord, {"discord": {"api_base": closed}})
    bot = build_bot(settings)
    stopping = asyncio.Event()

    async def stop_arrives_while_waiting(_delay: float) -> None:
        stopping.set()  # SIGTERM during the wait
        await asyncio.Event().wait()  # a wait that would never end by itself

    try:
        async with bot:
            reached = await login_with_retry(
                bot,
                fake_discord.token,
                api_base=closed,
                max_attempts=None,
                backoff=Backoff(),
                stopping=stopping,
                sleep=stop_arrives_while_waiting,
            )
    finally:
        apply_overrides(None, None)
    assert reached is False


async def test_run_with_an_unusable_database_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way", encoding="utf-8")
    config = failure_config(tmp_path, "http://127.0.0.1:9/api/v10", json_logs=False)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            str(tmp_path / "bot.db"), str(tmp_path / "a-file" / "bot.db")
        ),
        encoding="utf-8",
    )
    code, out, err = await summitbot("--config", str(config), "run", token="a-token")
    assert code == 2
    assert out == ""
    (line,) = err.splitlines()
    assert f"database.path: {tmp_path / 'a-file' / 'bot.db'} is not usable" in line


@pytest.mark.parametrize(("status", "expected_code"), [(503, 3), (400, 1)])
async def test_sync_refused_or_failing_while_registering_is_one_line(
    fake_discord: FakeDiscord, tmp_path: Path, status: int, expected_code: int
) -> None:
    fake_discord.inject("PUT", "/applications/{application_id}/commands", status)
    config = config_for(tmp_path, fake_discord)
    code, out, err = await summitbot("--config", str(config), "sync", token=fake_discord.token)
    assert code == expected_code
    assert out == ""
    # The content loaded before the commands went out: that progress line, then the failure.
    loaded, line = err.splitlines()
    assert "[INFO    ] bot.app: content loaded" in loaded
    assert "[CRITICAL] bot.runner: " in line
    if status == 503:
        assert "answered 503 Service Unavailable" in line
    else:
        assert "Discord refused the commands: " in line
        assert "HTTP status 400" in line
