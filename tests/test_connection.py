"""bot/connection.py: the backoff between attempts to reach Discord, and what each failure says
(the failures a real server or socket produces are end to end in tests/e2e/test_runner.py)."""

from __future__ import annotations

import random

import aiohttp
import discord
import pytest
import yarl

from bot.connection import Backoff, describe


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=60.0)
    rng = random.Random(1)
    for attempt in range(1, 40):
        ceiling = min(60.0, 2.0 ** (attempt - 1))
        delays = [backoff.delay(attempt, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), attempt
        assert len(set(delays)) > 1  # jittered: bots restarting together spread out


def test_backoff_is_reproducible_with_a_seeded_rng() -> None:
    backoff = Backoff(base=0.5, cap=4.0)
    first = [backoff.delay(n, random.Random(3)) for n in range(1, 6)]
    again = [backoff.delay(n, random.Random(3)) for n in range(1, 6)]
    assert first == again
    assert max(first) <= 4.0


class _Response:
    """What discord.HTTPException reads from an aiohttp response."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        self.url = yarl.URL("https://discord.com/api/v10/users/@me")


def http_error(status: int, reason: str) -> discord.HTTPException:
    return discord.HTTPException(_Response(status, reason), {"message": reason, "code": 0})  # type: ignore[arg-type]


DISCORD = "https://discord.com/api/v10"


@pytest.mark.parametrize(
    ("exc", "expected", "retry", "code"),
    [
        (TimeoutError(), "the connection to discord.com failed (TimeoutError:", True, 3),
        (
            aiohttp.ServerDisconnectedError(),
            "the connection to discord.com failed (ServerDisconnectedError: Server disconnected)",
            True,
            3,
        ),
        (http_error(502, "Bad Gateway"), "Discord (discord.com) answered 502 Bad Gateway", True, 3),
        (http_error(429, "Too Many Requests"), "answered 429 Too Many Requests", True, 3),
        (http_error(405, "Method Not Allowed"), "answered 405 Method Not Allowed for", False, 2),
    ],
)
def test_describe_says_what_happened_and_whether_to_retry(
    exc: BaseException, expected: str, retry: bool, code: int
) -> None:
    failure = describe(exc, DISCORD)
    assert failure is not None
    assert expected in failure.message
    assert "\n" not in failure.message
    assert (failure.retry, failure.exit_code) == (retry, code)


@pytest.mark.parametrize(
    "exc", [http_error(401, "Unauthorized"), RuntimeError("a bug"), ValueError("x")]
)
def test_describe_leaves_token_rejections_and_bugs_to_the_caller(exc: BaseException) -> None:
    assert describe(exc, DISCORD) is None
