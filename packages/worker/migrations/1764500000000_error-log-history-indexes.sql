-- Up Migration
-- ErrorLogHistory.query: always one pool, newest first by (at, entry_id) (entry_id breaks
-- ties and is the page cursor), optionally narrowed to a proxy, a session, a type or a
-- category. Each index serves one narrowing in that order, so a page reads about `limit`
-- rows however long the pool's history is.
CREATE INDEX error_log_pool_at_entry_idx ON error_log (pool, at, entry_id);
CREATE INDEX error_log_pool_proxy_at_idx ON error_log (pool, proxy_id, at, entry_id)
  WHERE proxy_id IS NOT NULL;
CREATE INDEX error_log_pool_session_at_idx ON error_log (pool, session_id, at, entry_id)
  WHERE session_id IS NOT NULL;
CREATE INDEX error_log_pool_type_at_idx ON error_log (pool, type, at, entry_id);
CREATE INDEX error_log_pool_category_at_idx ON error_log (pool, category, at, entry_id)
  WHERE category IS NOT NULL;
-- A prefix of error_log_pool_at_entry_idx.
DROP INDEX error_log_pool_at_idx;

-- Down Migration
CREATE INDEX error_log_pool_at_idx ON error_log (pool, at);
DROP INDEX error_log_pool_category_at_idx;
DROP INDEX error_log_pool_type_at_idx;
DROP INDEX error_log_pool_session_at_idx;
DROP INDEX error_log_pool_proxy_at_idx;
DROP INDEX error_log_pool_at_entry_idx;
