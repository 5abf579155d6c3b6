-- History and forecast (issue 17): tickets written by `queue-server simulate --into` are marked,
-- so every statistic built on them can say it rests on synthetic days, and so a directory that
-- holds real tickets is never mixed with invented ones.
ALTER TABLE tickets ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;
