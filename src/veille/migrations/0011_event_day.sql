-- Version 11: each event's day, the date event lists sort by and date filters compare: its
-- own date, else its article's publication date. Kept on the event so that lists, filters
-- and counts per month read the events alone instead of joining every event to its
-- document (a join that grows with the store: 10^7 events). Portable SQL.

ALTER TABLE events ADD COLUMN day DATE;

UPDATE events SET day = coalesce(
    date_start, (SELECT d.published FROM documents d WHERE d.doc_id = events.doc_id)
);
