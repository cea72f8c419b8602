"""Fixture wiring for the fake Discord; helpers' own fixtures live in subdirectories."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import bot.app
import bot.cli
from bot.catalog import Catalog, load_catalog
from tests.fakediscord import FakeDiscord

#: Catalogs the bot loaded at startup, by the content folder's files as they were.
_STARTUP_CATALOGS: dict[tuple[object, ...], Catalog] = {}


def _content_snapshot(path: Path) -> tuple[tuple[str, str], ...]:
    files = sorted(p for p in Path(path).rglob("*") if p.is_file())
    return tuple((str(p.resolve()), hashlib.sha256(p.read_bytes()).hexdigest()) for p in files)


@pytest.fixture(autouse=True)
def shared_startup_catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bots started in-process, and the CLI run in-process, share the catalog of an unchanged
    content folder.

    A catalog is immutable, and loading the real pack at every bot start or `summitbot
    preview` was a good part of those tests' time. A folder whose files' bytes changed loads
    anew, and errors are never cached, so tests of broken or edited content see what they wrote.
    """

    def load(path: Path, *args: Any, **kwargs: Any) -> Catalog:
        key = (_content_snapshot(path), args, tuple(sorted(kwargs.items())))
        catalog = _STARTUP_CATALOGS.get(key)
        if catalog is None:
            catalog = _STARTUP_CATALOGS[key] = load_catalog(path, *args, **kwargs)
        return catalog

    monkeypatch.setattr(bot.app, "load_catalog", load)
    monkeypatch.setattr(bot.cli, "load_catalog", load)


@contextlib.asynccontextmanager
async def clean_fake_discord(**options: Any) -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord (`options` go to it); on exit it stops and fails if the bot made a
    request Discord would refuse (``fake.violations``) or one the fake does not serve. Tests
    that provoke violations on purpose take them with ``fake.take_violations()``."""
    fake = FakeDiscord(heartbeat_interval=5_000, **options)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    fake.assert_clean()


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A clean FakeDiscord for one test (see `clean_fake_discord`)."""
    async with clean_fake_discord() as fake:
        yield fake
