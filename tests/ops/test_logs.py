"""bot/logs.py: formats, context binding per task, and redaction of secrets from every line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest
from discord.voice_client import VoiceClient

from bot.config import LoggingSettings
from bot.logs import (
    REDACTED,
    JsonFormatter,
    RedactingFormatter,
    Redactor,
    TextFormatter,
    bind_lazy_log_context,
    bind_log_context,
    current_log_context,
    log_context,
    setup_logging,
)
from tests.e2e.conftest import running_summit
from tests.fakediscord import FakeDiscord
from tests.ops.helpers import restored_logging

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Logging set up to write into a string; the root logger and excepthook restored after."""
    with restored_logging():
        yield io.StringIO()


def settings(*, json_format: bool = False, level: str = "DEBUG") -> LoggingSettings:
    return LoggingSettings.model_validate({"level": level, "json": json_format})


def test_redactor_removes_registered_secrets_token_shapes_and_url_tokens() -> None:
    redactor = Redactor()
    redactor.add("plain-secret-value")
    redactor.add("short")  # too short to be a secret: left alone
    text = (
        "secret plain-secret-value, token "
        + TOKEN
        + " url /api/v10/interactions/123/aW50ZXJhY3Rpb246abcdefghijklmnop/callback"
        + " hook /webhooks/456/aW50ZXJhY3Rpb246abcdefghijklmnopqrs/messages/@original short"
    )
    out = redactor.redact(text)
    assert "plain-secret-value" not in out
    assert TOKEN not in out
    assert "aW50ZXJhY3Rpb246" not in out
    assert "/interactions/123/<redacted>/callback" in out
    assert "/webhooks/456/<redacted>/messages" in out
    assert out.endswith("short")


def test_redacting_formatter_covers_arguments_extras_and_tracebacks() -> None:
    redactor = Redactor()
    redactor.add("fake-bot-token.summitbot.local")
    formatter = RedactingFormatter(JsonFormatter(), redactor)
    try:
        raise ValueError("bad token fake-bot-token.summitbot.local")
    except ValueError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "with %s",
            ("fake-bot-token.summitbot.local",),
            sys.exc_info(),
        )
    record.header = "Bot fake-bot-token.summitbot.local"
    line = formatter.format(record)
    assert "fake-bot-token.summitbot.local" not in line
    entry = json.loads(line)
    assert entry["message"] == f"with {REDACTED}"
    assert entry["header"] == f"Bot {REDACTED}"
    assert "ValueError: bad token" in entry["exc_info"]


def test_text_lines_carry_the_bound_context(stream: io.StringIO) -> None:
    setup_logging(settings(), stream=stream)
    log = logging.getLogger("summitbot.test")
    with log_context(guild_id=11, interaction_id=22, command="quote"):
        log.info("inside")
    log.info("outside")
    inside, outside = stream.getvalue().splitlines()
    assert inside.endswith("summitbot.test: inside (guild=11 interaction=22 command=quote)")
    assert outside.endswith("summitbot.test: outside")


def test_json_lines_carry_context_and_extras(stream: io.StringIO) -> None:
    setup_logging(settings(json_format=True), stream=stream)
    log = logging.getLogger("summitbot.test")
    with log_context(guild_id=11, interaction_id=22):
        log.warning("posted %d", 3, extra={"guild_id": 99, "attempts": 2})
    entry = json.loads(stream.getvalue())
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "summitbot.test"
    assert entry["message"] == "posted 3"
    assert entry["guild_id"] == 99  # an explicit extra wins over the bound context
    assert entry["interaction_id"] == 22
    assert entry["attempts"] == 2
    assert entry["time"].endswith("+00:00")


async def test_a_binding_stays_in_its_own_task() -> None:
    seen: dict[str, object] = {}

    async def handler(name: str, interaction_id: int) -> None:
        bind_log_context(interaction_id=interaction_id)
        await asyncio.sleep(0)
        seen[name] = current_log_context().get("interaction_id")

    await asyncio.gather(handler("a", 1), handler("b", 2))
    assert seen == {"a": 1, "b": 2}
    assert "interaction_id" not in current_log_context()


async def test_lazy_context_is_built_only_for_records_logged(stream: io.StringIO) -> None:
    setup_logging(settings(json_format=True), stream=stream)
    log = logging.getLogger("summitbot.test")
    calls: list[int] = []

    def fields() -> dict[str, object]:
        calls.append(1)
        return {"interaction_id": 7, "guild_id": 8, "channel_id": None}

    async def handler() -> None:
        bind_lazy_log_context(fields)
        log.debug("nothing built yet" if not calls else "built")
        bind_log_context(guild_id=9)  # bound eagerly: wins over the lazy value
        log.info("answered")

    await asyncio.create_task(handler())
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "nothing built yet"
    assert (first["interaction_id"], first["guild_id"]) == (7, 8)
    assert "channel_id" not in first  # None values are skipped, as when bound eagerly
    assert (second["interaction_id"], second["guild_id"]) == (7, 9)
    assert len(calls) == 2  # once per record, never before
    assert "interaction_id" not in current_log_context()  # it stayed in its task


