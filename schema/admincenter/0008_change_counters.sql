-- Admin center, version 8: a counter per kind of change that replicas keep
-- in memory (storage.h, Change: policy, principals, keys), raised by the
-- write that makes the change. A replica reads them before it serves a
-- request and forgets what another replica changed meanwhile, so that
-- nothing it answers predates a write already acknowledged elsewhere
-- (the notification that also tells it may arrive later). One node never
-- needs them, but writes them the same way.
CREATE TABLE change_counters (
  kind TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
);
INSERT INTO change_counters (kind, seq) VALUES ('policy', 0), ('principals', 0), ('keys', 0);
