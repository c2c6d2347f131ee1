-- Admin center, version 2: policy distribution (DESIGN.md §4, §6) —
-- signing keys, signed policy bundles, enrollment, endpoints, their command
-- queue and the events they report.

-- Keys that sign bundles and audit checkpoints. The private keys are files
-- in the data directory (mode 0600), never in the database. 'active' signs;
-- 'listed' still signs alongside and is listed in bundles until retired, so
-- that endpoints pinned to it learn the new key from a bundle they trust.
CREATE TABLE signing_keys (
  key_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,           -- base64, raw Ed25519
  file TEXT NOT NULL,                 -- private key PEM, relative to the data directory
  state TEXT NOT NULL CHECK (state IN ('active', 'listed', 'retired')),
  created_at TEXT NOT NULL,
  retired_at TEXT
);

-- Every bundle issued; the version only grows.
CREATE TABLE policy_bundles (
  version INTEGER PRIMARY KEY,
  issued_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  policy_hash TEXT NOT NULL,          -- hex SHA-256 of the policy's canonical JSON
  keys_hash TEXT NOT NULL,            -- hex SHA-256 of the listed keys
  envelope TEXT NOT NULL              -- as served: the bundle's bytes and signatures
);

CREATE TABLE enrollment_codes (
  id TEXT PRIMARY KEY,
  code_hash BLOB NOT NULL UNIQUE,     -- SHA-256; the code is shown once
  created_by TEXT NOT NULL REFERENCES principals(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  endpoint_id TEXT
);

CREATE TABLE endpoints (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  os TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  token_hash BLOB NOT NULL UNIQUE,    -- SHA-256 of the endpoint's bearer token
  enrolled_at TEXT NOT NULL,
  last_seen TEXT,
  bundle_version INTEGER,             -- the bundle it last said it holds
  last_event_seq INTEGER NOT NULL DEFAULT 0,
  last_event_hash TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000'
);

-- Durable until the endpoint acknowledges them.
CREATE TABLE endpoint_commands (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  type TEXT NOT NULL,
  body TEXT NOT NULL,                 -- JSON object
  created_at TEXT NOT NULL,
  acked_at TEXT
);
CREATE INDEX endpoint_commands_pending ON endpoint_commands(endpoint_id, acked_at);

-- Events received from endpoints, by their own chain; each is also an
-- event of the central audit log.
CREATE TABLE endpoint_events (
  event_id TEXT PRIMARY KEY,
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  audit_seq INTEGER NOT NULL,
  UNIQUE (endpoint_id, seq)
);
