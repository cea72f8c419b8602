"""Prometheus metrics for one bot, in its own `CollectorRegistry` (several bots can share a
process, as the tests and a multi-shard setup do).

Hot-path cost is a clock read and a done-callback per interaction and one counter increment
per outcome; the gauges (gateway latency, guilds, content counts) are read from the bot only
when `/metrics` is scraped.

Interaction latency is measured from when discord.py hands the interaction to the command tree
(`SummitTree.interaction_check`) to when Discord acknowledged the first response. Most
handlers answer last, so that is when the interaction's task ends (a done-callback on it);
a handler that answers first and works on (a deferral, or a response followed by storage
writes) says so with `responded()` right after the answer. A first response Discord refused
is reported by the tree's error handler; one that never went out (refused, unreachable, or
never sent) is a failure when the task ends. Nothing is added to the HTTP client: an aiohttp
trace config would cost every REST request about 40 µs. Discord's own clock is not used: the
snowflake time would add clock skew between Discord and this host.
"""

from __future__ import annotations

import asyncio
import functools
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from bot.store import Reason

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = [
    "AUTOCOMPLETE_BUCKETS",
    "COMMAND_BUCKETS",
    "BotMetrics",
    "Outcome",
    "Snapshot",
    "app_command_names",
    "bot_snapshot",
    "command_label",
    "shard_latencies",
]

Outcome = Literal["ok", "error", "user_error"]
OUTCOMES: tuple[Outcome, ...] = ("ok", "error", "user_error")

#: Seconds. Discord shows "The application did not respond" after 3 s.
COMMAND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
AUTOCOMPLETE_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0)

_OUTCOME_KEY = "summitbot.outcome"
#: When the tree received an interaction (`perf_counter`), until its first response is timed.
_STARTED_KEY = "summitbot.started"
_CALLBACK = re.compile(r"/interactions/\d+/[^/]+/callback$")


@dataclass(frozen=True)
class Snapshot:
    """What the scrape-time gauges read from the bot."""

    #: (shard id, seconds between heartbeat and ack); non-finite values are skipped.
    latencies: Sequence[tuple[int, float]] = ()
    guilds: int = 0
    #: Content counts by kind (packs, speakers, quotes, terms, topics); empty before loading.
    content: Mapping[str, int] = field(default_factory=dict)


def command_label(interaction: discord.Interaction[Any]) -> str:
    """The `command` label: the qualified command or context-menu name."""
    command = interaction.command
    if command is not None:
        return command.qualified_name
    name = interaction.data.get("name") if interaction.data else None
    return str(name) if isinstance(name, str) and name else "unknown"


class _StateCollector(Collector):
    """Gauges computed at scrape time from a snapshot of the bot."""

    def __init__(self, snapshot: Callable[[], Snapshot]) -> None:
        self._snapshot = snapshot

    def describe(self) -> Iterator[Metric]:
        # Registration asks for the names; don't read the bot (it isn't built yet).
        return self._families(Snapshot())

    def collect(self) -> Iterator[Metric]:
        return self._families(self._snapshot())

    def _families(self, snap: Snapshot) -> Iterator[Metric]:
        latency = GaugeMetricFamily(
            "summitbot_gateway_latency_seconds",
            "Time between the last gateway heartbeat and its acknowledgement, per shard.",
            labels=["shard"],
        )
        for shard_id, seconds in snap.latencies:
            if math.isfinite(seconds):
                latency.add_metric([str(shard_id)], seconds)
        yield latency
        yield GaugeMetricFamily(
            "summitbot_guilds", "Guilds this process serves (its shards only).", value=snap.guilds
        )
        content = GaugeMetricFamily(
            "summitbot_content_items",
            "Items in the loaded content, by kind (packs, speakers, quotes, terms, topics).",
            labels=["kind"],
        )
        for kind, count in snap.content.items():
            content.add_metric([kind], count)
        yield content


