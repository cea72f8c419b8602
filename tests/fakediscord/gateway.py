"""The gateway websocket: HELLO, IDENTIFY/READY, GUILD_CREATE, heartbeats, RESUME, sharding.

Sessions outlive their sockets: events dispatched while a shard is disconnected are kept
(with their sequence numbers) and replayed on RESUME, as Discord does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .records import Violation
from .signal import Signal

if TYPE_CHECKING:
    from .server import FakeDiscord

# discord.py asks for zstd-stream when it can decompress zstd (the zstandard package, or
# Python 3.14's compression.zstd); the fake compresses with whichever of the two it has.
_ZSTD_SOURCE: str | None
try:
    import zstandard  # type: ignore[import-not-found, unused-ignore]

    _ZSTD_SOURCE = "zstandard"
except ImportError:
    try:
        from compression import zstd  # type: ignore[import-not-found, unused-ignore]

        _ZSTD_SOURCE = "compression.zstd"
    except ImportError:
        _ZSTD_SOURCE = None
_HAS_ZSTD = _ZSTD_SOURCE is not None

log = logging.getLogger(__name__)
JSON = dict[str, Any]

# Opcodes.
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11

# Intents.
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT
ALL_INTENTS = (1 << 26) - 1

# Close codes.
UNKNOWN_ERROR = 4000
UNKNOWN_OPCODE = 4001
DECODE_ERROR = 4002
NOT_AUTHENTICATED = 4003
AUTHENTICATION_FAILED = 4004
ALREADY_AUTHENTICATED = 4005
INVALID_SHARD = 4010
SHARDING_REQUIRED = 4011
INVALID_API_VERSION = 4012
INVALID_INTENTS = 4013
DISALLOWED_INTENTS = 4014

REPLAY_BUFFER = 5000
#: Discord closes a connection that would hold more guilds than this (4011).
MAX_GUILDS_PER_SHARD = 2500


class _Encoder:
    """Serialise payloads for one socket, with transport compression if asked for."""

    def __init__(self, compress: str | None) -> None:
        self.compress = compress
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._zstd: Any = None
        if compress == "zstd-stream" and _ZSTD_SOURCE == "zstandard":
            self._zstd = zstandard.ZstdCompressor().compressobj()
        elif compress == "zstd-stream" and _ZSTD_SOURCE == "compression.zstd":
            self._zstd = zstd.ZstdCompressor()

    def encode(self, payload: JSON) -> str | bytes:
        """One gateway message; compressed ones end on a flush boundary, so each
        websocket frame decompresses to exactly one payload."""
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        raw = text.encode()
        if self._zlib is not None:
            return self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None and _ZSTD_SOURCE == "zstandard":
            flush = zstandard.COMPRESSOBJ_FLUSH_BLOCK
            return bytes(self._zstd.compress(raw) + self._zstd.flush(flush))
        if self._zstd is not None:
            return bytes(self._zstd.compress(raw, mode=zstd.ZstdCompressor.FLUSH_BLOCK))
        return text


class Connection:
    """One websocket. Sends are serialised: the compression stream is stateful."""

    def __init__(self, ws: web.WebSocketResponse, encoder: _Encoder) -> None:
        self.ws = ws
        self.encoder = encoder
        self.session: Session | None = None
        self.heartbeats = 0
        #: ``d`` of the client's latest heartbeat: the last sequence number it processed.
        self.heartbeat_seq: int | None = None
        self._lock = asyncio.Lock()

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, payload: JSON) -> bool:
        async with self._lock:
            if self.ws.closed:
                return False
            data = self.encoder.encode(payload)
            try:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
            except (ConnectionResetError, RuntimeError) as exc:
                log.debug("gateway send failed: %s", exc)
                return False
            return True

    async def close(self, code: int, message: str = "") -> None:
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await self.ws.close(code=code, message=message.encode())


@dataclass(eq=False)
class Session:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    identify: JSON
    seq: int = 0
    buffer: deque[JSON] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    connection: Connection | None = None
    invalidated: bool = False
    ready: bool = False
    resumes: int = 0

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.open


class Gateway:
    """Websocket handler plus the shard → session table the fake dispatches through."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.sessions: dict[str, Session] = {}
        #: The live (latest identified) session of each shard.
        self.shards: dict[int, Session] = {}
        self.connections: set[Connection] = set()
        #: Per shard: "identified" / "resumed", in the order connections came up.
        self.connect_log: dict[int, list[str]] = {}
        self.identifies: list[JSON] = []
        self.presence_updates: list[JSON] = []
        #: Identify rate bookkeeping: last accepted IDENTIFY per bucket (fake clock), every
        #: accepted one as (shard id, time), and each refused one as (shard id, seconds since
        #: the bucket's previous IDENTIFY).
        self.identified_at: dict[int, float] = {}
        self.identify_times: list[tuple[int, float]] = []
        self.identify_refusals: list[tuple[int, float]] = []
        #: Query parameters of every websocket connection (v, encoding, compress).
        self.connection_queries: list[dict[str, str]] = []
        self._signal = Signal()

    # --- waiting -------------------------------------------------------------------------

    def notify(self) -> None:
        self._signal.notify()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109 - a plain deadline in seconds
        what: str,
    ) -> None:
        if not await self._signal.wait_until(predicate, timeout):
            raise TimeoutError(f"gateway: {what} within {timeout}s")

    def shard_ready(self, shard_id: int) -> bool:
        session = self.shards.get(shard_id)
        return session is not None and session.ready and session.connected

    # --- dispatch ------------------------------------------------------------------------

    async def dispatch(self, shard_id: int, event: str, data: JSON) -> bool:
        """Send an event to a shard's session (kept for replay if it is disconnected)."""
        session = self.shards.get(shard_id)
        if session is None or session.invalidated:
            return False
        await self._dispatch(session, event, data)
        return True

    async def _dispatch(self, session: Session, event: str, data: JSON) -> None:
        session.seq += 1
        payload = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.buffer.append(payload)
        if session.connection is not None:
            await session.connection.send(payload)

    # --- the socket ----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, compress=False)
        await ws.prepare(request)
        q = request.query
        self.connection_queries.append(dict(q))
        compress = q.get("compress")
        conn = Connection(
            ws, _Encoder(compress if compress != "zstd-stream" or _HAS_ZSTD else None)
        )
        self.connections.add(conn)
        try:
            if q.get("v", "10") != "10":
                await conn.close(INVALID_API_VERSION, "Invalid API version")
                return ws
            if q.get("encoding", "json") != "json":
                await conn.close(DECODE_ERROR, "Only encoding=json is supported by the fake")
                return ws
            if compress not in (None, "zlib-stream", "zstd-stream") or (
                compress == "zstd-stream" and not _HAS_ZSTD
            ):
                await conn.close(DECODE_ERROR, f"Unsupported compress={compress}")
                return ws
            await conn.send(
                {
                    "op": HELLO,
                    "d": {
                        "heartbeat_interval": self.fake.heartbeat_interval,
                        "_trace": ["fake-gateway"],
                    },
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    try:
                        payload = json.loads(msg.data)
                    except json.JSONDecodeError:
                        await conn.close(DECODE_ERROR, "Error while decoding payload")
                        break
                    if not isinstance(payload, dict):
                        await conn.close(DECODE_ERROR, "Error while decoding payload")
                        break
                    await self._on_payload(conn, payload)
                elif msg.type is WSMsgType.BINARY:
                    await conn.close(DECODE_ERROR, "Binary frames are not accepted")
                    break
                else:
                    break
        finally:
            self.connections.discard(conn)
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
            self.notify()
        return ws

    async def _on_payload(self, conn: Connection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        if op == HEARTBEAT:
            conn.heartbeats += 1
            conn.heartbeat_seq = data if isinstance(data, int) else conn.heartbeat_seq
            self.notify()
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, data if isinstance(data, dict) else {})
        elif op == RESUME:
            await self._resume(conn, data if isinstance(data, dict) else {})
        elif conn.session is None:
            await conn.close(NOT_AUTHENTICATED, "Not authenticated.")
        elif op == PRESENCE_UPDATE:
            self.presence_updates.append(data if isinstance(data, dict) else {})
        elif op == REQUEST_GUILD_MEMBERS:
            await self._request_members(conn, data if isinstance(data, dict) else {})
        elif op == VOICE_STATE_UPDATE:
            pass
        else:
            await conn.close(UNKNOWN_OPCODE, f"Unknown opcode {op}")

    async def _identify(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            await conn.close(ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        self.identifies.append(data)
        if data.get("token") != self.fake.token:
            await conn.close(AUTHENTICATION_FAILED, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents & ~ALL_INTENTS:
            await conn.close(INVALID_INTENTS, "Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.fake.allowed_privileged_intents:
            await conn.close(DISALLOWED_INTENTS, "Disallowed intent(s).")
            return
        shard = data.get("shard") or [0, 1]
        if (
            not isinstance(shard, list)
            or len(shard) != 2
            or not all(isinstance(x, int) for x in shard)
            or shard[1] < 1
            or not 0 <= shard[0] < shard[1]
        ):
            await conn.close(INVALID_SHARD, "Invalid shard.")
            return
        shard_id, shard_count = shard
        if not await self._identify_allowed(conn, shard_id):
            return
        held = self.fake.guild_count_on_shard(shard_id, shard_count)
        if held > MAX_GUILDS_PER_SHARD:
            await conn.close(SHARDING_REQUIRED, "Sharding required.")
            return
        old = self.shards.get(shard_id)
        if old is not None:
            old.invalidated = True
        session = Session(
            session_id=secrets.token_hex(16),
            shard_id=shard_id,
            shard_count=shard_count,
            intents=intents,
            identify=data,
            connection=conn,
        )
        conn.session = session
        self.sessions[session.session_id] = session
        self.shards[shard_id] = session
        guilds = self.fake.guilds_on_shard(shard_id, shard_count)
        ready = {
            "v": 10,
            "user": self.fake.bot_user.to_json(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.fake.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["fake-gateway"],
        }
        await self._dispatch(session, "READY", ready)
        if intents & GUILDS:
            for guild in guilds:
                await self._dispatch(
                    session, "GUILD_CREATE", self.fake.guild_create_payload(guild, intents)
                )
        session.ready = True
        self.connect_log.setdefault(shard_id, []).append("identified")
        self.notify()

    async def _identify_allowed(self, conn: Connection, shard_id: int) -> bool:
        """Discord's identify rate: one IDENTIFY per ``identify_interval`` per bucket
        (``shard_id % max_concurrency``). One too early gets op 9 (invalid session, not
        resumable), as Discord answers it, and is recorded as a violation."""
        interval = self.fake.identify_interval
        bucket = shard_id % max(1, self.fake.max_concurrency)
        now = self.fake.clock.monotonic()
        last = self.identified_at.get(bucket)
        if interval > 0 and last is not None and now - last < interval:
            self.identify_refusals.append((shard_id, now - last))
            self.fake.record_violation(
                Violation(
                    "GATEWAY",
                    f"IDENTIFY shard {shard_id}",
                    f"IDENTIFY {now - last:.2f}s after the previous one of bucket {bucket} "
                    f"(Discord allows one per {interval:g}s per max_concurrency bucket)",
                    status=0,
                    code=INVALID_SESSION,
                )
            )
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return False
        self.identified_at[bucket] = now
        self.identify_times.append((shard_id, now))
        return True

    async def _resume(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            await conn.close(ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        if data.get("token") != self.fake.token:
            await conn.close(AUTHENTICATION_FAILED, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        oldest = session.buffer[0]["s"] if session is not None and session.buffer else 1
        if (
            session is None
            or session.invalidated
            or self.shards.get(session.shard_id) is not session
            or not isinstance(seq, int)
            or seq > session.seq
            or seq < oldest - 1
        ):
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if session.connection is not None and session.connection is not conn:
            await session.connection.close(UNKNOWN_ERROR, "Session resumed elsewhere")
        conn.session = session
        session.connection = conn
        for payload in list(session.buffer):
            if payload["s"] > seq:
                await conn.send(payload)
        await self._dispatch(session, "RESUMED", {"_trace": ["fake-gateway"]})
        session.resumes += 1
        self.connect_log.setdefault(session.shard_id, []).append("resumed")
        self.notify()

    async def _request_members(self, conn: Connection, data: JSON) -> None:
        session = conn.session
        assert session is not None
        guild = self.fake.state_guild(int(data.get("guild_id") or 0))
        if guild is None:
            return
        await self._dispatch(
            session,
            "GUILD_MEMBERS_CHUNK",
            {
                "guild_id": str(guild.id),
                "members": [m.to_json() for m in guild.members.values()],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
                "nonce": data.get("nonce"),
            },
        )

    async def barrier(self, shard_id: int, timeout: float) -> None:  # noqa: ASYNC109
        """Return once the client has processed every event dispatched so far on a shard.

        The fake asks for a heartbeat (op 1); discord.py answers it in order with the last
        sequence number it handled, and its event parsers run synchronously, so a reply
        carrying the latest sequence means the cache reflects every earlier event.
        """
        session = self.shards.get(shard_id)
        if session is None or session.connection is None:
            raise RuntimeError(f"shard {shard_id} is not connected")
        conn = session.connection
        target = session.seq
        before = conn.heartbeats
        await conn.send({"op": HEARTBEAT, "d": None, "s": None, "t": None})
        await self.wait_for(
            lambda: conn.heartbeats > before and (conn.heartbeat_seq or 0) >= target,
            timeout,
            f"shard {shard_id} did not catch up to sequence {target}",
        )

    # --- faults --------------------------------------------------------------------------

    async def drop(self, shard_id: int, *, resumable: bool, via: str, close_code: int) -> None:
        session = self.shards.get(shard_id)
        if session is None or session.connection is None:
            raise RuntimeError(f"shard {shard_id} is not connected")
        conn = session.connection
        if not resumable:
            session.invalidated = True
        if via == "reconnect":
            await conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})
        elif via == "invalid_session":
            await conn.send({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})
        elif via == "close":
            await conn.close(close_code, "fake: connection dropped")
        else:
            raise ValueError(f"unknown drop mode {via!r}")
        # The client closes on RECONNECT / INVALID_SESSION; make sure the socket goes away.
        with contextlib.suppress(TimeoutError):
            await self.wait_for(lambda: not conn.open, 5.0, "socket closed")
        if conn.open:
            await conn.close(close_code, "fake: connection dropped")
        if session.connection is conn:
            session.connection = None

    async def close_all(self) -> None:
        for conn in list(self.connections):
            await conn.close(1001, "fake Discord stopping")
