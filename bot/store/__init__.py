"""SQLite storage for summitbot: connection, migrations and every SQL statement. No discord."""

from bot.store._base import StoreConnection
from bot.store._errors import (
    MigrationError,
    StoreError,
    StoreLockedError,
    StoreUnwritableError,
)
from bot.store._models import (
    AnswerOutcome,
    CycleState,
    DigestMode,
    DisableReason,
    GuildSettings,
    MigrationStatus,
    PostRecord,
    PostStatus,
    Reason,
    RecipientKind,
    Round,
    Score,
    ThreadProblem,
    UserSettings,
)
from bot.store._store import DEFAULT_MIGRATIONS_DIR, Store
from bot.store._whosaid import OUTSIDE_GUILDS

__all__ = [
    "DEFAULT_MIGRATIONS_DIR",
    "OUTSIDE_GUILDS",
    "AnswerOutcome",
    "CycleState",
    "DigestMode",
    "DisableReason",
    "GuildSettings",
    "MigrationError",
    "MigrationStatus",
    "PostRecord",
    "PostStatus",
    "Reason",
    "RecipientKind",
    "Round",
    "Score",
    "Store",
    "StoreConnection",
    "StoreError",
    "StoreLockedError",
    "StoreUnwritableError",
    "ThreadProblem",
    "UserSettings",
]
