-- Admin center, version 3: a tag that changes with every write to the
-- policy, so the writer can keep the policy it last wrote in memory and
-- know when it is still current (a rolled-back write restores the old tag).
CREATE TABLE policy_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  tag TEXT NOT NULL
);
INSERT INTO policy_state (id, tag) VALUES (1, 'initial');
