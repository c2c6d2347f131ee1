-- Admin center on PostgreSQL, version 2: the leases of SQLite's version 7
-- (schema/admincenter/0007_leases.sql).
CREATE TABLE leases (
  name ctext PRIMARY KEY,
  holder ctext NOT NULL,
  expires_at ctext NOT NULL
);
