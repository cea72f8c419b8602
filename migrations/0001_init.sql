-- 0001_init: the daily digest's storage.
--
-- guild_digest_settings  one row per guild that set up the digest: where (channel), when
--                        (post_time 'HH:MM' in an IANA timezone) and in which language. A digest
--                        that can no longer post is disabled with a reason code and kept, never
--                        deleted, so fixing the channel or permissions brings it back as it was.
-- digest_quote_state     where each guild is in its walk through the quotes: the current cycle,
--                        the seed of that cycle's order, and the quote the cycle must not open
--                        with (the previous cycle's last one).
-- digest_cycle_posts     which quotes each cycle has posted, in order (id), each at most once.
-- digest_posts           the post log: at most one row per guild and guild-local date. A row is
--                        claimed before sending, so a restart or reconnect never posts twice.
--
-- Timestamps are UTC ISO-8601 text written by the application; ids are Discord snowflakes.
-- The post log and quote cycles deliberately have no foreign key to the settings: deleting
-- or re-creating a guild's settings must not forget what was already posted.

CREATE TABLE guild_digest_settings (
    guild_id        INTEGER NOT NULL PRIMARY KEY CHECK (guild_id > 0),
    channel_id      INTEGER NOT NULL CHECK (channel_id > 0),
    post_time       TEXT    NOT NULL
                    CHECK (post_time GLOB '[0-2][0-9]:[0-5][0-9]' AND post_time <= '23:59'),
    timezone        TEXT    NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    language        TEXT    NOT NULL CHECK (language IN ('zh', 'en')),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- A code such as channel_missing, missing_access, missing_permissions, admin.
    disabled_reason TEXT    CHECK (disabled_reason GLOB '[a-z]*'
                                   AND NOT disabled_reason GLOB '*[^a-z_]*'
                                   AND length(disabled_reason) <= 64),
    disabled_at     TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    CHECK ((enabled = 1 AND disabled_reason IS NULL AND disabled_at IS NULL)
        OR (enabled = 0 AND disabled_reason IS NOT NULL AND disabled_at IS NOT NULL))
);

CREATE INDEX guild_digest_settings_enabled ON guild_digest_settings (enabled, guild_id);

CREATE TABLE digest_quote_state (
    guild_id    INTEGER NOT NULL PRIMARY KEY CHECK (guild_id > 0),
    cycle       INTEGER NOT NULL CHECK (cycle >= 1),
    seed        TEXT    NOT NULL CHECK (length(seed) > 0),
    avoid_first TEXT,
    started_at  TEXT    NOT NULL
);

CREATE TABLE digest_cycle_posts (
    id        INTEGER NOT NULL PRIMARY KEY,
    guild_id  INTEGER NOT NULL REFERENCES digest_quote_state (guild_id) ON DELETE CASCADE,
    cycle     INTEGER NOT NULL CHECK (cycle >= 1),
    quote_id  TEXT    NOT NULL CHECK (length(quote_id) > 0),
    posted_at TEXT    NOT NULL,
    UNIQUE (guild_id, cycle, quote_id)
);

CREATE TABLE digest_posts (
    id            INTEGER NOT NULL PRIMARY KEY,
    guild_id      INTEGER NOT NULL CHECK (guild_id > 0),
    local_date    TEXT    NOT NULL CHECK (date(local_date, '+0 days') IS local_date),
    status        TEXT    NOT NULL CHECK (status IN ('claimed', 'posted', 'skipped', 'failed')),
    quote_id      TEXT,
    channel_id    INTEGER CHECK (channel_id > 0),
    message_id    INTEGER CHECK (message_id > 0),
    reason        TEXT    CHECK (length(reason) BETWEEN 1 AND 500),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    scheduled_for TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (guild_id, local_date),
    CHECK (status <> 'posted' OR message_id IS NOT NULL),
    CHECK (status NOT IN ('skipped', 'failed') OR reason IS NOT NULL)
);
