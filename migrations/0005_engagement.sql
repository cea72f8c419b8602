-- 0005_engagement: conversation around the daily post, and the "who said it?" game.
--
-- guild_digest_settings.thread          1: open a public thread on each daily post.
-- guild_digest_settings.role_id         the opt-in role each post mentions (and only it), with
--                                       a "Notify me" button; NULL: no mention.
-- guild_digest_settings.mode            'quote' (a plain quote) or 'whosaid' (a round).
-- guild_digest_settings.thread_problem  why the latest post's thread was not opened (a code:
--                                       missing_permissions, channel_unsupported, rejected);
--                                       NULL when it was, or when threads are off.
-- whosaid_rounds   one row per "who said it?" round: a daily round (guild_id + local_date,
--                  at most one per guild and date, so retries reuse it) or a /whosaid play
--                  round (local_date NULL). guild_id 0: a round outside any guild. A round
--                  stays answerable forever: its buttons carry the round id.
-- whosaid_answers  each person's one answer per round.
-- whosaid_scores   per scope (a guild id, or 0 for rounds outside guilds) and user: answers,
--                  right answers, the current and the best streak of right answers.

ALTER TABLE guild_digest_settings
    ADD COLUMN thread INTEGER NOT NULL DEFAULT 0 CHECK (thread IN (0, 1));

ALTER TABLE guild_digest_settings
    ADD COLUMN role_id INTEGER CHECK (role_id > 0);

ALTER TABLE guild_digest_settings
    ADD COLUMN mode TEXT NOT NULL DEFAULT 'quote' CHECK (mode IN ('quote', 'whosaid'));

ALTER TABLE guild_digest_settings
    ADD COLUMN thread_problem TEXT CHECK (length(thread_problem) BETWEEN 1 AND 64);

CREATE TABLE whosaid_rounds (
    id          INTEGER NOT NULL PRIMARY KEY,
    guild_id    INTEGER NOT NULL CHECK (guild_id >= 0),
    channel_id  INTEGER CHECK (channel_id > 0),
    message_id  INTEGER CHECK (message_id > 0),
    quote_id    TEXT    NOT NULL CHECK (length(quote_id) > 0),
    local_date  TEXT    CHECK (local_date IS NULL OR date(local_date, '+0 days') IS local_date),
    created_at  TEXT    NOT NULL
);

CREATE UNIQUE INDEX whosaid_rounds_daily ON whosaid_rounds (guild_id, local_date)
    WHERE local_date IS NOT NULL;

CREATE TABLE whosaid_answers (
    round_id    INTEGER NOT NULL REFERENCES whosaid_rounds (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL CHECK (user_id > 0),
    speaker_id  TEXT    NOT NULL CHECK (length(speaker_id) > 0),
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    answered_at TEXT    NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

CREATE TABLE whosaid_scores (
    scope_id       INTEGER NOT NULL CHECK (scope_id >= 0),
    user_id        INTEGER NOT NULL CHECK (user_id > 0),
    answers        INTEGER NOT NULL DEFAULT 0 CHECK (answers >= 0),
    correct        INTEGER NOT NULL DEFAULT 0 CHECK (correct >= 0 AND correct <= answers),
    streak         INTEGER NOT NULL DEFAULT 0 CHECK (streak >= 0),
    best_streak    INTEGER NOT NULL DEFAULT 0 CHECK (best_streak >= streak),
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (scope_id, user_id)
);

CREATE INDEX whosaid_scores_top ON whosaid_scores (scope_id, correct DESC, best_streak DESC);
