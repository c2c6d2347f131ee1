-- Signed checkpoints are kept whole (the JCS text of the signed object, as
-- docs/audit-format.md defines it), so that the admin center can verify
-- its stored chain against them at start. Rows from before this version
-- carry no record and are not relied on.
ALTER TABLE audit_checkpoints ADD COLUMN record TEXT;
