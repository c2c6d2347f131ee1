-- Admin center, version 1: principals and tokens, the policy (global
-- settings and the group tree), and the audit log with its checkpoints.
-- Instants are UTC RFC 3339 text; JSON columns hold documents of the
-- policy wire format (DESIGN.md §3).

CREATE TABLE settings (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  document TEXT NOT NULL,             -- the policy document's "settings" object
  updated_at TEXT NOT NULL
);

CREATE TABLE groups (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  parent_id TEXT REFERENCES groups(id),
  document TEXT NOT NULL,             -- the group as in the policy document
  position INTEGER NOT NULL,          -- creation order, for stable documents
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX groups_parent ON groups(parent_id);

CREATE TABLE principals (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('master_admin', 'admin', 'technician', 'auditor')),
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT,                 -- Argon2id, encoded form
  group_id TEXT REFERENCES groups(id),-- technicians
  time_zone TEXT,                     -- technicians
  disabled INTEGER NOT NULL DEFAULT 0,
  position INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((kind = 'technician') = (group_id IS NOT NULL AND time_zone IS NOT NULL))
);

-- The group subtrees an admin may act in.
CREATE TABLE admin_scopes (
  principal_id TEXT NOT NULL REFERENCES principals(id),
  group_id TEXT NOT NULL REFERENCES groups(id),
  PRIMARY KEY (principal_id, group_id)
);

-- Bearer tokens, stored only as SHA-256 hashes.
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  principal_id TEXT NOT NULL REFERENCES principals(id),
  token_hash BLOB NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_principal ON tokens(principal_id);

-- The audit log (DESIGN.md §7): hash = SHA-256(prev_hash || canonical JSON).
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  ts TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reasons TEXT NOT NULL,              -- JSON array
  details TEXT NOT NULL,              -- JSON object
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_ts ON audit_events(ts);

CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,            -- the last event covered
  head_hash TEXT NOT NULL,
  ts TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL             -- Ed25519 over the canonical checkpoint, base64
);
