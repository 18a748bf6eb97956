-- Version 5: web pages kept as fetched, for `veille watch` and `veille recode`.
--
-- raw_pages holds each distinct body once, zlib-compressed and keyed by the SHA-256 of the
-- bytes as received, so a feed fetched unchanged a hundred times is kept once. fetches is
-- the log of every answer a watched address gave: one row per fetch, with the headers that
-- matter for the next conditional GET, the canonical address the page named, and the
-- document its text was stored as (NULL when none was). Portable SQL: BYTEA is
-- PostgreSQL's binary type and a DuckDB name for BLOB.

CREATE TABLE raw_pages (
    sha256 VARCHAR PRIMARY KEY,
    size   BIGINT NOT NULL,
    body   BYTEA NOT NULL
);

CREATE TABLE fetches (
    url           VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    fetched_at    TIMESTAMP NOT NULL,
    final_url     VARCHAR,
    status        INTEGER NOT NULL,
    etag          VARCHAR,
    last_modified VARCHAR,
    content_type  VARCHAR,
    sha256        VARCHAR,
    source        VARCHAR,
    canonical_url VARCHAR,
    doc_id        VARCHAR,
    PRIMARY KEY (url, kind, fetched_at)
);

CREATE INDEX fetches_canonical ON fetches (canonical_url);
CREATE INDEX fetches_doc ON fetches (doc_id);
