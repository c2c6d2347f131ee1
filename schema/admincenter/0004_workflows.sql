-- Admin center, version 4: access workflows (DESIGN.md §5, R1–R15) as the
-- admin center sees them. The enforcer decides again and its answer wins:
-- states it settles (approved, refused by the endpoint, denied or expired
-- at the customer, revoked there, connections, stored credentials) arrive
-- as the endpoint's events and are applied here in the same transaction as
-- their audit record. No table holds a password in any form.

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  technician_id TEXT NOT NULL REFERENCES principals(id),
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  type TEXT NOT NULL,                 -- a session type of DESIGN.md §3
  mode TEXT,                          -- instant_chat: chat_only or full
  screen_viewing INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL CHECK (state IN ('active', 'ended')),
  started_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX sessions_technician ON sessions(technician_id);

-- Unattended-access requests (R1–R8).
CREATE TABLE unattended_requests (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  technician_id TEXT NOT NULL REFERENCES principals(id),
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  credential_mode TEXT NOT NULL,
  schedule TEXT NOT NULL,             -- as requested (JSON)
  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired', 'refused')),
  reasons TEXT NOT NULL DEFAULT '[]', -- the endpoint's, when it refused
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  decided_at TEXT,
  grant_id TEXT
);
CREATE INDEX unattended_requests_technician ON unattended_requests(technician_id);

-- Active unattended access: created when the endpoint reports the
-- customer's approval.
CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES unattended_requests(id),
  technician_id TEXT NOT NULL REFERENCES principals(id),
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  credential_mode TEXT NOT NULL,
  effective_schedule TEXT NOT NULL,   -- JSON: {start, end, daily}
  state TEXT NOT NULL CHECK (state IN ('active', 'revoked', 'expired')),
  created_at TEXT NOT NULL,
  ended_at TEXT,
  ended_by TEXT                       -- technician, admin, customer or expiry
);
CREATE INDEX grants_technician ON grants(technician_id);

-- Unattended connections made with a grant.
CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  grant_id TEXT NOT NULL REFERENCES grants(id),
  technician_id TEXT NOT NULL REFERENCES principals(id),
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  state TEXT NOT NULL CHECK (state IN ('requested', 'awaiting_credentials', 'active', 'denied',
                                       'ended')),
  reasons TEXT NOT NULL DEFAULT '[]',
  requested_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  end_reason TEXT
);
CREATE INDEX connections_technician ON connections(technician_id);

-- Requests to use the customer's Windows credentials (R9–R15) and what
-- became of them; the password itself never leaves the endpoint.
CREATE TABLE credential_requests (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  technician_id TEXT NOT NULL REFERENCES principals(id),
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'denied', 'refused', 'revoked',
                                       'wiped', 'expired')),
  reasons TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX credential_requests_session ON credential_requests(session_id);
CREATE INDEX credential_requests_technician ON credential_requests(technician_id);

-- Each use of stored credentials (R10): restart or unlock.
CREATE TABLE credential_operations (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  technician_id TEXT NOT NULL REFERENCES principals(id),
  endpoint_id TEXT NOT NULL REFERENCES endpoints(id),
  operation TEXT NOT NULL CHECK (operation IN ('restart', 'unlock')),
  state TEXT NOT NULL CHECK (state IN ('requested', 'succeeded', 'failed', 'denied')),
  reasons TEXT NOT NULL DEFAULT '[]',
  requested_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
