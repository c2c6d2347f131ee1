-- Admin center on PostgreSQL, version 3: the change counters of SQLite's
-- version 8 (schema/admincenter/0008_change_counters.sql).
CREATE TABLE change_counters (
  kind ctext PRIMARY KEY,
  seq bigint NOT NULL
);
INSERT INTO change_counters (kind, seq) VALUES ('policy', 0), ('principals', 0), ('keys', 0);