class BotMetrics:
    """The bot's metrics and the hooks that feed them."""

    def __init__(
        self, snapshot: Callable[[], Snapshot] | None = None, *, process: bool = True
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.commands = Counter(
            "summitbot_commands",
            "Application commands handled, by command and outcome "
            "(ok, error: our failure, user_error: refused or invalid input).",
            ["command", "outcome"],
            registry=registry,
        )
        self.interaction_latency = Histogram(
            "summitbot_interaction_response_seconds",
            "From the command tree receiving a command to Discord acknowledging its first "
            "response (a deferral counts).",
            ["command"],
            buckets=COMMAND_BUCKETS,
            registry=registry,
        )
        self.autocomplete_latency = Histogram(
            "summitbot_autocomplete_response_seconds",
            "From the command tree receiving an autocomplete request to Discord acknowledging "
            "the choices.",
            ["command"],
            buckets=AUTOCOMPLETE_BUCKETS,
            registry=registry,
        )
        self.failed_responses = Counter(
            "summitbot_interaction_response_failures",
            "First responses Discord refused or that never arrived (network error).",
            ["kind"],
            registry=registry,
        )
        self.digests = Counter(
            "summitbot_digest_posts",
            "Daily digest attempts, by outcome (posted, skipped, failed, ...) and reason.",
            ["outcome", "reason"],
            registry=registry,
        )
        self.reloads = Counter(
            "summitbot_content_reloads",
            "Content reloads (SIGHUP or /admin reload), by result (ok, failed).",
            ["result"],
            registry=registry,
        )
        self.content_loaded_at = Gauge(
            "summitbot_content_loaded_timestamp_seconds",
            "Unix time the running content was loaded (at startup or by the last good reload).",
            registry=registry,
        )
        for result in ("ok", "failed"):
            self.reloads.labels(result=result)
        if snapshot is not None:
            registry.register(_StateCollector(snapshot))
        if process:
            ProcessCollector(registry=registry)

    # -- commands ------------------------------------------------------------------------------

    def known_commands(self, names: Iterable[str]) -> None:
        """Create every command × outcome series at 0, so rates work from the first scrape."""
        for name in names:
            for outcome in OUTCOMES:
                self.commands.labels(command=name, outcome=outcome)

    def interaction_started(self, interaction: discord.Interaction[Any]) -> None:
        """Start timing a command or autocomplete request arriving at the tree (called in the
        interaction's own task); its first response ends it, or else the task's end."""
        interaction.extras[_STARTED_KEY] = time.perf_counter()
        task = asyncio.current_task()
        if task is not None:
            task.add_done_callback(functools.partial(self._handled, interaction))

    def command_outcome(self, interaction: discord.Interaction[Any], outcome: Outcome) -> None:
        """Count how a command ended; only the first outcome of an interaction counts."""
        if interaction.type is discord.InteractionType.autocomplete:
            return
        if interaction.extras.get(_OUTCOME_KEY) is not None:
            return
        interaction.extras[_OUTCOME_KEY] = outcome
        self.commands.labels(command=command_label(interaction), outcome=outcome).inc()

    def responded(self, interaction: discord.Interaction[Any], *, ok: bool = True) -> None:
        """The first response of `interaction` was acknowledged (or, `ok=False`, refused).
        Only the first call for an interaction the tree started counts (not a button)."""
        started = interaction.extras.pop(_STARTED_KEY, None)
        if started is None:
            return
        autocomplete = interaction.type is discord.InteractionType.autocomplete
        if not ok:
            kind = "autocomplete" if autocomplete else "command"
            self.failed_responses.labels(kind=kind).inc()
            return
        elapsed = time.perf_counter() - started
        histogram = self.autocomplete_latency if autocomplete else self.interaction_latency
        histogram.labels(command=command_label(interaction)).observe(elapsed)

    def handler_failed(self, interaction: discord.Interaction[Any], error: BaseException) -> None:
        """A handler failed with `error`: when that was Discord refusing the first response,
        count it now (the apology the tree sends next would otherwise be timed as the
        answer)."""
        response = getattr(error, "response", None)
        if (
            isinstance(error, discord.HTTPException)
            and isinstance(response, aiohttp.ClientResponse)
            and _CALLBACK.search(response.url.path)
        ):
            self.responded(interaction, ok=False)

    def _handled(self, interaction: discord.Interaction[Any], _task: object) -> None:
        # The handler ended: its answer (if any) went out before, so this is when it did.
        self.responded(interaction, ok=interaction.response.is_done())

    # -- digest and content --------------------------------------------------------------------

    def digest_outcome(self, outcome: str, reason: Reason | None = None) -> None:
        """Count one digest attempt: `outcome` (posted, skipped, failed, ...) and its reason
        code (a bounded set; the detail is never a label); `""` when there is none.
        Called by the digest service for every attempt.
        """
        self.digests.labels(outcome=outcome, reason=reason.value if reason else "").inc()

    def content_reload(self, *, ok: bool) -> None:
        self.reloads.labels(result="ok" if ok else "failed").inc()
        if ok:
            self.content_loaded()

    def content_loaded(self) -> None:
        self.content_loaded_at.set_to_current_time()


def app_command_names(tree: app_commands.CommandTree[Any]) -> list[str]:
    """Qualified names of every global command and context menu in the tree."""
    names = {
        command.qualified_name
        for command in tree.walk_commands()
        if isinstance(command, app_commands.Command)
    }
    for kind in (discord.AppCommandType.message, discord.AppCommandType.user):
        names.update(menu.name for menu in tree.get_commands(type=kind))
    return sorted(names)


def shard_latencies(bot: commands.Bot) -> list[tuple[int, float]]:
    """(shard id, heartbeat latency) for every shard this process runs; empty before connecting."""
    if isinstance(bot, commands.AutoShardedBot):
        return list(bot.latencies)
    ws = bot.ws
    if ws is None:
        return []
    return [(bot.shard_id or 0, ws.latency)]


def bot_snapshot(bot: SummitBot) -> Snapshot:
    """Read the scrape-time gauges from the bot."""
    try:
        catalog = bot.catalog
    except RuntimeError:  # content not loaded yet
        content: dict[str, int] = {}
    else:
        content = {
            "packs": len(catalog.packs),
            "speakers": len(catalog.speakers),
            "quotes": len(catalog.quotes),
            "terms": len(catalog.terms),
            "topics": len(catalog.topics),
        }
    return Snapshot(latencies=shard_latencies(bot), guilds=len(bot.guilds), content=content)
