-- Enforcer, version 3: a credential request the endpoint's policy refuses
-- is `refused`, as its event (credentials.refused) and the admin center
-- call it, no longer `denied` (which is the customer's answer). The states
-- are policy/workflow.h's; tests/workflows/vocabulary_test.cc compares them.
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt.

CREATE TABLE credential_requests_v3 (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  technician_id TEXT NOT NULL,
  technician_name TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'denied', 'refused', 'revoked',
                                       'wiped', 'expired')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO credential_requests_v3 SELECT * FROM credential_requests;
DROP TABLE credential_requests;
ALTER TABLE credential_requests_v3 RENAME TO credential_requests;
-- Those version 2 stored as denied although the policy refused them: their
-- own event says which.
UPDATE credential_requests SET state = 'refused'
WHERE state = 'denied' AND id IN (
  SELECT json_extract(record, '$.details.request_id') FROM events
  WHERE json_extract(record, '$.action') = 'credentials.refused');