def test_setup_logging_replaces_its_handler_and_sets_the_level(stream: io.StringIO) -> None:
    setup_logging(settings(level="WARNING"), stream=io.StringIO())
    handler = setup_logging(settings(level="INFO"), stream=stream)
    root = logging.getLogger()
    assert handler in root.handlers
    assert sum(isinstance(h, type(handler)) for h in root.handlers) == 1
    assert root.level == logging.INFO
    assert isinstance(handler.formatter, RedactingFormatter)
    assert isinstance(handler.formatter.inner, TextFormatter)
    logging.getLogger("discord.client").debug("not shown")
    logging.getLogger("discord.client").info("shown")
    assert "not shown" not in stream.getvalue()
    assert "shown" in stream.getvalue()
    logging.getLogger("aiosqlite").debug("per-operation noise")
    assert "per-operation noise" not in stream.getvalue()


def test_registered_token_never_reaches_the_stream(stream: io.StringIO) -> None:
    setup_logging(settings(), secrets=["fake-bot-token.summitbot.local", None], stream=stream)
    log = logging.getLogger("discord.http")
    log.debug("headers {'Authorization': 'Bot fake-bot-token.summitbot.local'}")
    try:
        raise RuntimeError("fake-bot-token.summitbot.local")
    except RuntimeError:
        log.exception("failed")
    assert "fake-bot-token.summitbot.local" not in stream.getvalue()
    assert stream.getvalue().count(REDACTED) >= 2


def test_uncaught_exceptions_are_redacted(
    stream: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging(settings(), secrets=["fake-bot-token.summitbot.local"], stream=stream)
    try:
        raise RuntimeError("login with fake-bot-token.summitbot.local failed")
    except RuntimeError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "RuntimeError: login with <redacted> failed" in err
    assert "fake-bot-token.summitbot.local" not in err


INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OmFiY2RlZmdoaWprbG1ub3A"


def test_token_fields_of_dumped_payloads_are_redacted_in_text_and_json(
    stream: io.StringIO,
) -> None:
    payload = {"id": "123", "type": 2, "token": INTERACTION_TOKEN, "version": 1}
    for json_format in (False, True):
        out = io.StringIO()
        setup_logging(settings(json_format=json_format), stream=out)
        gateway = logging.getLogger("discord.gateway")
        gateway.debug("For Shard ID %s: WebSocket Event: %s", None, {"t": "X", "d": payload})
        gateway.debug("payload %s", json.dumps(payload))
        gateway.debug("as extra", extra={"dump": json.dumps({"access_token": INTERACTION_TOKEN})})
        lines = out.getvalue().splitlines()
        assert len(lines) == 3
        assert INTERACTION_TOKEN not in out.getvalue()
        if json_format:
            entries = [json.loads(line) for line in lines]
            assert f"'token': '{REDACTED}'" in entries[0]["message"]
            assert json.loads(entries[1]["message"].removeprefix("payload "))["token"] == REDACTED
            assert json.loads(entries[2]["dump"]) == {"access_token": REDACTED}
        else:
            assert f"'token': '{REDACTED}'" in lines[0]
            assert f'"token": "{REDACTED}"' in lines[1]
        assert "'type': 2" in lines[0]  # the rest of the payload is left alone


def test_redactor_leaves_empty_and_unrelated_token_words_alone() -> None:
    redactor = Redactor()
    text = "{'token': '', 'token_type': 'Bot'} token: plain \"tokens\": \"x\""
    assert redactor.redact(text) == text


async def test_a_debug_interaction_dump_never_shows_its_token(
    fake_discord: FakeDiscord, tmp_path: Path, stream: io.StringIO
) -> None:
    setup_logging(settings(level="DEBUG"), stream=stream)
    async with running_summit(fake_discord, tmp_path) as summit:
        result = await summit.slash("quote")
    assert len(result.token) >= 20
    text = stream.getvalue()
    assert "INTERACTION_CREATE" in text  # discord.py dumped the event
    assert result.token not in text
    assert f"'token': '{REDACTED}'" in text


def test_voice_support_warnings_are_not_shown_but_other_warnings_are(
    stream: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    # discord.py warns once per process, from the client's constructor, when PyNaCl or davey
    # is missing; the bot has no voice, so an operator should never see it.
    monkeypatch.setattr(VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(VoiceClient, "warn_dave", True)
    setup_logging(settings(level="DEBUG"), stream=stream)
    discord.Client(intents=discord.Intents.none())
    logging.getLogger("discord.client").warning("something else went wrong")
    logging.getLogger("discord.client").info("logging in using static token")  # see runner
    text = stream.getvalue()
    assert "voice will NOT be supported" not in text
    assert "something else went wrong" in text
    assert "logging in using static token" not in text


def test_a_gateway_reconnect_is_one_warning_line(stream: io.StringIO) -> None:
    setup_logging(settings(), stream=stream)
    try:
        raise OSError(111, "Connect call failed ('127.0.0.1', 9)")
    except OSError:
        logging.getLogger("discord.client").exception("Attempting a reconnect in %.2fs", 2.5)
    (line,) = stream.getvalue().splitlines()
    assert "[WARNING " in line
    assert "Attempting a reconnect in 2.50s: gateway connection failed" in line
    assert "(ConnectionRefusedError: [Errno 111] Connect call failed" in line
    assert "Traceback" not in stream.getvalue()
