"""The SQLite store: opening, migrations, backup, plus the query groups mixed in.

Concurrency: the store owns one connection and an ``asyncio.Lock``. Every public method runs
in its own short transaction under that lock, unless it is given ``conn`` — the handle yielded
by :meth:`Store.transaction` — in which case it joins that transaction. Compose like this::

    async with store.transaction() as conn:
        await store.mark_posted(guild_id, day, message_id, conn=conn)
        await picker.record_posted(store, guild_id, pick, conn=conn)

Other processes on the same file are serialised by SQLite itself (``BEGIN IMMEDIATE`` plus the
busy timeout); a lock held longer than the timeout raises :class:`StoreLockedError`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.store._base import StoreConnection, iso, parse_ts, utcnow
from bot.store._cycles import QuoteCycleQueries
from bot.store._errors import MigrationError, StoreError
from bot.store._migrations import (
    AppliedMigration,
    MigrationFile,
    discover_migrations,
    split_statements,
    verify_migrations,
)
from bot.store._models import MigrationStatus
from bot.store._posts import InstanceQueries, PostLogQueries
from bot.store._settings import SettingsQueries
from bot.store._user_settings import UserSettingsQueries
from bot.store._whosaid import WhoSaidQueries

__all__ = ["DEFAULT_BUSY_TIMEOUT_MS", "DEFAULT_MIGRATIONS_DIR", "Store"]

log = logging.getLogger(__name__)

DEFAULT_MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
DEFAULT_BUSY_TIMEOUT_MS = 5_000


class _RollBack(Exception):
    """Ends `probe_write`'s transaction with a rollback."""


