-- 0004_personal_digest: a personal daily quote by DM (`/mydigest`), kept apart from the server
-- digest but built the same way, so one poster serves both.
--
-- user_digest_settings     one row per user who set up a personal digest: when (post_time 'HH:MM'
--                          in an IANA timezone), in which language, and the id of the DM channel
--                          once it was opened (NULL until then), so a day's post costs one
--                          request. A digest Discord won't deliver (the user closed DMs, 50007)
--                          is paused with a reason code and kept; `/mydigest set` or `now`
--                          resumes it.
-- user_digest_quote_state  where each user is in their walk through the quotes (as
--                          digest_quote_state for guilds).
-- user_digest_cycle_posts  which quotes each user's cycle has sent (as digest_cycle_posts).
-- user_digest_posts        the personal post log: at most one row per user and user-local date,
--                          claimed before sending (as digest_posts, with the same columns).
--
-- No foreign key from the post log or cycles to the settings: deleting a user's settings must
-- not forget what was already sent to them.

CREATE TABLE user_digest_settings (
    user_id         INTEGER NOT NULL PRIMARY KEY CHECK (user_id > 0),
    channel_id      INTEGER CHECK (channel_id > 0),
    post_time       TEXT    NOT NULL
                    CHECK (post_time GLOB '[0-2][0-9]:[0-5][0-9]' AND post_time <= '23:59'),
    timezone        TEXT    NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    language        TEXT    NOT NULL CHECK (language IN ('zh', 'en')),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- A code such as cannot_dm (Discord refused the DM) or user (turned off by the user).
    disabled_reason TEXT    CHECK (disabled_reason GLOB '[a-z]*'
                                   AND NOT disabled_reason GLOB '*[^a-z_]*'
                                   AND length(disabled_reason) <= 64),
    disabled_at     TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    CHECK ((enabled = 1 AND disabled_reason IS NULL AND disabled_at IS NULL)
        OR (enabled = 0 AND disabled_reason IS NOT NULL AND disabled_at IS NOT NULL))
);

CREATE INDEX user_digest_settings_enabled ON user_digest_settings (enabled, user_id);

CREATE TABLE user_digest_quote_state (
    user_id     INTEGER NOT NULL PRIMARY KEY CHECK (user_id > 0),
    cycle       INTEGER NOT NULL CHECK (cycle >= 1),
    seed        TEXT    NOT NULL CHECK (length(seed) > 0),
    avoid_first TEXT,
    started_at  TEXT    NOT NULL
);

CREATE TABLE user_digest_cycle_posts (
    id        INTEGER NOT NULL PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES user_digest_quote_state (user_id) ON DELETE CASCADE,
    cycle     INTEGER NOT NULL CHECK (cycle >= 1),
    quote_id  TEXT    NOT NULL CHECK (length(quote_id) > 0),
    posted_at TEXT    NOT NULL,
    UNIQUE (user_id, cycle, quote_id)
);

CREATE TABLE user_digest_posts (
    id            INTEGER NOT NULL PRIMARY KEY,
    user_id       INTEGER NOT NULL CHECK (user_id > 0),
    local_date    TEXT    NOT NULL CHECK (date(local_date, '+0 days') IS local_date),
    status        TEXT    NOT NULL CHECK (status IN ('claimed', 'posted', 'skipped', 'failed')),
    quote_id      TEXT,
    channel_id    INTEGER CHECK (channel_id > 0),
    message_id    INTEGER CHECK (message_id > 0),
    reason        TEXT    CHECK (length(reason) BETWEEN 1 AND 500),
    detail        TEXT    CHECK (length(detail) BETWEEN 1 AND 500),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    scheduled_for TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    claimed_by    TEXT    CHECK (length(claimed_by) BETWEEN 1 AND 64),
    UNIQUE (user_id, local_date),
    CHECK (status <> 'posted' OR message_id IS NOT NULL),
    CHECK (status NOT IN ('skipped', 'failed') OR reason IS NOT NULL)
);

CREATE INDEX user_digest_posts_claimed ON user_digest_posts (user_id, local_date)
    WHERE status = 'claimed';
