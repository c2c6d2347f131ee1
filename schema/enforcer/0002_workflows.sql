-- Enforcer, version 2: access workflows on the endpoint (DESIGN.md §6,
-- R1–R15). The endpoint is where they are settled: the customer answers
-- here, grants and their timers live here, and credentials never leave.
-- Session credentials (R9–R12) are not stored at all: they live sealed in
-- memory for the session only, so a restart wipes them. at_setup
-- credentials are sealed with the machine key (vault.key, mode 0600) and
-- erased when their grant ends; the database runs with secure_delete so
-- erased pages are zeroed.

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  technician_id TEXT NOT NULL,
  type TEXT NOT NULL,
  mode TEXT,
  screen_viewing INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  opened_at TEXT NOT NULL,
  ended_at TEXT
);

CREATE TABLE unattended_requests (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  technician_id TEXT NOT NULL,
  technician_name TEXT NOT NULL DEFAULT '',  -- shown to the customer
  credential_mode TEXT NOT NULL,
  schedule TEXT NOT NULL,             -- as requested (JSON)
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'refused')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  decided_at TEXT,
  grant_id TEXT
);

CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  technician_id TEXT NOT NULL,
  credential_mode TEXT NOT NULL,
  effective_schedule TEXT NOT NULL,   -- JSON {start, end, daily}
  state TEXT NOT NULL CHECK (state IN ('active', 'revoked', 'expired')),
  user_name TEXT,                     -- at_setup: the Windows user the customer entered
  sealed_credentials BLOB,            -- at_setup: AES-256-GCM under the machine key
  created_at TEXT NOT NULL,
  ended_at TEXT,
  ended_by TEXT
);

CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  grant_id TEXT NOT NULL,
  technician_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('awaiting_credentials', 'active', 'denied', 'ended')),
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  warned INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  end_reason TEXT
);

CREATE TABLE credential_requests (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  technician_id TEXT NOT NULL,
  technician_name TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'denied', 'revoked', 'wiped',
                                       'expired')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
