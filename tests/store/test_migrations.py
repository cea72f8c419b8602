"""The migration runner: ordered, checksummed, one transaction per file, never half-applied."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.store import DEFAULT_MIGRATIONS_DIR, MigrationError, Reason, Store
from bot.store._migrations import split_statements

TABLES = {"guild_digest_settings", "digest_quote_state", "digest_cycle_posts", "digest_posts"}


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


def applied(path: Path) -> list[tuple[int, str, str]]:
    with sqlite3.connect(path) as raw:
        return raw.execute(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version"
        ).fetchall()


def shipped(migrations_dir: Path) -> list[str]:
    """Every migration file shipped, in order (numbers may have gaps while branches merge)."""
    return sorted(p.name for p in migrations_dir.glob("*.sql"))


async def test_fresh_migrate_applies_init(db_path: Path, migrations_dir: Path) -> None:
    store = await Store.open(db_path, migrations_dir=migrations_dir)
    names = shipped(migrations_dir)
    assert names == [
        "0001_init.sql",
        "0002_claim_owners.sql",
        "0003_reason_details.sql",
        "0004_personal_digest.sql",
        "0005_engagement.sql",
    ]
    assert await store.pending_migrations() == names
    assert await store.migrate() == names
    await store.close()
    assert tables(db_path) >= TABLES | {"schema_migrations", "digest_instances"}
    digests = [hashlib.sha256((migrations_dir / n).read_bytes()).hexdigest() for n in names]
    assert applied(db_path) == [
        (int(names[n][:4]), names[n], digests[n]) for n in range(len(names))
    ]


async def test_open_creates_directories_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "c.sqlite3"
    store = await Store.open(path)
    await store.close()
    assert path.is_file()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_rerun_is_a_noop(db_path: Path, migrations_dir: Path) -> None:
    store = await Store.open(db_path, migrations_dir=migrations_dir)
    await store.migrate()
    before = applied(db_path)
    assert await store.migrate() == []
    await store.close()
    again = await Store.open(db_path, migrations_dir=migrations_dir)
    assert await again.migrate() == []
    status = await again.status()
    await again.close()
    assert applied(db_path) == before
    assert [(s.name, s.checksum_ok, s.applied_at is not None) for s in status] == [
        (name, True, True) for name in shipped(migrations_dir)
    ]


async def test_new_migration_applies_later(db_path: Path, migrations_dir: Path) -> None:
    store = await Store.open(db_path, migrations_dir=migrations_dir)
    await store.migrate()
    (migrations_dir / "0099_extra.sql").write_text(
        "-- 0099_extra: a test table.\nCREATE TABLE extra (id INTEGER PRIMARY KEY);\n"
    )
    status = await store.status()
    assert [(s.name, s.applied_at is None) for s in status] == [
        *((name, False) for name in shipped(migrations_dir) if name != "0099_extra.sql"),
        ("0099_extra.sql", True),
    ]
    assert await store.migrate() == ["0099_extra.sql"]
    await store.close()
    assert "extra" in tables(db_path)


async def test_edited_applied_migration_is_refused(db_path: Path, migrations_dir: Path) -> None:
    store = await Store.open(db_path, migrations_dir=migrations_dir)
    await store.migrate()
    await store.close()
    init = migrations_dir / "0001_init.sql"
    init.write_text(init.read_text() + "\n-- an innocent-looking edit\n")
    with pytest.raises(MigrationError, match=r"0001_init\.sql was changed after it was applied"):
        await Store.open(db_path, migrations_dir=migrations_dir)
    # `db status` can still look, without verification.
    looking = await Store.open(db_path, migrations_dir=migrations_dir, verify=False)
    status = await looking.status()
    with pytest.raises(MigrationError, match="changed"):
        await looking.migrate()
    await looking.close()
    assert [(s.checksum_ok, s.problem) for s in status] == [
        (False, "file changed after it was applied"),
        *((True, None) for _ in shipped(migrations_dir)[1:]),
    ]


async def test_missing_applied_migration_is_refused(db_path: Path, migrations_dir: Path) -> None:
    store = await Store.open(db_path, migrations_dir=migrations_dir)
    await store.migrate()
    await store.close()
    (migrations_dir / "0001_init.sql").unlink()
    with pytest.raises(MigrationError, match=r"applied migration 0001_init\.sql is missing"):
        await Store.open(db_path, migrations_dir=migrations_dir)
    looking = await Store.open(db_path, migrations_dir=migrations_dir, verify=False)
    status = await looking.status()
    await looking.close()
    assert [(s.name, s.checksum_ok, s.problem) for s in status] == [
        ("0001_init.sql", False, "file missing"),
        *((name, True, None) for name in shipped(migrations_dir)),
    ]


async def test_renamed_applied_migration_is_refused(db_path: Path, migrations_dir: Path) -> None:
    store = await Store.open(db_path, migrations_dir=migrations_dir)
    await store.migrate()
    await store.close()
    (migrations_dir / "0001_init.sql").rename(migrations_dir / "0001_start.sql")
    with pytest.raises(MigrationError, match=r"0001_init\.sql was renamed to 0001_start\.sql"):
        await Store.open(db_path, migrations_dir=migrations_dir)


async def test_migration_numbered_before_applied_is_refused(tmp_path: Path) -> None:
    mig = tmp_path / "mig"
    mig.mkdir()
    (mig / "0001_a.sql").write_text("CREATE TABLE a (id INTEGER);\n")
    (mig / "0003_c.sql").write_text("CREATE TABLE c (id INTEGER);\n")
    db = tmp_path / "db.sqlite3"
    store = await Store.open(db, migrations_dir=mig)
    assert await store.migrate() == ["0001_a.sql", "0003_c.sql"]
    await store.close()
    (mig / "0002_b.sql").write_text("CREATE TABLE b (id INTEGER);\n")
    with pytest.raises(MigrationError, match=r"0002_b\.sql is numbered before .*0003_c\.sql"):
        await Store.open(db, migrations_dir=mig)


async def test_failing_migration_leaves_nothing_half_applied(tmp_path: Path) -> None:
    mig = tmp_path / "bad-migrations"
    mig.mkdir()
    (mig / "0001_good.sql").write_text("-- good\nCREATE TABLE good (id INTEGER PRIMARY KEY);\n")
    (mig / "0002_bad.sql").write_text(
        "-- creates a table and a row, then fails\n"
        "CREATE TABLE half (id INTEGER PRIMARY KEY, v TEXT NOT NULL);\n"
        "INSERT INTO good (id) VALUES (1);\n"
        "INSERT INTO half (id, v) VALUES (1, 'x;y');\n"
        "\n"
        "INSERT INTO half (id, v) VALUES (2, NULL);\n"
    )
    db = tmp_path / "db.sqlite3"
    store = await Store.open(db, migrations_dir=mig)
    with pytest.raises(MigrationError, match=r"0002_bad\.sql failed at line 6 and was rolled back"):
        await store.migrate()
    assert await store.pending_migrations() == ["0002_bad.sql"]
    await store.close()
    assert "half" not in tables(db)
    assert [row[1] for row in applied(db)] == ["0001_good.sql"]
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM good").fetchone()[0] == 0
    # An unapplied file may be fixed; then it applies.
    (mig / "0002_bad.sql").write_text("CREATE TABLE half (id INTEGER PRIMARY KEY);\n")
    store = await Store.open(db, migrations_dir=mig)
    assert await store.migrate() == ["0002_bad.sql"]
    await store.close()
    assert "half" in tables(db)


async def test_syntax_error_rolls_back_too(tmp_path: Path) -> None:
    mig = tmp_path / "mig"
    mig.mkdir()
    (mig / "0001_oops.sql").write_text("CREATE TABLE t (id INTEGER);\nCREAT TABLE u (id);\n")
    db = tmp_path / "db.sqlite3"
    store = await Store.open(db, migrations_dir=mig)
    with pytest.raises(MigrationError, match=r"0001_oops\.sql failed at line 2.*syntax error"):
        await store.migrate()
    await store.close()
    assert tables(db) == {"schema_migrations"}


async def test_malformed_file_stops_before_anything_applies(tmp_path: Path) -> None:
    mig = tmp_path / "mig"
    mig.mkdir()
    (mig / "0001_fine.sql").write_text("CREATE TABLE fine (id INTEGER);\n")
    (mig / "0002_txn.sql").write_text("BEGIN;\nCREATE TABLE x (id INTEGER);\nCOMMIT;\n")
    db = tmp_path / "db.sqlite3"
    store = await Store.open(db, migrations_dir=mig)
    with pytest.raises(MigrationError, match=r"0002_txn\.sql, line 1: transaction control"):
        await store.migrate()
    await store.close()
    assert tables(db) == {"schema_migrations"}


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["1_init.sql"], "is not named NNNN_name.sql"),
        (["0001_Init.sql"], "is not named NNNN_name.sql"),
        (["0001_a.sql", "0001_b.sql"], "share version 0001"),
    ],
)
async def test_bad_migration_file_names(tmp_path: Path, names: list[str], message: str) -> None:
    mig = tmp_path / "mig"
    mig.mkdir()
    for name in names:
        (mig / name).write_text("CREATE TABLE t (id INTEGER);\n")
    with pytest.raises(MigrationError, match=message):
        await Store.open(tmp_path / "db.sqlite3", migrations_dir=mig)


async def test_missing_migrations_dir(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="does not exist"):
        await Store.open(tmp_path / "db.sqlite3", migrations_dir=tmp_path / "nope")


def test_split_statements_handles_strings_comments_and_triggers() -> None:
    sql = (
        "-- header; with a semicolon\n"
        "CREATE TABLE t (v TEXT DEFAULT 'a;b');\n"
        "/* block; comment */\n"
        "CREATE TRIGGER trg AFTER INSERT ON t BEGIN\n"
        "  UPDATE t SET v = 'x;' WHERE rowid = new.rowid;\n"
        "END;\n"
        "-- trailing comment\n"
    )
    statements = split_statements(sql)
    assert [s.line for s in statements] == [2, 4]
    assert statements[0].sql.endswith("DEFAULT 'a;b');")
    assert statements[1].sql.rstrip().endswith("END;")


def test_split_statements_rejects_unterminated() -> None:
    with pytest.raises(MigrationError, match="line 2 is not terminated"):
        split_statements("CREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER)\n", name="x")


def test_every_migration_has_a_header_comment() -> None:
    files = sorted(DEFAULT_MIGRATIONS_DIR.glob("*.sql"))
    assert files, "no migrations found"
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.match(rf"^-- {re.escape(path.stem)}: \S", first), path.name


async def test_schema_checks_reject_bad_rows(store: Store) -> None:
    now = "2026-01-01T00:00:00+00:00"
    good = (1, 2, "09:00", "Asia/Shanghai", "zh", 1, None, None, now, now)
    bad_settings = [
        (1, 2, "24:00", "Asia/Shanghai", "zh", 1, None, None, now, now),
        (1, 2, "9:00", "Asia/Shanghai", "zh", 1, None, None, now, now),
        (1, 2, "09:00", "Asia/Shanghai", "fr", 1, None, None, now, now),
        (1, 2, "09:00", "Asia/Shanghai", "zh", 0, None, None, now, now),  # disabled, no reason
        (1, 2, "09:00", "Asia/Shanghai", "zh", 0, "Bad Code!", now, now, now),
        (1, 2, "09:00", "Asia/Shanghai", "zh", 1, "admin", now, now, now),  # enabled + reason
        (0, 2, "09:00", "Asia/Shanghai", "zh", 1, None, None, now, now),
    ]
    bad_posts = [
        (1, "2026-02-30", "claimed", None, now),
        (1, "2026-1-5", "claimed", None, now),
        (1, "2026-01-05", "bogus", None, now),
        (1, "2026-01-05", "posted", None, now),  # posted needs a message id
        (1, "2026-01-05", "failed", None, now),  # failed needs a reason
    ]
    with sqlite3.connect(store.path) as raw:
        # Columns named: later migrations add columns (with defaults).
        insert_settings = (
            "INSERT INTO guild_digest_settings (guild_id, channel_id, post_time, timezone,"
            " language, enabled, disabled_reason, disabled_at, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)"
        )
        for row in bad_settings:
            with pytest.raises(sqlite3.IntegrityError):
                raw.execute(insert_settings, row)
        raw.execute(insert_settings, good)
        insert_post = (
            "INSERT INTO digest_posts (guild_id, local_date, status, reason, scheduled_for,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', '')"
        )
        for row in bad_posts:
            with pytest.raises(sqlite3.IntegrityError):
                raw.execute(insert_post, row)
        raw.execute(insert_post, (1, "2026-01-05", "claimed", None, now))
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(insert_post, (1, "2026-01-05", "claimed", None, now))  # one per date
        raw.rollback()


async def test_foreign_keys_are_on(store: Store) -> None:
    async with store.transaction(write=False) as conn:
        row = await conn._fetchone("PRAGMA foreign_keys")
    assert row is not None
    assert row[0] == 1


async def test_0003_splits_old_code_and_detail_reasons(tmp_path: Path) -> None:
    """A database at 0002 with "code: detail" reasons reads back as Reason codes + details."""
    mig = tmp_path / "migrations"
    mig.mkdir()
    for name in ("0001_init.sql", "0002_claim_owners.sql"):
        shutil.copy(DEFAULT_MIGRATIONS_DIR / name, mig / name)
    db = tmp_path / "old.sqlite3"
    store = await Store.open(db, migrations_dir=mig)
    assert await store.migrate() == ["0001_init.sql", "0002_claim_owners.sql"]
    await store.close()
    old = {
        "2026-01-01": ("skipped", "missed: late by 7 h 00 min, beyond the 6 h grace period"),
        "2026-01-02": ("failed", "server_error: HTTP 503 (code 0): Service Unavailable"),
        "2026-01-03": ("failed", "channel_missing: HTTP 404 (code 10003): Unknown Channel"),
        "2026-01-04": ("skipped", "no_quotes: the content packs have no quotes"),
        "2026-01-05": ("skipped", "no_history: interrupted mid-send; a: b"),
        "2026-01-06": ("failed", "rejected"),
        "2026-01-07": ("skipped", "Something free-form: with a colon"),
        "2026-01-08": ("posted", None),
    }
    with sqlite3.connect(db) as raw:
        for day, (status, reason) in old.items():
            raw.execute(
                "INSERT INTO digest_posts (guild_id, local_date, status, quote_id, message_id,"
                " reason, attempts, scheduled_for, created_at, updated_at)"
                " VALUES (1, ?, ?, 'q', 5, ?, 1, 'x', 'x', 'x')",
                (day, status, reason),
            )
    shutil.copy(DEFAULT_MIGRATIONS_DIR / "0003_reason_details.sql", mig)
    store = await Store.open(db, migrations_dir=mig)
    assert await store.migrate() == ["0003_reason_details.sql"]
    await store.close()
    with sqlite3.connect(db) as raw:
        rows = {
            day: (reason, detail)
            for day, reason, detail in raw.execute(
                "SELECT local_date, reason, detail FROM digest_posts"
            )
        }
    assert rows == {
        "2026-01-01": ("missed", "late by 7 h 00 min, beyond the 6 h grace period"),
        "2026-01-02": ("server_error", "HTTP 503 (code 0): Service Unavailable"),
        "2026-01-03": ("channel_missing", "HTTP 404 (code 10003): Unknown Channel"),
        "2026-01-04": ("no_quotes", "the content packs have no quotes"),
        "2026-01-05": ("no_history", "interrupted mid-send; a: b"),
        "2026-01-06": ("rejected", None),
        "2026-01-07": ("unknown", "Something free-form: with a colon"),
        "2026-01-08": (None, None),
    }
    # Every converted code is one the store reads back as a Reason.
    assert {r for r, _ in rows.values() if r is not None} <= {r.value for r in Reason}


async def test_0005_checks_reject_bad_engagement_rows(store: Store) -> None:
    now = "2026-01-01T00:00:00+00:00"
    with sqlite3.connect(store.path) as raw:
        raw.execute(
            "INSERT INTO guild_digest_settings (guild_id, channel_id, post_time, timezone,"
            " language, created_at, updated_at) VALUES (1, 2, '09:00', 'UTC', 'en', ?, ?)",
            (now, now),
        )
        row = raw.execute(
            "SELECT thread, role_id, mode, thread_problem FROM guild_digest_settings"
        ).fetchone()
        assert row == (0, None, "quote", None)  # existing guilds keep a plain quote
        for column, value in (("mode", "poll"), ("thread", 2), ("role_id", 0)):
            with pytest.raises(sqlite3.IntegrityError):
                raw.execute(f"UPDATE guild_digest_settings SET {column} = ?", (value,))
        insert_round = (
            "INSERT INTO whosaid_rounds (guild_id, quote_id, local_date, created_at)"
            " VALUES (?, ?, ?, ?)"
        )
        raw.execute(insert_round, (1, "q", "2026-01-05", now))
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(insert_round, (1, "q2", "2026-01-05", now))  # one daily round a date
        raw.execute(insert_round, (1, "q", None, now))
        raw.execute(insert_round, (1, "q", None, now))  # any number of /whosaid play rounds
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO whosaid_scores (scope_id, user_id, answers, correct, updated_at)"
                " VALUES (1, 5, 1, 2, ?)",
                (now,),
            )
        raw.rollback()
