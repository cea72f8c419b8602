-- 0006_digest_event: a daily digest (a server's or a personal one) may draw from one summit only.
--
-- guild_digest_settings.event_id  the content pack (summit) whose quotes the daily post picks
--                                 from; NULL: every summit (one cycle over the union). A pack
--                                 removed by a content reload leaves the id in place: the post
--                                 then has no quotes to pick until the pack comes back or an
--                                 admin chooses again (`/digest status` says so).

-- user_digest_settings.event_id   the same for a personal digest (`/mydigest set event:`).

ALTER TABLE guild_digest_settings
    ADD COLUMN event_id TEXT CHECK (event_id IS NULL OR length(event_id) BETWEEN 1 AND 64);

ALTER TABLE user_digest_settings
    ADD COLUMN event_id TEXT CHECK (event_id IS NULL OR length(event_id) BETWEEN 1 AND 64);
