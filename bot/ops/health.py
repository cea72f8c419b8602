"""The optional HTTP endpoint: `/healthz` (is this process serving?) and `/metrics` (Prometheus).

Off by default (`health.enabled`); binds `health.host` (127.0.0.1) on `health.port`. The bot
starts it in `setup_hook` after the store and the extensions (the digest cog starts the digest's
scheduler) are up and stops it first in `close`.

`/healthz` answers 200 when every part works and 503 otherwise, with a JSON body naming each
check and the failing ones:

    {"status": "ok" | "failing", "failing": ["database"],
     "checks": {"gateway": {"ok": true, "detail": "..."}, "database": {...},
                "scheduler": {...}, "content": {...}}}
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from discord.ext import commands
from prometheus_client.aiohttp import make_aiohttp_handler

from bot.digest.service import DigestService
from bot.ops.metrics import shard_latencies

if TYPE_CHECKING:
    from bot.app import SummitBot

__all__ = ["Check", "HealthReport", "HealthServer", "HealthServerError", "check_health"]

log = logging.getLogger(__name__)

#: A database that doesn't answer `SELECT 1` and a test write within this many seconds counts
#: as unreachable.
DB_TIMEOUT = 5.0


@dataclass(frozen=True)
class Check:
    """One part of the bot: whether it works, and a short human-readable detail."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class HealthReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failing(self) -> list[str]:
        return [check.name for check in self.checks if not check.ok]

    def to_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "failing",
            "failing": self.failing,
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
        }


def _gateway(bot: SummitBot) -> Check:
    if bot.is_closed():
        return Check("gateway", False, "the client is closed")
    if isinstance(bot, commands.AutoShardedBot):
        shards = bot.shards
        if not shards:
            return Check("gateway", False, "no shard connected yet")
        down = sorted(sid for sid, shard in shards.items() if shard.is_closed())
        if down:
            return Check("gateway", False, f"shard(s) {down} disconnected")
    else:
        ws = bot.ws
        if ws is None:
            return Check("gateway", False, "not connected yet")
        if not ws.open:
            return Check("gateway", False, "websocket closed (reconnecting)")
    latencies = shard_latencies(bot)
    stale = sorted(sid for sid, latency in latencies if not math.isfinite(latency))
    if stale or not latencies:
        return Check("gateway", False, f"no heartbeat acknowledged on shard(s) {stale}")
    if not bot.is_ready():
        return Check("gateway", False, "waiting for READY")
    worst = max(latency for _, latency in latencies)
    return Check(
        "gateway", True, f"{len(latencies)} shard(s) connected, latency ≤ {worst * 1000:.0f} ms"
    )


async def _database(bot: SummitBot) -> Check:
    try:
        store = bot.store
    except RuntimeError:
        return Check("database", False, "not opened")
    try:
        async with asyncio.timeout(DB_TIMEOUT):
            answered = await store.ping()
            # `SELECT 1` answers on a read-only or full database: try a write (rolled back).
            refused = await store.probe_write() if answered else None
    except TimeoutError:
        return Check("database", False, f"no answer within {DB_TIMEOUT:.0f} s")
    if not answered:
        return Check("database", False, "unreachable (closed or failing)")
    if refused is not None:
        return Check("database", False, f"refuses writes: {refused}")
    return Check("database", True, "answers and takes writes")


def digest_service(bot: SummitBot) -> DigestService | None:
    """The digest cog's service; None when the extension is not loaded (or not in runtime)."""
    try:
        service = getattr(bot.get_cog("Digest"), "service", None)
    except RuntimeError:  # `summitbot sync`: no service
        return None
    return service if isinstance(service, DigestService) else None


def _scheduler(bot: SummitBot) -> Check:
    service = digest_service(bot)
    if service is None:
        return Check("scheduler", False, "not started")
    scheduler = service.scheduler
    if not scheduler.running:
        return Check("scheduler", False, "stopped")
    return Check("scheduler", True, f"{len(scheduler.scheduled_guilds())} guild digest(s)")


def _content(bot: SummitBot) -> Check:
    try:
        catalog = bot.catalog
    except RuntimeError:
        return Check("content", False, "not loaded")
    if not catalog.packs:
        return Check("content", False, "no packs loaded")
    return Check(
        "content",
        True,
        f"{len(catalog.packs)} pack(s), {len(catalog.quotes)} quotes, {len(catalog.terms)} terms",
    )


async def check_health(bot: SummitBot) -> HealthReport:
    """Check the gateway, the database, the scheduler and the content."""
    database = await _database(bot)
    return HealthReport((_gateway(bot), database, _scheduler(bot), _content(bot)))


class _OneLineServerLog:
    """aiohttp's server logger for the health port: a request aiohttp cannot parse (or a
    handler that fails) is one WARNING line naming the client and the problem, not an ERROR
    with a traceback; aiohttp's debug lines stay debug lines, without their tracebacks."""

    def exception(self, msg: str, *args: object, exc_info: object = None, **_: object) -> None:
        problem = ""
        if isinstance(exc_info, BaseException):  # aiohttp's parse errors span several lines
            problem = ": " + " ".join(str(exc_info).split())[:300]
        log.warning("health endpoint: " + msg + "%s", *args, problem)

    def debug(self, msg: str, *args: object, exc_info: object = None, **_: object) -> None:
        if isinstance(exc_info, BaseException):
            self.exception(msg, *args, exc_info=exc_info)
        else:
            log.debug("health endpoint: " + msg, *args)


class HealthServerError(Exception):
    """The endpoint could not listen (address in use, not permitted, ...)."""


class HealthServer:
    """The aiohttp server behind `/healthz` and `/metrics`."""

    def __init__(self, bot: SummitBot, host: str, port: int) -> None:
        self.bot = bot
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._last_failing: list[str] = []

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one; see `port` afterwards)."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", make_aiohttp_handler(self.bot.metrics.registry))
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            shutdown_timeout=1.0,
            logger=_OneLineServerLog(),
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise HealthServerError(
                f"cannot serve /healthz on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from exc
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self.host, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def _healthz(self, _request: web.Request) -> web.Response:
        report = await check_health(self.bot)
        failing = report.failing
        if failing != self._last_failing:  # log changes, not every probe
            if failing:
                log.warning("health check failing: %s", ", ".join(failing))
            else:
                log.info("health check passing again")
            self._last_failing = failing
        return web.json_response(report.to_json(), status=200 if report.ok else 503)
