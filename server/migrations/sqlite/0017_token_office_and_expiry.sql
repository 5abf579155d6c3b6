-- Hardening (issue 12): a staff token may be limited to one office and may expire. NULL office:
-- every office; NULL expires_at: never (the tokens made before this version keep working).
-- Numbered apart from the other migrations of the issue so that branches do not collide.
ALTER TABLE tokens ADD COLUMN office TEXT;
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
