-- Version 2: the same tables without foreign keys.
--
-- Why: DuckDB checks a foreign key against the last committed state, so a document can
-- not be deleted together with its paragraphs, mentions and events in one transaction
-- (the parent row is "still referenced" by the child rows deleted a statement earlier).
-- Integrity is kept by the Store instead, which writes and deletes each document with all
-- its rows in one transaction. DuckDB cannot drop a constraint, so each table is rebuilt.

CREATE TABLE documents_v2 (
    doc_id            VARCHAR PRIMARY KEY,
    doc_path          VARCHAR NOT NULL,
    source_format     VARCHAR NOT NULL,
    title             VARCHAR,
    author            VARCHAR,
    url               VARCHAR,
    published         DATE,
    language          VARCHAR,
    near_duplicate_of VARCHAR,
    text              VARCHAR NOT NULL,
    ingested_at       TIMESTAMP NOT NULL
);

CREATE TABLE paragraphs_v2 (
    doc_id       VARCHAR NOT NULL,
    position     INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    language     VARCHAR,
    kept         BOOLEAN NOT NULL,
    reason       VARCHAR,
    PRIMARY KEY (doc_id, position)
);

CREATE TABLE actor_mentions_v2 (
    doc_id       VARCHAR NOT NULL,
    position     INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    entity_text  VARCHAR NOT NULL,
    code         VARCHAR NOT NULL,
    sector       VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    office       VARCHAR,
    kind         VARCHAR NOT NULL,
    PRIMARY KEY (doc_id, position)
);

CREATE TABLE events_v2 (
    event_id       VARCHAR PRIMARY KEY,
    doc_id         VARCHAR NOT NULL,
    event          VARCHAR NOT NULL,
    mode           VARCHAR NOT NULL,
    context        VARCHAR NOT NULL,
    event_date     VARCHAR,
    date_precision VARCHAR,
    date_start     DATE,
    historical     BOOLEAN NOT NULL,
    place          VARCHAR,
    geonameid      BIGINT,
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    place_country  VARCHAR,
    size           VARCHAR,
    event_text     VARCHAR NOT NULL,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    confidence     DOUBLE PRECISION NOT NULL,
    coder          VARCHAR NOT NULL,
    record         VARCHAR NOT NULL
);

CREATE TABLE event_participants_v2 (
    event_id    VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    position    INTEGER NOT NULL,
    code        VARCHAR NOT NULL,
    sector      VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    identity    VARCHAR NOT NULL,
    entity_text VARCHAR NOT NULL,
    office      VARCHAR,
    PRIMARY KEY (event_id, role, position)
);

INSERT INTO documents_v2 SELECT * FROM documents;
INSERT INTO paragraphs_v2 SELECT * FROM paragraphs;
INSERT INTO actor_mentions_v2 SELECT * FROM actor_mentions;
INSERT INTO events_v2 SELECT * FROM events;
INSERT INTO event_participants_v2 SELECT * FROM event_participants;

-- Children first: a referenced table cannot be dropped.
DROP TABLE event_participants;
DROP TABLE events;
DROP TABLE actor_mentions;
DROP TABLE paragraphs;
DROP TABLE documents;

ALTER TABLE documents_v2 RENAME TO documents;
ALTER TABLE paragraphs_v2 RENAME TO paragraphs;
ALTER TABLE actor_mentions_v2 RENAME TO actor_mentions;
ALTER TABLE events_v2 RENAME TO events;
ALTER TABLE event_participants_v2 RENAME TO event_participants;

CREATE INDEX events_doc ON events (doc_id);
CREATE INDEX events_type ON events (event);
CREATE INDEX participants_code ON event_participants (code);
CREATE INDEX participants_identity ON event_participants (identity);
