-- Admin center, version 7: leases, so that a timer runs on one replica at a
-- time (the audit seal's periodic checkpoint). One node holds them all.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,               -- a process's random id
  expires_at TEXT NOT NULL
);