class Store(
    SettingsQueries,
    UserSettingsQueries,
    PostLogQueries,
    InstanceQueries,
    QuoteCycleQueries,
    WhoSaidQueries,
):
    """SQLite storage for digest settings (guilds' and users'), quote cycles, the post log and
    "who said it?"."""

    # ------------------------------------------------------------------------------ lifecycle

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrations_dir: Path = DEFAULT_MIGRATIONS_DIR,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        verify: bool = True,
        clock: Callable[[], datetime] = utcnow,
    ) -> Store:
        """Open (creating if needed) the database at ``path`` and check its migrations.

        Raises :class:`StoreError` for a file that is not SQLite, :class:`StoreLockedError` when
        the database stays locked past ``busy_timeout_ms``, and :class:`MigrationError` when an
        applied migration file changed or is missing (skip that check with ``verify=False``,
        for ``summitbot db status``). Pending migrations are applied by :meth:`migrate`.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the directory for database {path}: {exc}") from exc
        connection = aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout_ms / 1000)
        try:
            db = await connection
        except sqlite3.Error as exc:
            # aiosqlite stops its worker thread after a failed connect, and that thread then
            # reports to this loop: wait for it, or it prints "Event loop is closed" once
            # asyncio.run has closed the loop.
            thread = getattr(connection, "_thread", None)
            if thread is not None:
                await asyncio.to_thread(thread.join, 5.0)
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        db.row_factory = sqlite3.Row
        store = cls(
            path, db, migrations_dir=migrations_dir, busy_timeout_ms=busy_timeout_ms, clock=clock
        )
        try:
            await store._configure()
            if verify:
                await store._verify()
        except BaseException:
            await store.close()
            raise
        return store

    async def _configure(self) -> None:
        db = self._require_db()
        try:
            await db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            cursor = await db.execute("PRAGMA journal_mode = WAL")
            row = await cursor.fetchone()
            await cursor.close()
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            self._raise(exc)
        mode = str(row[0]).lower() if row is not None else "unknown"
        if mode != "wal":
            log.warning("database %s: journal mode is %s, not WAL", self.path, mode)
        async with self.transaction() as conn:
            await conn._execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY CHECK (version >= 0),
                    name       TEXT    NOT NULL UNIQUE,
                    checksum   TEXT    NOT NULL CHECK (length(checksum) = 64),
                    applied_at TEXT    NOT NULL
                )
                """
            )

    async def close(self) -> None:
        """Close the connection; further calls raise :class:`StoreError`. Idempotent."""
        db = self._db
        if db is None:
            return
        async with self._lock:
            self._db = None
            with suppress(sqlite3.Error):
                await db.close()

    @property
    def closed(self) -> bool:
        return self._db is None

    async def ping(self) -> bool:
        """Whether the database answers a trivial query (for health checks)."""
        db = self._db
        if db is None:
            return False
        try:
            cursor = await db.execute("SELECT 1")
            row = await cursor.fetchone()
            await cursor.close()
        except (sqlite3.Error, ValueError):
            return False
        return row is not None and row[0] == 1

    async def probe_write(self) -> StoreError | None:
        """Whether the database takes writes now: None if so, else the error a write gets.

        Creates a table holding one page of data, in a transaction that is then rolled back,
        so it needs what a real write needs (a write lock, a writable file, a free page) and
        leaves nothing behind. ``SELECT 1`` answers on a read-only or full database; this
        does not.
        """
        try:
            async with self.transaction() as conn:
                page = await conn._fetchone("PRAGMA page_size")
                size = int(page[0]) if page is not None else 4096
                await conn._execute("CREATE TABLE write_probe (data BLOB NOT NULL)")
                await conn._execute("INSERT INTO write_probe (data) VALUES (zeroblob(?))", (size,))
                raise _RollBack
        except _RollBack:
            return None
        except StoreError as error:
            return error
        except sqlite3.Error as error:  # anything else SQLite says: a failed write all the same
            return StoreError(f"database {self.path} refused a write: {error}")

    async def backup(self, dest: Path) -> None:
        """Copy the database to ``dest`` with SQLite's online backup API.

        Safe while other connections write: the copy is a consistent snapshot. The copy is
        written next to ``dest`` and renamed over it, so ``dest`` is never a partial file.
        """
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".tmp")
        async with self._lock:
            db = self._require_db()
            with suppress(FileNotFoundError):
                tmp.unlink()
            try:
                target = await aiosqlite.connect(tmp)
                try:
                    await db.backup(target)
                finally:
                    await target.close()
            except sqlite3.Error as exc:
                with suppress(FileNotFoundError):
                    tmp.unlink()
                self._raise(exc)
            for suffix in ("-wal", "-shm"):
                # A stale WAL left beside an older copy would be replayed onto the new one.
                with suppress(FileNotFoundError):
                    dest.with_name(dest.name + suffix).unlink()
            os.replace(tmp, dest)

    # ------------------------------------------------------------------------------ migrations

    async def _applied(self, conn: StoreConnection) -> list[AppliedMigration]:
        rows = await conn._fetchall(
            "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
        )
        return [
            AppliedMigration(r["version"], r["name"], r["checksum"], r["applied_at"]) for r in rows
        ]

    async def _verify(self) -> list[MigrationFile]:
        files = discover_migrations(self.migrations_dir)
        async with self.transaction(write=False) as conn:
            applied = await self._applied(conn)
        return verify_migrations(files, applied, self.migrations_dir)

    async def pending_migrations(self) -> list[str]:
        """Names of the migration files not yet applied, in order."""
        return [f.name for f in await self._verify()]

    async def migrate(self) -> list[str]:
        """Apply pending migrations in order, each in one transaction; return their names.

        A failing file is rolled back completely (earlier files stay applied) and raises
        :class:`MigrationError` naming the file and statement. Re-running is a no-op.
        """
        files = discover_migrations(self.migrations_dir)
        applied_names: list[str] = []
        async with self.transaction(write=False) as conn:
            applied = await self._applied(conn)
        pending = verify_migrations(files, applied, self.migrations_dir)
        # Split every pending file first: a malformed one stops the run before anything applies.
        plans = [(file, split_statements(file.sql, name=file.name)) for file in pending]
        for file, statements in plans:
            async with self.transaction() as conn:
                # Another process may have applied it while we waited for the lock.
                done = await conn._fetchone(
                    "SELECT checksum FROM schema_migrations WHERE version = ?",
                    (file.version,),
                )
                if done is not None:
                    continue
                for statement in statements:
                    try:
                        await conn._execute(statement.sql)
                    except sqlite3.Error as exc:
                        raise MigrationError(
                            f"migration {file.name} failed at line {statement.line} and was "
                            f"rolled back; the database is as before this file: {exc}"
                        ) from exc
                await conn._execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                    "VALUES (?, ?, ?, ?)",
                    (file.version, file.name, file.checksum, iso(self._clock())),
                )
            log.info("database %s: applied migration %s", self.path, file.name)
            applied_names.append(file.name)
        return applied_names

    async def status(self) -> list[MigrationStatus]:
        """Every migration on disk or recorded: when it was applied and whether it is intact."""
        files = {f.version: f for f in discover_migrations(self.migrations_dir)}
        async with self.transaction(write=False) as conn:
            applied = {a.version: a for a in await self._applied(conn)}
        result: list[MigrationStatus] = []
        for version in sorted(files.keys() | applied.keys()):
            file = files.get(version)
            row = applied.get(version)
            if row is None:
                assert file is not None
                result.append(MigrationStatus(version, file.name, None, True))
                continue
            problem: str | None = None
            if file is None:
                problem = "file missing"
            elif file.name != row.name:
                problem = f"renamed to {file.name}"
            elif file.checksum != row.checksum:
                problem = "file changed after it was applied"
            result.append(
                MigrationStatus(
                    version, row.name, parse_ts(row.applied_at), problem is None, problem
                )
            )
        return result
