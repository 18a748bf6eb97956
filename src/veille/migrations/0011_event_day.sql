-- Version 11: each event's day, the date event lists sort by and date filters compare: its
-- own date, else its article's publication date. Kept on the event, and on its participant
-- rows, so that lists, filters and counts per month read those rows alone instead of
-- joining every event to its document (a join that grows with the store: 10^7 events), and
-- an actor's events of recent days are found without reading all of that actor's rows
-- (DuckDB skips the blocks of rows whose days are all out of range). Portable SQL.

ALTER TABLE events ADD COLUMN day DATE;

UPDATE events SET day = coalesce(
    date_start, (SELECT d.published FROM documents d WHERE d.doc_id = events.doc_id)
);

ALTER TABLE event_participants ADD COLUMN day DATE;

UPDATE event_participants SET day = (
    SELECT e.day FROM events e WHERE e.event_id = event_participants.event_id
);
