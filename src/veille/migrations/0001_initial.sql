-- Veille schema, version 1: documents, their paragraphs, actor mentions, events and
-- event participants. Portable SQL (DuckDB and PostgreSQL); lists are stored as JSON text.

CREATE TABLE documents (
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

CREATE TABLE paragraphs (
    doc_id       VARCHAR NOT NULL REFERENCES documents (doc_id),
    position     INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    language     VARCHAR,
    kept         BOOLEAN NOT NULL,
    reason       VARCHAR,
    PRIMARY KEY (doc_id, position)
);

CREATE TABLE actor_mentions (
    doc_id       VARCHAR NOT NULL REFERENCES documents (doc_id),
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

CREATE TABLE events (
    event_id       VARCHAR PRIMARY KEY,
    doc_id         VARCHAR NOT NULL REFERENCES documents (doc_id),
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

CREATE TABLE event_participants (
    event_id    VARCHAR NOT NULL REFERENCES events (event_id),
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

CREATE INDEX events_doc ON events (doc_id);
CREATE INDEX events_type ON events (event);
CREATE INDEX participants_code ON event_participants (code);
CREATE INDEX participants_identity ON event_participants (identity);
