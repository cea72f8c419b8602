"""Logging: discord.py's setup with our formatters, one JSON object per line on request, the
interaction and guild a line is about, and secrets (the bot token) redacted from every line.

`setup_logging` installs one handler on the root logger through `discord.utils.setup_logging`,
so discord.py, aiohttp, asyncio and our own loggers all go through it:

- **Context.** `bind_log_context(...)` (for the rest of the current task) and `log_context(...)`
  (for a block) attach ids such as `interaction_id` and `guild_id` to every record logged
  meanwhile; the digest job binds them for each guild. `bind_lazy_log_context(fields)` binds
  a function that gives them, called only when a record is logged: the command tree binds an
  interaction's ids that way, so the many interactions that log nothing never build them.
  Explicit `extra=` values win over bound ones, and eagerly bound ones over lazy ones.
- **Redaction.** The formatter replaces every registered secret, every Discord-token-shaped
  string, the token part of interaction/webhook URLs and the value of every `"token"` field of
  a dumped payload (JSON or Python repr) with `<redacted>` in the final text,
  tracebacks included, so no handler can leak them. Uncaught exceptions go through the same
  path (`sys.excepthook`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, TextIO

import discord

from bot.config import MIN_SECRET_LENGTH

if TYPE_CHECKING:
    from bot.config import LoggingSettings

__all__ = [
    "CONTEXT_KEYS",
    "REDACTED",
    "ContextFilter",
    "DiscordNoiseFilter",
    "JsonFormatter",
    "RedactingFormatter",
    "Redactor",
    "TextFormatter",
    "add_secret",
    "bind_lazy_log_context",
    "bind_log_context",
    "current_log_context",
    "log_context",
    "redact",
    "setup_logging",
]

REDACTED = "<redacted>"

#: Context fields, in the order the text format shows them.
CONTEXT_KEYS = ("guild_id", "channel_id", "interaction_id", "command", "error_id")

_SHORT_NAMES = {
    "guild_id": "guild",
    "channel_id": "channel",
    "interaction_id": "interaction",
    "command": "command",
    "error_id": "error",
}

# Attributes every LogRecord has; anything else on a record came from `extra=` or the context.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}

_context: ContextVar[Mapping[str, object]] = ContextVar(
    "summitbot_log_context", default=MappingProxyType({})
)
_lazy_context: ContextVar[Callable[[], Mapping[str, object]] | None] = ContextVar(
    "summitbot_lazy_log_context", default=None
)


# --- context ----------------------------------------------------------------------------------


def bind_log_context(**fields: object) -> None:
    """Attach fields to every record logged later in the current task (None values are skipped).

    A task copies the context when it is created, so a binding never leaks into other tasks.
    """
    _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def bind_lazy_log_context(fields: Callable[[], Mapping[str, object]]) -> None:
    """Like `bind_log_context`, but `fields()` is called only when a record is logged (None
    values are skipped); binding again replaces the function."""
    _lazy_context.set(fields)


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Attach fields to every record logged inside the block."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def current_log_context() -> Mapping[str, object]:
    """The fields bound in the current context (the lazy ones computed now)."""
    lazy = _lazy_context.get()
    if lazy is None:
        return _context.get()
    return {**{k: v for k, v in lazy().items() if v is not None}, **_context.get()}


class ContextFilter(logging.Filter):
    """Copy the bound context fields onto each record (never overriding `extra=` values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current_log_context().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


# --- redaction --------------------------------------------------------------------------------

# A Discord bot token: base64 user id, a timestamp part and an HMAC, dot-separated.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}")
# Interaction and webhook tokens sit in URL paths (discord.py logs those URLs at DEBUG).
_URL_TOKEN = re.compile(r"(/(?:interactions|webhooks)/\d+/)[A-Za-z0-9_.\-]{20,}")
# A `token` field (also `access_token`, ...) in a JSON or Python-repr dump of a payload:
# discord.py logs each gateway event at DEBUG, and an interaction carries its 15-minute token.
# The quotes may be escaped once (a payload dumped inside a JSON log line's message).
_TOKEN_FIELD = re.compile(
    r"""(?P<kq>\\?["'])(?P<key>(?:[A-Za-z]+_)?token)(?P=kq)(?P<sep>\s*:\s*)"""
    r"""(?P<vq>\\?["'])(?!(?P=vq))(?P<value>.+?)(?P=vq)"""
)


class Redactor:
    """Removes secrets from text: registered values, token-shaped strings, URL tokens."""

    def __init__(self) -> None:
        self._secrets: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        """Register a value that must never be shown (values under 8 characters are ignored)."""
        secret = secret.strip()
        if len(secret) < MIN_SECRET_LENGTH:
            return
        with self._lock:
            if secret not in self._secrets:
                # Longest first, so a secret containing another is replaced whole.
                self._secrets = tuple(sorted((*self._secrets, secret), key=len, reverse=True))

    def clear(self) -> None:
        with self._lock:
            self._secrets = ()

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        if "." in text:
            text = _TOKEN_SHAPE.sub(REDACTED, text)
        if "/interactions/" in text or "/webhooks/" in text:
            text = _URL_TOKEN.sub(rf"\g<1>{REDACTED}", text)
        if "token" in text:
            text = _TOKEN_FIELD.sub(_redact_field, text)
        return text


def _redact_field(match: re.Match[str]) -> str:
    quote = match["vq"]
    return f"{match['kq']}{match['key']}{match['kq']}{match['sep']}{quote}{REDACTED}{quote}"


_REDACTOR = Redactor()


def add_secret(secret: str) -> None:
    """Register a secret with the process-wide redactor used by every log line."""
    _REDACTOR.add(secret)


def redact(text: str) -> str:
    """`text` with every known secret replaced by `<redacted>`."""
    return _REDACTOR.redact(text)


# --- formatters -------------------------------------------------------------------------------


def _context_of(record: logging.LogRecord) -> list[tuple[str, object]]:
    return [(key, getattr(record, key)) for key in CONTEXT_KEYS if hasattr(record, key)]


class TextFormatter(logging.Formatter):
    """discord.py's default text layout plus the context: `... message (guild=1 interaction=2)`."""

    def __init__(self) -> None:
        super().__init__("[{asctime}] [{levelname:<8}] {name}: {message}", "%Y-%m-%d %H:%M:%S", "{")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = _context_of(record)
        if fields:
            line += " (" + " ".join(f"{_SHORT_NAMES[k]}={v}" for k, v in fields) + ")"
        return line


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, context, extras,
    and the traceback as `exc_info` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in entry:
                entry[key] = _jsonable(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class RedactingFormatter(logging.Formatter):
    """Format with `inner`, then redact the whole line (message, extras and traceback)."""

    def __init__(self, inner: logging.Formatter, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.inner = inner
        self.redactor = redactor or _REDACTOR

    def format(self, record: logging.LogRecord) -> str:
        return self.redactor.redact(self.inner.format(record))


# --- discord.py's lines that don't belong in an operator's log ------------------------------

#: discord.client lines dropped: voice support this bot never uses, and the login line the
#: runner replaces with its own (one line per failed attempt; discord.py's "ready" on success).
_DROPPED_CLIENT_LINES = frozenset(
    {
        "PyNaCl is not installed, voice will NOT be supported",
        "davey is not installed, voice will NOT be supported",
        "logging in using static token",
    }
)

#: discord.client / discord.shard reconnect reports (logged with a traceback per attempt).
_RECONNECT_LINES = ("Attempting a reconnect", "Failed to connect for shard_id")


class DiscordNoiseFilter(logging.Filter):
    """Drop `_DROPPED_CLIENT_LINES`, and turn discord.py's gateway reconnect report (an ERROR
    with a traceback per attempt) into one WARNING line naming the error."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg in _DROPPED_CLIENT_LINES:
            return False
        if (
            isinstance(record.msg, str)
            and record.msg.startswith(_RECONNECT_LINES)
            and record.exc_info
        ):
            error = record.exc_info[1]
            detail = " ".join(str(error).split()) or "no detail"
            kind = type(error).__name__
            record.msg = f"{record.getMessage()}: gateway connection failed ({kind}: {detail})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_NOISE_FILTER = DiscordNoiseFilter()


# --- setup ------------------------------------------------------------------------------------


class _SummitHandler(logging.StreamHandler[TextIO]):
    """Marks the handler `setup_logging` installed, so a second call replaces it."""


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    # An uncaught exception would otherwise print its traceback unredacted.
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(redact(text))


def setup_logging(
    settings: LoggingSettings,
    *,
    secrets: Iterable[str | None] = (),
    stream: TextIO | None = None,
) -> logging.Handler:
    """Log to `stream` (stderr) at `settings.level`, as text or JSON lines, with redaction.

    Replaces a handler installed by an earlier call; returns the new one.
    """
    for secret in secrets:
        if secret:
            add_secret(secret)
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _SummitHandler)]:
        root.removeHandler(old)
        old.close()
    handler = _SummitHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(ContextFilter())
    inner: logging.Formatter = JsonFormatter() if settings.json_format else TextFormatter()
    discord.utils.setup_logging(
        handler=handler,
        formatter=RedactingFormatter(inner),
        level=settings.level_number,
        root=True,
    )
    # aiosqlite logs two DEBUG lines per SQL operation: noise that drowns the bot's own lines.
    logging.getLogger("aiosqlite").setLevel(max(settings.level_number, logging.INFO))
    for name in ("discord.client", "discord.shard"):
        logging.getLogger(name).addFilter(_NOISE_FILTER)
    logging.captureWarnings(True)
    sys.excepthook = _excepthook
    return handler
