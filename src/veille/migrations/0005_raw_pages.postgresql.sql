-- Version 5 on PostgreSQL: 0005_raw_pages.sql with BYTEA, PostgreSQL's name for BLOB.

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
