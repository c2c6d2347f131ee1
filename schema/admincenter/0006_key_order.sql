-- Admin center, version 6: the order keys were made in, as a column of its
-- own rather than SQLite's implicit rowid, so that the one set of queries
-- (admincenter/src/storage/sql_keys.cc) also serves PostgreSQL.
ALTER TABLE signing_keys ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE signing_keys SET position = rowid;
