"""Which tables hold each kind of recipient's digest: guilds and users have their own settings,
quote cycles and post log (migration 0004), with the same columns, so one set of queries
serves both. Table names come from this map only, never from input."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store._models import RecipientKind

__all__ = ["Tables", "tables"]


@dataclass(frozen=True, slots=True)
class Tables:
    key: str  # the recipient's id column
    settings: str
    posts: str
    state: str
    cycle_posts: str


_TABLES = {
    RecipientKind.GUILD: Tables(
        "guild_id",
        "guild_digest_settings",
        "digest_posts",
        "digest_quote_state",
        "digest_cycle_posts",
    ),
    RecipientKind.USER: Tables(
        "user_id",
        "user_digest_settings",
        "user_digest_posts",
        "user_digest_quote_state",
        "user_digest_cycle_posts",
    ),
}


def tables(kind: RecipientKind) -> Tables:
    return _TABLES[RecipientKind(kind)]
