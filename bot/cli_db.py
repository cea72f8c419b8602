"""`summitbot db migrate|status|backup PATH`: the database from the command line.

- ``migrate`` applies pending migrations (each in one transaction) and lists every migration;
- ``status`` shows each migration as applied, pending or changed (an applied file edited
  since, which the bot refuses to start with) and exits 1 when one changed or is missing;
- ``backup PATH`` copies the database with SQLite's online backup API: a consistent snapshot,
  safe while the bot is running.

A corrupt, locked or missing database, or a backup destination that cannot be written (named
in the message), is one clear line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.exit_codes import EXIT_OK, EXIT_PROBLEMS
from bot.store import MigrationError, MigrationStatus, Store, StoreError, StoreLockedError
from bot.store._store import DEFAULT_BUSY_TIMEOUT_MS

__all__ = ["probe_database_path", "register_db"]


def register_db(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "db",
        help="database tools: migrate, status, backup",
        description="Apply migrations, show their state, or back up the database.",
    )
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    migrate = actions.add_parser(
        "migrate",
        help="apply pending migrations and list them all",
        description="Apply pending migrations in order, each in one transaction; list them all.",
    )
    _database_option(migrate)
    migrate.set_defaults(func=_handler(_migrate, must_exist=False))

    status = actions.add_parser(
        "status",
        help="show which migrations are applied, pending or changed",
        description=(
            "List every migration as applied (with when), pending, or changed since it was "
            "applied. Exit code 1 when one changed or is missing."
        ),
    )
    _database_option(status)
    status.set_defaults(func=_handler(_status, must_exist=True))

    backup = actions.add_parser(
        "backup",
        help="copy the database to PATH (safe while the bot runs)",
        description=(
            "Copy the database to PATH with SQLite's online backup API: a consistent snapshot, "
            "safe while the bot is running. PATH is replaced atomically."
        ),
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="where to write the copy")
    _database_option(backup)
    backup.set_defaults(func=_handler(_backup, must_exist=True))


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        type=Path,
        metavar="FILE",
        help="database file to use instead of database.path from the config",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_BUSY_TIMEOUT_MS / 1000,
        metavar="SECONDS",
        help="how long to wait for another process's lock (default: %(default)g)",
    )


def _open(path: Path, args: argparse.Namespace, *, verify: bool) -> Awaitable[Store]:
    wait: float = args.wait
    return Store.open(path, verify=verify, busy_timeout_ms=max(0, int(wait * 1000)))


def _database_path(args: argparse.Namespace) -> Path:
    override: Path | None = args.database
    if override is not None:
        return override
    config: Path | None = getattr(args, "config", None)
    return load_settings(config).database.path


def _handler(
    action: Callable[[Path, argparse.Namespace], Coroutine[Any, Any, int]], *, must_exist: bool
) -> Callable[[argparse.Namespace], int]:
    """A synchronous CLI handler running ``action`` and turning store errors into one line.

    With ``must_exist`` a missing database is an error instead of being created empty.
    """

    def run(args: argparse.Namespace) -> int:
        path = _database_path(args)
        if must_exist and not path.is_file():
            _error(
                f"no database at {path} "
                "(it is created by `summitbot run` or `summitbot db migrate`)"
            )
            return EXIT_PROBLEMS
        try:
            return asyncio.run(action(path, args))
        except StoreLockedError as exc:
            _error(f"{exc} — is another process holding a write lock? Try again.")
        except MigrationError as exc:
            _error(str(exc))
        except StoreError as exc:
            _error(str(exc))
        except OSError as exc:
            _error(f"{path}: {exc.strerror or exc}")
        return EXIT_PROBLEMS

    return run


def _error(message: str) -> None:
    print(f"summitbot: {' '.join(message.split())}", file=sys.stderr)


async def _migrate(path: Path, args: argparse.Namespace) -> int:
    store = await _open(path, args, verify=True)
    try:
        applied = await store.migrate()
        rows = await store.status()
    finally:
        await store.close()
    print(f"database: {path}")
    if applied:
        print(f"applied {len(applied)} migration{'s' if len(applied) != 1 else ''}:")
        for name in applied:
            print(f"  {name}")
    else:
        print("already up to date")
    print()
    _print_status(rows)
    return EXIT_OK


async def _status(path: Path, args: argparse.Namespace) -> int:
    # verify=False: show a changed migration instead of refusing to open.
    store = await _open(path, args, verify=False)
    try:
        rows = await store.status()
    finally:
        await store.close()
    print(f"database: {path}")
    _print_status(rows)
    broken = [r for r in rows if r.applied_at is not None and not r.checksum_ok]
    pending = [r for r in rows if r.applied_at is None]
    print()
    if broken:
        print(
            f"{len(broken)} applied migration{'s' if len(broken) != 1 else ''} changed or "
            "missing: the bot will refuse to start until the files match again."
        )
        return EXIT_PROBLEMS
    if pending:
        print(f"{len(pending)} pending: run `summitbot db migrate` (the bot also applies them).")
    else:
        print("up to date")
    return EXIT_OK


async def _backup(path: Path, args: argparse.Namespace) -> int:
    dest: Path = args.path
    same = await asyncio.to_thread(lambda: dest.resolve() == path.resolve())
    if same:
        _error("the backup must go to another file than the database itself")
        return EXIT_PROBLEMS
    problem = await asyncio.to_thread(_unwritable, dest)
    if problem is not None:
        _error(f"cannot write the backup to {dest}: {problem}")
        return EXIT_PROBLEMS
    store = await _open(path, args, verify=False)
    try:
        await store.backup(dest)
    except OSError as exc:  # e.g. the disk filled up while copying
        _error(f"cannot write the backup to {dest}: {exc.strerror or exc}")
        return EXIT_PROBLEMS
    finally:
        await store.close()
    size = (await asyncio.to_thread(dest.stat)).st_size
    print(f"backed up {path} to {dest} ({size:,} bytes)")
    return EXIT_OK


def probe_database_path(path: Path) -> tuple[str, str | None]:
    """Whether the bot can use a database at ``path``, without creating anything.

    Returns (what was found, the problem or None). An existing file must be a regular file
    this user can open for reading and writing; otherwise the nearest existing folder on the
    way must be a folder this user can create files in (SQLite also writes ``-wal`` and
    ``-shm`` files beside the database). Probed by doing it, not by reading permission bits.
    """
    if path.exists():
        if not path.is_file():
            return "exists", "not a file"
        try:
            os.close(os.open(path, os.O_RDWR))
        except OSError as exc:
            return "exists", f"cannot open it for writing: {exc.strerror or exc}"
        folder, state = path.parent, "exists, writable"
    else:
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            return "missing", f"{folder} is not a directory, so the database cannot be created"
        state = (
            "will be created"
            if folder == path.parent
            else f"will be created, with its folder {path.parent}"
        )
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return state, f"cannot create files in {folder}: {exc.strerror or exc}"
    return state, None


def _unwritable(dest: Path) -> str | None:
    """Why a backup cannot be written to ``dest`` (its folder cannot be created or is
    read-only), or None. A missing folder is created, as the backup itself would.

    Probes by creating the temporary file the backup is written to first, so the answer is
    the file system's, not a guess from permission bits.
    """
    folder = dest.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{folder} is not a directory"
    except OSError as exc:
        return f"cannot create the folder {folder}: {exc.strerror or exc}"
    if dest.is_dir():
        return "it is a directory; give a file name"
    probe = dest.with_name(dest.name + ".tmp")
    try:
        probe.open("xb").close()
    except FileExistsError:
        return None  # a leftover of an interrupted backup: the backup replaces it
    except OSError as exc:
        return f"{exc.strerror or exc} (the folder {folder} must be writable by this user)"
    probe.unlink()
    return None


def _state(row: MigrationStatus) -> str:
    if row.applied_at is None:
        return "pending"
    if not row.checksum_ok:
        return f"CHANGED: {row.problem or 'does not match the applied file'}"
    return f"applied {row.applied_at.strftime('%Y-%m-%d %H:%M:%S')} UTC"


def _print_status(rows: list[MigrationStatus]) -> None:
    if not rows:
        print("no migrations")
        return
    table = [("version", "migration", "state")]
    table += [(str(r.version), r.name, _state(r)) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(2)]
    for version, name, state in table:
        print(f"{version.rjust(widths[0])}  {name.ljust(widths[1])}  {state}")
