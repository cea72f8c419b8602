"""Errors the store raises; every message names the database or migration file involved."""

from __future__ import annotations

__all__ = ["MigrationError", "StoreError", "StoreLockedError"]


class StoreError(Exception):
    """The database cannot be used: not SQLite, corrupt, closed, or otherwise unusable."""


class StoreLockedError(StoreError):
    """Another connection held the database lock for longer than the busy timeout."""


class MigrationError(StoreError):
    """The migrations on disk and the ones recorded in the database disagree, or one failed."""
