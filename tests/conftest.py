"""Fixture wiring for the fake Discord; helpers' own fixtures live in subdirectories."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakediscord import FakeDiscord


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord; the test fails at teardown if the bot made a request Discord
    would refuse (``fake.violations``) or one the fake does not serve. Tests that provoke
    violations on purpose take them with ``fake.take_violations()``."""
    fake = FakeDiscord(heartbeat_interval=5_000)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_clean()
