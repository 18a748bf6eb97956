-- Version 11 on PostgreSQL: as 0011_event_day.sql (each event's day, on the event and on
-- its participant rows), with the indexes that PostgreSQL reads the recent days of all
-- events, or of an actor's, through (DuckDB skips blocks of rows by their days instead).

ALTER TABLE events ADD COLUMN day DATE;

UPDATE events SET day = coalesce(
    date_start, (SELECT d.published FROM documents d WHERE d.doc_id = events.doc_id)
);

ALTER TABLE event_participants ADD COLUMN day DATE;

UPDATE event_participants SET day = (
    SELECT e.day FROM events e WHERE e.event_id = event_participants.event_id
);

CREATE INDEX events_day ON events (day);
CREATE INDEX event_participants_identity_day ON event_participants (identity, day);
