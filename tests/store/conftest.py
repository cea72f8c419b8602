"""Fixtures: a migrated store on a real SQLite file in tmp_path, driven by a fake clock."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import DEFAULT_MIGRATIONS_DIR, Store


class FakeClock:
    """A settable UTC clock for the store's timestamps."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 15, 1, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "summitbot.sqlite3"


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """A private copy of the real migrations, safe to edit in a test."""
    target = tmp_path / "migrations"
    shutil.copytree(DEFAULT_MIGRATIONS_DIR, target)
    return target


@pytest.fixture
async def store(db_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    db = await Store.open(db_path, clock=clock)
    await db.migrate()
    yield db
    await db.close()
