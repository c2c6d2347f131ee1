-- Enforcer, version 1: its identity and sync state, and its own chain of
-- events waiting to reach the admin center. The signed bundle itself is a
-- file beside the database (bundle.json), written atomically.

-- Small named values: endpoint_id, admin_center_url, pinned_keys (JSON),
-- bundle_version, bundle_sha256, time_high_water (RFC 3339).
CREATE TABLE state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- The endpoint's events (DESIGN.md §7): record is the canonical event
-- {seq, id, ts, actor, action, target, outcome, reasons, details,
-- prev_hash, hash}; sent once the admin center has acknowledged it.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  record TEXT NOT NULL,
  hash TEXT NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_unsent ON events(sent, seq);
