"""Numbered SQL migration files: discovery, checksums, statement splitting, verification.

Files are named ``NNNN_name.sql`` and applied in version order, each in one transaction. The
runner cannot use ``executescript`` (it commits before running), so it splits a file into
statements itself with :func:`sqlite3.complete_statement`, which understands string literals,
comments and trigger bodies.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.store._errors import MigrationError

__all__ = [
    "AppliedMigration",
    "MigrationFile",
    "Statement",
    "discover_migrations",
    "split_statements",
    "verify_migrations",
]

_NAME_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_TRANSACTION_RE = re.compile(r"^(BEGIN|COMMIT|END|ROLLBACK)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MigrationFile:
    version: int
    name: str
    path: Path
    checksum: str  # sha256 of the file's bytes, hex
    sql: str


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    version: int
    name: str
    checksum: str
    applied_at: str


@dataclass(frozen=True, slots=True)
class Statement:
    line: int  # 1-based line of the statement's first character in its file
    sql: str


def discover_migrations(directory: Path) -> list[MigrationFile]:
    """Every ``NNNN_name.sql`` in ``directory``, by version; other ``.sql`` names are errors."""
    if not directory.is_dir():
        raise MigrationError(f"migrations directory {directory} does not exist")
    files: dict[int, MigrationFile] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME_RE.match(path.name)
        if match is None:
            raise MigrationError(
                f"migration file {path} is not named NNNN_name.sql "
                "(four digits, underscore, lowercase name)"
            )
        version = int(match.group(1))
        if version in files:
            raise MigrationError(
                f"migrations {files[version].name} and {path.name} share version {version:04d}"
            )
        data = path.read_bytes()
        try:
            sql = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MigrationError(f"migration {path.name} is not valid UTF-8: {exc}") from exc
        files[version] = MigrationFile(
            version=version,
            name=path.name,
            path=path,
            checksum=hashlib.sha256(data).hexdigest(),
            sql=sql,
        )
    return [files[v] for v in sorted(files)]


def _skip_comments(text: str) -> str:
    """``text`` without leading whitespace and SQL comments."""
    rest = text.lstrip()
    while True:
        if rest.startswith("--"):
            newline = rest.find("\n")
            rest = "" if newline < 0 else rest[newline + 1 :].lstrip()
        elif rest.startswith("/*"):
            end = rest.find("*/")
            rest = "" if end < 0 else rest[end + 2 :].lstrip()
        else:
            return rest


def split_statements(sql: str, *, name: str = "<sql>") -> list[Statement]:
    """Split a migration into complete statements; comment-only pieces are dropped.

    Rejects transaction control (the runner owns the transaction) and a trailing statement
    without its terminating semicolon.
    """
    statements: list[Statement] = []
    buffer = ""
    buffer_line = 1
    line = 1
    for piece in sql.split(";")[:-1]:
        if not buffer:
            buffer_line = line
        buffer += piece + ";"
        line += piece.count("\n")
        if sqlite3.complete_statement(buffer):
            _add(statements, buffer, buffer_line, name)
            buffer = ""
    tail = sql.split(";")[-1]
    if not buffer:
        buffer_line = line
    buffer += tail
    if _skip_comments(buffer):
        raise MigrationError(
            f"migration {name}: the statement starting at line "
            f"{buffer_line + _leading_newlines(buffer)} is not terminated by a semicolon"
        )
    return statements


def _leading_newlines(text: str) -> int:
    stripped = _skip_comments(text)
    return text[: len(text) - len(stripped)].count("\n")


def _add(statements: list[Statement], text: str, line: int, name: str) -> None:
    body = _skip_comments(text)
    if body in {"", ";"}:
        return
    first_line = line + _leading_newlines(text)
    if _TRANSACTION_RE.match(body):
        raise MigrationError(
            f"migration {name}, line {first_line}: transaction control "
            f"({body.split()[0].rstrip(';').upper()}) is not allowed; "
            "each file already runs in one transaction"
        )
    statements.append(Statement(first_line, text.strip()))


def verify_migrations(
    files: Sequence[MigrationFile], applied: Iterable[AppliedMigration], directory: Path
) -> list[MigrationFile]:
    """Check applied migrations against the files; return the pending files in order.

    Raises :class:`MigrationError` naming the file when an applied file is missing, renamed or
    edited, or when a new file sorts before the latest applied one (migrations are forward-only).
    """
    by_version = {f.version: f for f in files}
    applied_list = sorted(applied, key=lambda a: a.version)
    for row in applied_list:
        file = by_version.get(row.version)
        if file is None:
            raise MigrationError(
                f"applied migration {row.name} is missing from {directory}; "
                "restore it (applied migrations must never be removed)"
            )
        if file.name != row.name:
            raise MigrationError(
                f"applied migration {row.name} was renamed to {file.name} in {directory}; "
                "restore the original name"
            )
        if file.checksum != row.checksum:
            raise MigrationError(
                f"applied migration {file.path} was changed after it was applied "
                f"(sha256 {row.checksum[:12]}… recorded, {file.checksum[:12]}… on disk); "
                "restore the original and put the change in a new numbered migration"
            )
    applied_versions = {row.version for row in applied_list}
    pending = [f for f in files if f.version not in applied_versions]
    if applied_list and pending and pending[0].version < applied_list[-1].version:
        raise MigrationError(
            f"migration {pending[0].name} is numbered before the latest applied migration "
            f"{applied_list[-1].name}; renumber it after {applied_list[-1].version:04d}"
        )
    return pending
