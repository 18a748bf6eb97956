-- Version 12 on PostgreSQL: the indexes through which it reads the events of recent days,
-- of all events or of an actor's (the days of version 11).
CREATE INDEX events_day ON events (day);
CREATE INDEX event_participants_identity_day ON event_participants (identity, day);
