-- Accounts, sessions, the hash-chained audit trail and idempotency keys on
-- PostgreSQL. Mirrors migrations/sqlite/0002_accounts_audit.sql; users.id is
-- given by the store under the write lock, like SQLite's INTEGER PRIMARY KEY.

CREATE TABLE users (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'focal_point', 'viewer')),
  disabled BOOLEAN NOT NULL DEFAULT false,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- The donors a focal point looks after.
CREATE TABLE user_donors (
  user_id BIGINT NOT NULL REFERENCES users(id),
  donor TEXT NOT NULL REFERENCES donors(id),
  PRIMARY KEY (user_id, donor)
);

-- Login sessions and API tokens; only a hash of the secret is kept.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL DEFAULT '',
  api_token BOOLEAN NOT NULL DEFAULT false,
  label TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL DEFAULT 0
);

-- Each record carries the hash of the one before (store/audit.h).
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  entity TEXT NOT NULL DEFAULT '',
  entity_id TEXT NOT NULL DEFAULT '',
  before TEXT NOT NULL DEFAULT '',
  after TEXT NOT NULL DEFAULT '',
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);

-- The last record written, kept apart so that removing records from the end
-- of the trail is seen too. Moved only under the store's write lock.
CREATE TABLE audit_head (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (1, 0, '');

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit FOR EACH ROW
  EXECUTE FUNCTION rmis_refuse_change('the audit trail is append-only');
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit FOR EACH ROW
  EXECUTE FUNCTION rmis_refuse_change('the audit trail is append-only');
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT
  EXECUTE FUNCTION rmis_refuse_change('the audit trail is append-only');

-- The first answer to a request made with an Idempotency-Key.
CREATE TABLE idempotency (
  user_name TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_name, key)
);
