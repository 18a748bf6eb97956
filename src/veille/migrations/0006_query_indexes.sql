-- Version 6: indexes for the API's tallies (veille.tallies) on large stores.
--
-- An actor brief lists the people of one country or group (actor_mentions by code); the
-- dashboard opens the events of one place. The other lookups the tallies make (participants
-- by event, identity or code; events by document or type) have their indexes already.

CREATE INDEX actor_mentions_code ON actor_mentions (code);
CREATE INDEX events_place ON events (place);
