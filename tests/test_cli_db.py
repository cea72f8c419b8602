"""`summitbot db migrate|status|backup` on real SQLite files."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import DEFAULT_MIGRATIONS_DIR, Store

MIGRATIONS = sorted(p.name for p in DEFAULT_MIGRATIONS_DIR.glob("[0-9]*.sql"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["db", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "summitbot.db"


def test_migrate_applies_lists_and_is_idempotent(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "migrate", "--database", str(db))
    assert (code, err) == (0, "")
    assert db.is_file()
    assert f"applied {len(MIGRATIONS)} migration" in out
    for name in MIGRATIONS:
        assert name in out
    assert out.count(" applied ") == len(MIGRATIONS)

    code, out, _ = run(capsys, "migrate", "--database", str(db))
    assert code == 0
    assert "already up to date" in out


def test_status_of_a_migrated_database(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "migrate", "--database", str(db))
    code, out, err = run(capsys, "status", "--database", str(db))
    assert (code, err) == (0, "")
    assert "up to date" in out
    assert "0001_init.sql" in out
    assert "pending" not in out.splitlines()[2]


def test_status_shows_pending_and_changed(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "migrate", "--database", str(db))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = ? WHERE version = 1", ("0" * 64,))
    code, out, _ = run(capsys, "status", "--database", str(db))
    assert code == 1
    assert "CHANGED: file changed after it was applied" in out
    assert "refuse to start" in out

    code, _, err = run(capsys, "migrate", "--database", str(db))
    assert code == 1
    assert err.startswith("summitbot: ")
    assert err.count("\n") == 1, "one line"
    assert "0001_init.sql" in err

    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM schema_migrations")
    code, out, _ = run(capsys, "status", "--database", str(db))
    assert code == 0
    assert "pending" in out
    assert "run `summitbot db migrate`" in out


def test_missing_database_is_not_created_by_status_or_backup(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (("status",), ("backup", str(tmp_path / "copy.db"))):
        code, out, err = run(capsys, *argv, "--database", str(db))
        assert code == 1
        assert out == ""
        assert "no database at" in err
        assert err.count("\n") == 1
    assert not db.exists()


def test_corrupt_database_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database, just some text that is long enough" * 40)
    for argv in (("status",), ("migrate",), ("backup", str(tmp_path / "copy.db"))):
        code, _, err = run(capsys, *argv, "--database", str(bad))
        assert code == 1, argv
        assert err.startswith("summitbot: database")
        assert "not a valid SQLite database" in err
        assert err.count("\n") == 1
        assert "Traceback" not in err


def test_locked_database_is_one_clear_line(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "migrate", "--database", str(db))
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        code, _, err = run(capsys, "migrate", "--database", str(db), "--wait", "0.1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    assert "is locked" in err
    assert err.count("\n") == 1


async def test_backup_while_the_bot_writes(db: Path, tmp_path: Path) -> None:
    store = await Store.open(db)
    await store.migrate()
    dest = tmp_path / "backups" / "copy.db"
    stop = asyncio.Event()

    async def bot_writes() -> int:
        """Short write transactions, as the running bot makes them."""
        guild = 0
        while not stop.is_set() or guild < 20:
            guild += 1
            await store.upsert_settings(
                guild, channel_id=2, post_time=time(9, 0), timezone="UTC", language="en"
            )
            await asyncio.sleep(0)
        return guild

    writer = asyncio.create_task(bot_writes())
    try:
        code = await asyncio.to_thread(main, ["db", "backup", str(dest), "--database", str(db)])
    finally:
        stop.set()
        written = await writer
        await store.close()
    assert code == 0
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = [row[0] for row in conn.execute("SELECT guild_id FROM guild_digest_settings")]
    # A consistent snapshot: some prefix of the writes, each one whole.
    assert ids == list(range(1, len(ids) + 1))
    assert len(ids) <= written
    copy = await Store.open(dest)
    try:
        assert await copy.pending_migrations() == []
    finally:
        await copy.close()


def test_backup_refuses_to_overwrite_the_database(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "migrate", "--database", str(db))
    code, _, err = run(capsys, "backup", str(db), "--database", str(db))
    assert code == 1
    assert "another file" in err


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("a-file/copy.db", "{dest.parent} is not a directory"),
        ("a-file/sub/copy.db", "cannot create the folder {dest.parent}: Not a directory"),
        ("a-folder", "it is a directory; give a file name"),
    ],
)
def test_backup_to_an_unusable_destination_names_the_destination(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, expected: str
) -> None:
    run(capsys, "migrate", "--database", str(db))
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    dest = tmp_path / where
    code, out, err = run(capsys, "backup", str(dest), "--database", str(db))
    assert code == 1
    assert out == ""
    assert err == f"summitbot: cannot write the backup to {dest}: {expected.format(dest=dest)}\n"
    assert str(db) not in err


def test_a_database_path_sqlite_cannot_open_is_one_line_without_thread_noise(
    tmp_path: Path,
) -> None:
    # aiosqlite's worker thread used to report a failed connect after asyncio.run had closed
    # the loop: "Exception in thread ... RuntimeError: Event loop is closed" on stderr.
    folder = tmp_path / "folder.db"
    folder.mkdir()
    for _ in range(3):  # the leftover thread raced the interpreter's exit
        proc = subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "migrate", "--database", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 1
        assert proc.stderr == (
            f"summitbot: cannot open database {folder}: unable to open database file\n"
        )
