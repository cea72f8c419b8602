-- 0003_reason_details: a post-log row's reason is a code, and what happened is a separate
-- detail column; before, both were one "code: detail" string that every reader took apart.
--
-- digest_posts.reason  the reason code alone (bot.store.Reason): missed, interrupted,
--                      unverified, no_history, no_quotes, server_error, rejected, or the code
--                      of the failure that disabled the digest (channel_missing, ...).
-- digest_posts.detail  what happened, for operators (e.g. "HTTP 503 (code 0): ..."); NULL
--                      when the code says it all.
--
-- Existing rows are split at the first colon. A reason that does not start with a known code
-- (none is written that way, but a hand-edited database may hold one) becomes the code
-- 'unknown' with its whole text as the detail, so every row reads back as a known code.

ALTER TABLE digest_posts
    ADD COLUMN detail TEXT CHECK (length(detail) BETWEEN 1 AND 500);

UPDATE digest_posts
SET detail = nullif(trim(substr(reason, instr(reason, ':') + 1)), ''),
    reason = trim(substr(reason, 1, instr(reason, ':') - 1))
WHERE instr(reason, ':') > 0
  AND trim(substr(reason, 1, instr(reason, ':') - 1)) IN (
      'missed', 'interrupted', 'unverified', 'no_history', 'no_quotes', 'server_error',
      'rejected', 'channel_missing', 'missing_access', 'missing_permissions',
      'channel_unsupported', 'guild_unavailable', 'admin');

UPDATE digest_posts
SET detail = reason,
    reason = 'unknown'
WHERE reason IS NOT NULL
  AND trim(reason) NOT IN (
      'missed', 'interrupted', 'unverified', 'no_history', 'no_quotes', 'server_error',
      'rejected', 'channel_missing', 'missing_access', 'missing_permissions',
      'channel_unsupported', 'guild_unavailable', 'admin');
