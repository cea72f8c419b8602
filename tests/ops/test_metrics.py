"""bot/ops/metrics.py without Discord: outcomes, latency bookkeeping, digest reasons, gauges."""

from __future__ import annotations

from typing import Any
from unittest import mock

import discord
import pytest
from prometheus_client import generate_latest

from bot.ops import metrics as metrics_module
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
    return fake


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


def test_first_responses_feed_the_histogram_of_their_kind() -> None:
    m = BotMetrics(process=False)
    m.interaction_started(interaction(1, "quote"))
    m.interaction_started(interaction(2, "glossary", autocomplete=True))
    m.interaction_started(interaction(3, "speaker"))
    m.first_response(1, ok=True)
    m.first_response(1, ok=True)  # a second callback of the same interaction is not timed
    m.first_response(2, ok=True)
    m.first_response(3, ok=False)
    m.first_response(99, ok=True)  # a button: never started in the tree
    assert value(m, "summitbot_interaction_response_seconds_count", command="quote") == 1
    assert value(m, "summitbot_autocomplete_response_seconds_count", command="glossary") == 1
    assert value(m, "summitbot_interaction_response_seconds_count", command="speaker") is None
    assert value(m, "summitbot_interaction_response_failures_total", kind="command") == 1


def test_interactions_that_never_answer_do_not_grow_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(metrics_module, "MAX_PENDING", 3)
    m = BotMetrics(process=False)
    for i in range(10):
        m.interaction_started(interaction(i))
    assert len(m._pending) == 3
    m.first_response(9, ok=True)
    m.first_response(0, ok=True)  # dropped long ago
    assert value(m, "summitbot_interaction_response_seconds_count", command="quote") == 1


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
