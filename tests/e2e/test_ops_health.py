"""The health and metrics endpoint of the real bot against the fake Discord."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from bot.ops.health import HealthServerError
from tests.e2e.conftest import running_summit, service
from tests.fakediscord import FakeDiscord
from tests.ops.helpers import eventually, free_port, get_json, sample, scrape


def health_on(port: int) -> dict[str, dict[str, object]]:
    return {"health": {"enabled": True, "port": port}}


async def test_health_is_off_by_default(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    async with running_summit(fake_discord, tmp_path) as summit:
        assert summit.bot.health_server is None


async def test_healthz_names_each_failing_part(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    port = free_port()
    async with running_summit(fake_discord, tmp_path, overrides=health_on(port)) as summit:
        bot = summit.bot
        server = bot.health_server
        assert server is not None
        assert (server.host, server.port) == ("127.0.0.1", port)
        url = f"http://127.0.0.1:{port}/healthz"
        await bot.wait_until_ready()

        status, body = await get_json(url)
        assert status == 200, body
        assert body["status"] == "ok"
        assert body["failing"] == []
        assert set(body["checks"]) == {"gateway", "database", "scheduler", "content"}
        assert all(check["ok"] for check in body["checks"].values())

        # Gateway down: the session is invalidated and the new IDENTIFY is held back.
        holding, release = asyncio.Event(), asyncio.Event()

        async def held_identify(shard_id: int | None, *, initial: bool = False) -> None:
            holding.set()
            await release.wait()

        bot.before_identify_hook = held_identify  # type: ignore[method-assign]
        await summit.fake.drop_connection(0, resumable=False)
        await asyncio.wait_for(holding.wait(), 15)
        status, body = await get_json(url)
        assert status == 503
        assert body["status"] == "failing"
        assert body["failing"] == ["gateway"]
        assert body["checks"]["database"]["ok"]

        release.set()
        assert await summit.fake.wait_reconnected(0) == "identified"

        async def healthy() -> bool:
            return (await get_json(url))[0] == 200

        await eventually(healthy, "healthz back to 200 after the reconnect")

        # Scheduler stopped, then the database closed under the bot.
        await service(bot).scheduler.shutdown()
        status, body = await get_json(url)
        assert (status, body["failing"]) == (503, ["scheduler"])
        await bot.store.close()
        status, body = await get_json(url)
        assert (status, body["failing"]) == (503, ["database", "scheduler"])
        assert body["checks"]["database"]["detail"].startswith("unreachable")


async def test_a_taken_port_fails_the_start_clearly(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(HealthServerError, match=f"127.0.0.1:{port}"):
            async with running_summit(fake_discord, tmp_path, overrides=health_on(port)):
                pass


async def test_metrics_move_after_commands(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    port = free_port()
    async with running_summit(fake_discord, tmp_path, overrides=health_on(port)) as summit:
        url = f"http://127.0.0.1:{port}/metrics"
        await summit.bot.wait_until_ready()
        before = await scrape(url)
        assert sample(before, "summitbot_commands_total", command="help", outcome="ok") == 0
        assert sample(before, "summitbot_guilds") == 2
        quotes = len(summit.bot.catalog.quotes)
        assert sample(before, "summitbot_content_items", kind="quotes") == quotes
        latency = sample(before, "summitbot_gateway_latency_seconds", shard="0")
        assert latency is not None
        assert latency >= 0
        assert sample(before, "summitbot_content_loaded_timestamp_seconds")

        for _ in range(2):
            assert (await summit.slash("help")).responded
        choices = await summit.autocomplete("glossary", {"term": "RL"}, "term")
        assert choices
        # Discord refuses the first response once: the command fails, the user gets an apology.
        summit.fake.inject(
            "POST",
            "/interactions/*/*/callback",
            400,
            body={"code": 50035, "message": "Invalid Form Body"},
        )
        failed = await summit.slash("speakers")
        assert failed.responded
        assert failed.ephemeral
        # A member who isn't an owner: refused at run time.
        refused = await summit.slash("admin reload")
        assert refused.ephemeral
        # A name that resolves to nothing is the user's error, not a success.
        unknown = await summit.slash("glossary", {"term": "no-such-term-xyz"})
        assert unknown.ephemeral

        after = await scrape(url)
        assert sample(after, "summitbot_commands_total", command="help", outcome="ok") == 2
        assert sample(after, "summitbot_interaction_response_seconds_count", command="help") == 2
        assert (
            sample(after, "summitbot_autocomplete_response_seconds_count", command="glossary") == 1
        )
        assert sample(after, "summitbot_commands_total", command="speakers", outcome="error") == 1
        assert sample(after, "summitbot_interaction_response_failures_total", kind="command") == 1
        assert (
            sample(after, "summitbot_commands_total", command="admin reload", outcome="user_error")
            == 1
        )
        assert sample(after, "summitbot_commands_total", command="glossary", outcome="ok") == 0
        assert (
            sample(after, "summitbot_commands_total", command="glossary", outcome="user_error") == 1
        )


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
    ],
    ids=["bad-header", "not-http"],
)
async def test_a_malformed_request_is_one_warning_line(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    request_bytes: bytes,
) -> None:
    port = free_port()
    async with running_summit(fake_discord, tmp_path, overrides=health_on(port)):
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request_bytes)
            await writer.drain()
            answer = await reader.read()  # aiohttp answers 400 and closes the connection
            writer.close()
            await writer.wait_closed()
            server_records = [
                r for r in caplog.records if r.name in ("bot.ops.health", "aiohttp.server")
            ]
    assert answer.split(b" ", 2)[1] == b"400"
    (record,) = server_records
    assert record.levelno == logging.WARNING
    assert record.name == "bot.ops.health"
    assert record.exc_info is None
    message = record.getMessage()
    assert "\n" not in message
    assert message.startswith("health endpoint: Error handling request from 127.0.0.1: 400")
