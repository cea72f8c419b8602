"""Errors the store raises; every message names the database or migration file involved."""

from __future__ import annotations

__all__ = ["MigrationError", "StoreError", "StoreLockedError", "StoreUnwritableError"]


class StoreError(Exception):
    """The database cannot be used: not SQLite, corrupt, closed, or otherwise unusable."""


class StoreLockedError(StoreError):
    """Another connection held the database lock for longer than the busy timeout."""


class StoreUnwritableError(StoreError):
    """The database refuses writes: the file or its folder is read-only, or the disk (or the
    database's page limit) is full. Reads may still work; writes will again once fixed."""


class MigrationError(StoreError):
    """The migrations on disk and the ones recorded in the database disagree, or one failed."""
