"""SQLite storage for summitbot: connection, migrations and every SQL statement. No discord."""

from bot.store._base import StoreConnection
from bot.store._errors import (
    MigrationError,
    StoreError,
    StoreLockedError,
    StoreUnwritableError,
)
from bot.store._models import (
    CycleState,
    DisableReason,
    GuildSettings,
    MigrationStatus,
    PostRecord,
    PostStatus,
    Reason,
    RecipientKind,
    UserSettings,
)
from bot.store._store import DEFAULT_MIGRATIONS_DIR, Store

__all__ = [
    "DEFAULT_MIGRATIONS_DIR",
    "CycleState",
    "DisableReason",
    "GuildSettings",
    "MigrationError",
    "MigrationStatus",
    "PostRecord",
    "PostStatus",
    "Reason",
    "RecipientKind",
    "Store",
    "StoreConnection",
    "StoreError",
    "StoreLockedError",
    "StoreUnwritableError",
    "UserSettings",
]
