"""bot/ops/metrics.py without Discord: outcomes, latency bookkeeping, digest reasons, gauges."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest import mock

import aiohttp
import discord
import pytest
from prometheus_client import generate_latest
from yarl import URL

from bot.ops.metrics import BotMetrics, Snapshot
from bot.store import Reason


def interaction(interaction_id: int, name: str = "quote", *, autocomplete: bool = False) -> Any:
    """A stand-in spec'd on the real Interaction (a misspelt attribute fails)."""
    fake = mock.NonCallableMagicMock(spec=discord.Interaction)
    fake.id = interaction_id
    fake.type = (
        discord.InteractionType.autocomplete
        if autocomplete
        else discord.InteractionType.application_command
    )
    fake.extras = {}
    fake.command = None
    fake.data = {"name": name, "type": 1}
    fake.response = mock.NonCallableMagicMock(spec=discord.InteractionResponse)
    return fake


def http_error(path: str) -> discord.HTTPException:
    """discord.py's error for a request to `path` that Discord answered with 400."""
    response = mock.NonCallableMagicMock(spec=aiohttp.ClientResponse)
    response.url = URL(f"https://discord.com{path}")
    response.status, response.reason = 400, "Bad Request"
    return discord.HTTPException(response, {"code": 50035, "message": "Invalid Form Body"})


def value(m: BotMetrics, name: str, **labels: str) -> float | None:
    return m.registry.get_sample_value(name, labels)


def test_the_first_outcome_of_an_interaction_is_the_one_counted() -> None:
    m = BotMetrics(process=False)
    first = interaction(1)
    m.command_outcome(first, "user_error")
    m.command_outcome(first, "ok")  # the completion event after an extension recorded a miss
    m.command_outcome(interaction(2), "ok")
    m.command_outcome(interaction(3, autocomplete=True), "ok")  # not a command
    assert value(m, "summitbot_commands_total", command="quote", outcome="user_error") == 1
    assert value(m, "summitbot_commands_total", command="quote", outcome="ok") == 1


def test_known_commands_start_at_zero() -> None:
    m = BotMetrics(process=False)
    m.known_commands(["help", "digest set"])
    for outcome in ("ok", "error", "user_error"):
        assert value(m, "summitbot_commands_total", command="digest set", outcome=outcome) == 0


async def test_first_responses_feed_the_histogram_of_their_kind() -> None:
    m = BotMetrics(process=False)
    quote, glossary, speaker = (
        interaction(1, "quote"),
        interaction(2, "glossary", autocomplete=True),
        interaction(3, "speaker"),
    )
    for started in (quote, glossary, speaker):
        m.interaction_started(started)
    m.responded(quote)
    m.responded(quote)  # a second response of the same interaction is not timed
    m.responded(glossary)
    m.responded(speaker, ok=False)
    m.responded(interaction(99))  # a button: never started in the tree
    assert value(m, "summitbot_interaction_response_seconds_count", command="quote") == 1
    assert value(m, "summitbot_autocomplete_response_seconds_count", command="glossary") == 1
    assert value(m, "summitbot_interaction_response_seconds_count", command="speaker") is None
    assert value(m, "summitbot_interaction_response_failures_total", kind="command") == 1


async def test_a_handler_that_ends_is_timed_by_whether_it_answered() -> None:
    m = BotMetrics(process=False)
    answered, silent = interaction(1, "quote"), interaction(2, "glossary", autocomplete=True)
    answered.response.is_done.return_value = True
    silent.response.is_done.return_value = False

    async def handle(started: Any) -> None:
        m.interaction_started(started)  # in the interaction's own task, as the tree calls it

    for started in (answered, silent):
        await asyncio.create_task(handle(started))
    await asyncio.sleep(0)  # the done-callbacks run on the next turn of the loop
    assert value(m, "summitbot_interaction_response_seconds_count", command="quote") == 1
    assert value(m, "summitbot_interaction_response_failures_total", kind="autocomplete") == 1


async def test_an_answer_marked_early_is_not_timed_again_at_the_end() -> None:
    m = BotMetrics(process=False)
    deferred = interaction(1, "digest now")
    deferred.response.is_done.return_value = True

    async def handle() -> None:
        m.interaction_started(deferred)
        m.responded(deferred)  # the deferral
        await asyncio.sleep(0)  # the work after it

    await asyncio.create_task(handle())
    await asyncio.sleep(0)
    assert value(m, "summitbot_interaction_response_seconds_count", command="digest now") == 1


async def test_only_a_refused_callback_counts_as_a_failed_first_response() -> None:
    m = BotMetrics(process=False)
    refused, other = interaction(1, "quote"), interaction(2, "speaker")
    m.interaction_started(refused)
    m.interaction_started(other)
    m.handler_failed(refused, http_error("/api/v10/interactions/1/tok/callback"))
    m.handler_failed(other, http_error("/api/v10/channels/5/messages"))
    m.handler_failed(other, ValueError("a bug"))
    assert value(m, "summitbot_interaction_response_failures_total", kind="command") == 1
    m.responded(refused)  # the apology that followed: not timed as the answer
    m.responded(other)
    assert value(m, "summitbot_interaction_response_seconds_count", command="quote") is None
    assert value(m, "summitbot_interaction_response_seconds_count", command="speaker") == 1


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        (None, ""),
        (Reason.MISSED, "missed"),
        (Reason.CHANNEL_MISSING, "channel_missing"),
        (Reason.UNKNOWN, "unknown"),
    ],
)
def test_digest_reasons_are_their_codes(reason: Reason | None, label: str) -> None:
    m = BotMetrics(process=False)
    m.digest_outcome("skipped", reason)
    assert value(m, "summitbot_digest_posts_total", outcome="skipped", reason=label) == 1


def test_gauges_are_read_from_the_bot_at_scrape_time() -> None:
    state = {"snap": Snapshot()}
    m = BotMetrics(lambda: state["snap"], process=False)
    assert value(m, "summitbot_guilds") == 0
    state["snap"] = Snapshot(
        latencies=[(0, 0.042), (1, float("inf"))],
        guilds=7,
        content={"packs": 1, "quotes": 45},
    )
    assert value(m, "summitbot_gateway_latency_seconds", shard="0") == 0.042
    assert value(m, "summitbot_gateway_latency_seconds", shard="1") is None  # no ack yet
    assert value(m, "summitbot_guilds") == 7
    assert value(m, "summitbot_content_items", kind="quotes") == 45


def test_reloads_are_counted_and_stamp_the_content_time() -> None:
    m = BotMetrics(process=False)
    assert value(m, "summitbot_content_reloads_total", result="failed") == 0
    m.content_reload(ok=False)
    assert value(m, "summitbot_content_loaded_timestamp_seconds") == 0
    m.content_reload(ok=True)
    assert value(m, "summitbot_content_reloads_total", result="ok") == 1
    assert value(m, "summitbot_content_loaded_timestamp_seconds") > 0


def test_each_bot_has_its_own_registry() -> None:
    a, b = BotMetrics(), BotMetrics()
    a.digest_outcome("posted")
    assert value(a, "summitbot_digest_posts_total", outcome="posted", reason="") == 1
    assert value(b, "summitbot_digest_posts_total", outcome="posted", reason="") is None
    assert b"process_resident_memory_bytes" in generate_latest(b.registry)
