-- Wait-time truth (issue 14): the point estimate shown at issue (tenths of a minute, inside the
-- stored band) so that mean absolute errors can be measured, and the last recall kept apart so
-- that called_at stays the first call, the end of the wait.
ALTER TABLE tickets ADD COLUMN estimate_point_tenths INTEGER;
ALTER TABLE tickets ADD COLUMN recalled_at TEXT;
