-- Up Migration
-- One row per error-log stream entry. The primary key is the entry's identity, so
-- persisting the same entry twice (a crash between insert and XACK) inserts nothing.
CREATE TABLE error_log (
  pool         text NOT NULL,
  entry_id     text NOT NULL,
  type         text NOT NULL,
  at           timestamptz NOT NULL,
  proxy_id     text,
  session_id   text,
  lease_id     text,
  consumer     text,
  category     text,
  status_code  integer,
  message      text,
  latency_ms   double precision,
  reason       text,
  subject      text,
  from_state   text,
  to_state     text,
  scope        text,
  persisted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pool, entry_id)
);

-- The questions people ask: a proxy's or a session's history, a pool's recent errors,
-- everything in a time window. `at` second in each, for newest-first scans.
CREATE INDEX error_log_proxy_id_at_idx ON error_log (proxy_id, at);
CREATE INDEX error_log_session_id_at_idx ON error_log (session_id, at) WHERE session_id IS NOT NULL;
CREATE INDEX error_log_pool_at_idx ON error_log (pool, at);
CREATE INDEX error_log_at_idx ON error_log (at);

-- Down Migration
DROP TABLE error_log;
