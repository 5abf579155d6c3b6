-- Counters open per hour (issue 17): the history reads each day's counter events, so they get an
-- index of their own (only those rows: the log's other events do not pay for it), and the
-- counter changes of days played by `queue-server simulate --into` are marked like their
-- tickets, so running the simulator again replaces them and never touches lived days.
ALTER TABLE events ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_counter_changes ON events (office, business_date)
    WHERE kind IN ('counter_opened', 'counter_paused', 'counter_closed');
