"""Storage faults for tests, made with SQLite itself (tests run as root, where a chmod'ed file
stays writable).

- `read_only`: the store's connection is swapped for one SQLite opened read-only
  (``mode=ro``): every write fails with SQLITE_READONLY, exactly as on a read-only file, while
  reads (and ``SELECT 1``) still answer.
- `full`: the connection's ``max_page_count`` is pinned to the file's current size: a write
  that needs a new page fails with SQLITE_FULL, as on a full disk.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator

import aiosqlite

from bot.store import Store

#: SQLite's default maximum page count (restored after `full`).
DEFAULT_MAX_PAGES = 4_294_967_294


@contextlib.asynccontextmanager
async def read_only(store: Store) -> AsyncIterator[None]:
    writable = store._require_db()
    ro = await aiosqlite.connect(f"file:{store.path}?mode=ro", uri=True, isolation_level=None)
    ro.row_factory = sqlite3.Row
    store._db = ro
    try:
        yield
    finally:
        store._db = writable
        await ro.close()


@contextlib.asynccontextmanager
async def full(store: Store) -> AsyncIterator[None]:
    db = store._require_db()
    cursor = await db.execute("PRAGMA page_count")
    row = await cursor.fetchone()
    await cursor.close()
    assert row is not None
    await db.execute(f"PRAGMA max_page_count = {int(row[0])}")
    try:
        yield
    finally:
        await db.execute(f"PRAGMA max_page_count = {DEFAULT_MAX_PAGES}")
