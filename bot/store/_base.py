"""The store's core: the connection handle, the transaction lock and shared helpers.

Concurrency: a store owns one connection and an ``asyncio.Lock``. Every public method runs in
its own short transaction under that lock, unless it is given ``conn`` — the handle yielded by
:meth:`StoreBase.transaction` — in which case it joins that transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import aiosqlite

from bot.store._errors import StoreError, StoreLockedError, StoreUnwritableError

__all__ = ["StoreBase", "StoreConnection"]

# Primary result codes (the low byte of an extended code).
_SQLITE_CORRUPT = 11
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_NOTADB = 26
_SQLITE_PERM = 3
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14

_Params = Sequence[Any]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def parse_ts(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


class StoreConnection:
    """A handle on an open transaction; pass it as ``conn=`` to compose store calls.

    Valid only inside its ``async with store.transaction()`` block.
    """

    __slots__ = ("_active", "_db", "_store")

    def __init__(self, store: StoreBase, db: aiosqlite.Connection) -> None:
        self._store = store
        self._db = db
        self._active = True

    def _check(self, store: StoreBase) -> None:
        if store is not self._store:
            raise RuntimeError("this connection belongs to another store")
        if not self._active:
            raise RuntimeError("this connection's transaction has already ended")

    async def _execute(self, sql: str, params: _Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        try:
            cursor = await self._db.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
        except sqlite3.Error as exc:
            self._store._raise(exc)
        return int(count)

    async def _fetchone(self, sql: str, params: _Params = ()) -> sqlite3.Row | None:
        try:
            cursor = await self._db.execute(sql, params)
            row = await cursor.fetchone()
            await cursor.close()
        except sqlite3.Error as exc:
            self._store._raise(exc)
        return row

    async def _fetchall(self, sql: str, params: _Params = ()) -> list[sqlite3.Row]:
        try:
            cursor = await self._db.execute(sql, params)
            rows = await cursor.fetchall()
            await cursor.close()
        except sqlite3.Error as exc:
            self._store._raise(exc)
        return list(rows)


class StoreBase:
    """Connection, lock and transactions shared by the store's query groups."""

    def __init__(
        self,
        path: Path,
        db: aiosqlite.Connection,
        *,
        migrations_dir: Path,
        busy_timeout_ms: int,
        clock: Callable[[], datetime],
    ) -> None:
        """Wrap an already-configured connection; use :meth:`Store.open` instead."""
        self.path = path
        self.migrations_dir = migrations_dir
        self.busy_timeout_ms = busy_timeout_ms
        self._db: aiosqlite.Connection | None = db
        self._clock = clock
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    def _require_db(self) -> aiosqlite.Connection:
        if self._db is None:
            raise StoreError(f"database {self.path} is closed")
        return self._db

    def _raise(self, exc: sqlite3.Error) -> NoReturn:
        """Re-raise ``exc``, as a store error naming the file when it is locked or corrupt."""
        mapped = self._translate(exc)
        if mapped is None:
            raise exc
        raise mapped from exc

    def _translate(self, exc: sqlite3.Error) -> StoreError | None:
        """Map SQLite's locked, read-only, full, I/O and corrupt errors to store errors naming
        the file."""
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary in {_SQLITE_BUSY, _SQLITE_LOCKED}:
            return StoreLockedError(
                f"database {self.path} is locked by another connection "
                f"(waited {self.busy_timeout_ms} ms): {exc}"
            )
        if primary == _SQLITE_READONLY:
            return StoreUnwritableError(f"database {self.path} is read-only: {exc}")
        if primary == _SQLITE_FULL:
            return StoreUnwritableError(f"database {self.path} is full: {exc}")
        if primary in {_SQLITE_IOERR, _SQLITE_PERM, _SQLITE_CANTOPEN}:
            return StoreUnwritableError(f"database {self.path} cannot be written: {exc}")
        if primary in {_SQLITE_NOTADB, _SQLITE_CORRUPT}:
            return StoreError(f"database {self.path} is not a valid SQLite database: {exc}")
        return None

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[StoreConnection]:
        """Run the block in one transaction (``BEGIN IMMEDIATE`` when ``write``).

        Commits on success, rolls back on any exception. Not reentrant: inside the block, pass
        the yielded handle as ``conn=`` instead of opening another transaction.
        """
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("already inside a store transaction; pass conn= instead")
        async with self._lock:
            db = self._require_db()
            self._owner = task
            handle = StoreConnection(self, db)
            try:
                try:
                    await db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                except sqlite3.Error as exc:
                    self._raise(exc)
                try:
                    yield handle
                except BaseException:
                    handle._active = False
                    if db.in_transaction:
                        with suppress(sqlite3.Error):
                            await db.execute("ROLLBACK")
                    raise
                handle._active = False
                try:
                    await db.execute("COMMIT")
                except sqlite3.Error as exc:
                    if db.in_transaction:
                        with suppress(sqlite3.Error):
                            await db.execute("ROLLBACK")
                    self._raise(exc)
            finally:
                handle._active = False
                self._owner = None

    @asynccontextmanager
    async def _use(
        self, conn: StoreConnection | None, *, write: bool
    ) -> AsyncIterator[StoreConnection]:
        if conn is not None:
            conn._check(self)
            yield conn
            return
        async with self.transaction(write=write) as own:
            yield own
