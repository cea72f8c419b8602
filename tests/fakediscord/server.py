"""``FakeDiscord``: a local Discord (REST under /api/v10 + gateway) for end-to-end tests.

Start it, point discord.py at ``api_base`` / ``gateway_url`` (``bot.endpoints.apply_overrides``),
describe guilds with ``add_guild``, then drive the bot with ``slash`` / ``autocomplete`` /
``click`` / ``message_command`` and read what it did. See README.md beside this file.

The server is the lifecycle, the fault injection and the gateway waits; the scenario
helpers live in :mod:`.world` and the interaction helpers in :mod:`.interactions`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from .clock import FakeClock
from .engage import AuditEntry
from .gateway import Gateway
from .interactions import InteractionSender
from .ratelimit import DEFAULT_RULES, BucketRule, RateLimiter
from .records import Injection, RequestRecord, Stats, Violation
from .rest import RestApi
from .results import InteractionResult
from .scale import Generated, LazyTable
from .snowflake import SnowflakeFactory
from .spec import OpenApiSpec, load_spec
from .state import Channel, Command, Guild, Message, User
from .world import World

__all__ = ["FakeDiscord", "Injection", "RequestRecord", "Stats", "Violation"]

JSON = dict[str, Any]

DEFAULT_TOKEN = "fake-bot-token.summitbot.local"
INTERACTION_DEADLINE = 3.0
TOKEN_LIFETIME = 15 * 60.0
#: Discord's identify rate: one IDENTIFY per 5 s per ``max_concurrency`` bucket.
IDENTIFY_INTERVAL = 5.0
#: Discord recommends about one shard per 1,000 guilds (and closes a connection holding more
#: than gateway.MAX_GUILDS_PER_SHARD with 4011).
GUILDS_PER_SHARD = 1000


class FakeDiscord(World, InteractionSender):
    """A fake Discord for one bot application. See the module docstring and README.md."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        global_rate: int = 50,
        route_limits: Sequence[BucketRule] = DEFAULT_RULES,
        heartbeat_interval: int = 41_250,
        interaction_deadline: float = INTERACTION_DEADLINE,
        validate_schema: bool = True,
        allowed_privileged_intents: int = 0,
        recommended_shards: int | None = None,
        max_concurrency: int = 1,
        identify_interval: float = 0.0,
        spec_path: str | None = None,
        host: str = "127.0.0.1",
        bot_name: str = "summitbot",
    ) -> None:
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        self.interaction_deadline = interaction_deadline
        self.validate_schema = validate_schema
        self.allowed_privileged_intents = allowed_privileged_intents
        #: ``shards`` of GET /gateway/bot; None: one per GUILDS_PER_SHARD guilds, as Discord.
        self.recommended_shards = recommended_shards
        #: ``session_start_limit.max_concurrency``: identify buckets (``shard_id % n``).
        self.max_concurrency = max_concurrency
        #: Seconds between two IDENTIFYs of one bucket; Discord's is IDENTIFY_INTERVAL (5 s).
        #: 0 (the default, for tests whose bots skip discord.py's pacing) enforces nothing.
        self.identify_interval = identify_interval
        self.host = host
        self.clock = FakeClock()
        self.ids = SnowflakeFactory()
        self.spec: OpenApiSpec = load_spec(spec_path)
        self.ratelimiter = RateLimiter(global_rate=global_rate, rules=tuple(route_limits))
        self.application_id = self.ids.next()
        self.bot_user = User(self.application_id, bot_name, bot=True)
        self.owner = User(self.ids.next(), "owner")
        self.users: dict[int, User] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        #: Generated guilds (``add_generated_guilds``): a formula until something touches one.
        self.generated = Generated()
        self.guilds: dict[int, Guild] = LazyTable(self._load_guild)
        self.channels: dict[int, Channel] = LazyTable(self._load_channel)
        self.messages: dict[int, Message] = {}
        #: Threads started on messages, by message id, and their auto-archive minutes
        #: (engage.py); role changes and other audited calls with their reason header.
        self.threads: dict[int, Channel] = {}
        self.thread_archive: dict[int, int] = {}
        self.audit_log: list[AuditEntry] = []
        self.commands: dict[int | None, list[Command]] = {}
        self.interactions: dict[int, InteractionResult] = {}
        self.violations: list[Violation] = []
        self.unhandled: list[RequestRecord] = []
        self.requests: list[RequestRecord] = []
        self.injections: list[Injection] = []
        self.stats = Stats()
        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self._command_version = 0
        self._dm_channels: dict[int, Channel] = {}
        #: Users who don't accept DMs from the bot: a send to their DM channel gets 50007.
        self.closed_dms: set[int] = set()
        self._drop_marks: dict[int, int] = {}
        self._by_token: dict[str, InteractionResult] = {}
        self._tasks: set[asyncio.Task[bool]] = set()

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v{version}/{tail:.*}", self.rest.handle)
        app.router.add_get("/", self.gateway.handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()
        return self

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def recommended_shard_count(self) -> int:
        """GET /gateway/bot's ``shards``."""
        if self.recommended_shards is not None:
            return self.recommended_shards
        return max(1, -(-self.guild_count() // GUILDS_PER_SHARD))

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """REST base for ``apply_overrides`` (``http://127.0.0.1:PORT/api/v10``)."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Gateway URL for ``apply_overrides`` (``ws://127.0.0.1:PORT/``)."""
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"ws://{self.host}:{self.port}/"

    # --- violations ----------------------------------------------------------------------

    def record_violation(self, violation: Violation) -> None:
        self.violations.append(violation)

    def take_violations(self) -> list[Violation]:
        """Return and clear the violations (for tests that provoke them on purpose)."""
        out, self.violations = self.violations, []
        return out

    def assert_clean(self) -> None:
        """Raise AssertionError listing every violation and unhandled request."""
        problems = [f"violation: {v}" for v in self.violations]
        problems += [
            f"unhandled by the fake: {r.method} {r.path} (template {r.template})"
            for r in self.unhandled
        ]
        if problems:
            raise AssertionError("fake Discord saw problems:\n  " + "\n  ".join(problems))

    # --- fault injection and limits -------------------------------------------------------

    def inject(
        self,
        method: str,
        path_pattern: str,
        status: int,
        count: int = 1,
        body: JSON | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Injection:
        """Answer the next ``count`` matching requests with ``status``.

        ``path_pattern`` is matched against the path after ``/api/v10``; ``{name}`` or ``*``
        stands for one segment, e.g. ``"/channels/{channel_id}/messages"``. A 429 gets
        ``Via`` and a ``retry_after`` of 0.05 s unless ``body`` says otherwise.
        """
        inj = Injection(method.upper(), path_pattern, status, count, body, dict(headers or {}))
        self.injections.append(inj)
        return inj

    def take_injection(self, method: str, path: str) -> Injection | None:
        for inj in self.injections:
            if inj.matches(method, path):
                inj.remaining -= 1
                inj.hits += 1
                return inj
        return None

    def set_route_limit(
        self, method: str, template: str, limit: int, per: float, major: Sequence[str] = ()
    ) -> None:
        self.ratelimiter.set_rule(BucketRule(method.upper(), template, limit, per, tuple(major)))

    def set_global_rate(self, rate: int) -> None:
        self.ratelimiter.set_global_rate(rate)

    async def wait_ready(
        self,
        shard_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a plain deadline in seconds
    ) -> None:
        """Wait until a shard (default: every shard of the identified count) got READY and
        its GUILD_CREATEs and is connected."""

        def ready() -> bool:
            if shard_id is not None:
                return self.gateway.shard_ready(shard_id)
            sessions = list(self.gateway.shards.values())
            if not sessions:
                return False
            count = sessions[0].shard_count
            return all(self.gateway.shard_ready(i) for i in range(count))

        await self.gateway.wait_for(ready, timeout, f"shard {shard_id} not ready")

    async def drop_connection(
        self,
        shard_id: int = 0,
        *,
        resumable: bool = True,
        via: str = "close",
        close_code: int = 4000,
    ) -> None:
        """Drop a shard's socket. ``via``: ``"close"`` (close frame with ``close_code``),
        ``"reconnect"`` (op 7) or ``"invalid_session"`` (op 9). ``resumable=False``
        invalidates the session, so the client must IDENTIFY again."""
        self._drop_marks[shard_id] = len(self.gateway.connect_log.get(shard_id, []))
        await self.gateway.drop(shard_id, resumable=resumable, via=via, close_code=close_code)

    async def settle(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain deadline in seconds
    ) -> None:
        """Wait until the bot has processed every gateway event the fake dispatched
        (channel deletes, permission changes, joins, ...) on every connected shard."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        for shard_id, session in list(self.gateway.shards.items()):
            if session.connected:
                await self.gateway.barrier(shard_id, timeout)

    async def wait_reconnected(
        self,
        shard_id: int = 0,
        timeout: float = 15.0,  # noqa: ASYNC109 - a plain deadline in seconds
    ) -> str:
        """After ``drop_connection``: wait for the shard to come back; return
        ``"resumed"`` or ``"identified"``."""
        mark = self._drop_marks.get(shard_id, 0)
        log = self.gateway.connect_log

        def back() -> bool:
            return len(log.get(shard_id, [])) > mark and self.gateway.shard_ready(shard_id)

        await self.gateway.wait_for(back, timeout, f"shard {shard_id} did not reconnect")
        return log[shard_id][-1]

    # --- interactions ----------------------------------------------------------------------
