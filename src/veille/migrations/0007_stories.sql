-- Version 7: stories (veille.stories) and alerts (veille.alerts). Portable SQL (DuckDB and
-- PostgreSQL); lists and records are stored as JSON text.
--
-- events.story_id names the story an event belongs to: counting DISTINCT story_id instead
-- of event_id counts real-world events once however many outlets told them. stories holds
-- each story's summary, written again whenever one of its documents is stored or deleted.
-- Events stored before this version have no story until `veille stories --rebuild`.

ALTER TABLE events ADD COLUMN story_id VARCHAR;

CREATE INDEX events_story ON events (story_id);

CREATE TABLE stories (
    story_id            VARCHAR PRIMARY KEY,
    event               VARCHAR NOT NULL,
    participants        VARCHAR NOT NULL,
    story_date          VARCHAR,
    date_precision      VARCHAR,
    date_start          DATE,
    place               VARCHAR,
    place_country       VARCHAR,
    events              INTEGER NOT NULL,
    sources             INTEGER NOT NULL,
    independent_sources INTEGER NOT NULL,
    confidence          DOUBLE PRECISION NOT NULL,
    first_seen          DATE,
    last_seen           DATE,
    record              VARCHAR NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    created_at          TIMESTAMP NOT NULL
);

CREATE INDEX stories_event ON stories (event);

-- Saved watches: a story filter (JSON) and where to send the stories that match it.
CREATE TABLE watches (
    watch_id   VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    filter     VARCHAR NOT NULL,
    webhook    VARCHAR,
    email      VARCHAR,
    created_at TIMESTAMP NOT NULL
);

-- One row per (watch, story, channel) sent: what makes each story go out exactly once.
CREATE TABLE alerts (
    watch_id   VARCHAR NOT NULL,
    story_id   VARCHAR NOT NULL,
    channel    VARCHAR NOT NULL,
    sent_at    TIMESTAMP NOT NULL,
    attempts   INTEGER NOT NULL,
    status     VARCHAR NOT NULL,
    PRIMARY KEY (watch_id, story_id, channel)
);
