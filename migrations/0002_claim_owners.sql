-- 0002_claim_owners: every digest claim names the process that holds it, and every running
-- process keeps a lease, so a claim left by a dead process is settled as soon as its lease
-- runs out instead of after a fixed 15 minutes.
--
-- digest_instances         one row per running bot process: a random instance id chosen at
--                          start and the time its lease runs out. A live process renews the
--                          lease well before then; a clean stop deletes the row. A claim whose
--                          owner has no row, or an expired lease, belongs to a dead process.
-- digest_posts.claimed_by  the instance that claimed (or took over) the row. NULL for rows
--                          written before this migration: such a claim counts as abandoned
--                          once it is 15 minutes old, as before.
-- digest_posts_claimed     finds the (few) rows still claimed without scanning the post log.

CREATE TABLE digest_instances (
    instance_id TEXT NOT NULL PRIMARY KEY CHECK (length(instance_id) BETWEEN 1 AND 64),
    started_at  TEXT NOT NULL,
    lease_until TEXT NOT NULL
);

ALTER TABLE digest_posts
    ADD COLUMN claimed_by TEXT CHECK (length(claimed_by) BETWEEN 1 AND 64);

CREATE INDEX digest_posts_claimed ON digest_posts (guild_id, local_date)
    WHERE status = 'claimed';
