-- Version 9: full-text search in the database (veille.search), written with each document,
-- and indexes for the point lookups of a document's rows (at the end).
--
-- search_terms numbers each search key (a folded French stem), search_documents each
-- document; search_postings holds a key's frequency in a document. No index on the postings
-- in DuckDB: a query scans them (its integer columns compress to a few bytes a row), where
-- an ART index over tens of millions of rows would weigh more than the table.
-- PostgreSQL runs 0009_search_index.postgresql.sql instead, which reads them by key.
-- Documents stored before this version are indexed by the Store once this file has run.

CREATE SEQUENCE search_term_ids START 1;
CREATE SEQUENCE search_doc_nos START 1;

CREATE TABLE search_terms (
    term_id INTEGER PRIMARY KEY,
    term    VARCHAR NOT NULL UNIQUE
);

CREATE TABLE search_documents (
    doc_no   INTEGER PRIMARY KEY,
    doc_id   VARCHAR NOT NULL UNIQUE,
    doc_path VARCHAR NOT NULL
);

CREATE TABLE search_postings (
    term_id INTEGER NOT NULL,
    doc_no  INTEGER NOT NULL,
    tf      INTEGER NOT NULL
);

-- A document's paragraphs and actor mentions by document (the API's event and document
-- pages): their primary keys (doc_id, position) serve that on PostgreSQL, not on DuckDB,
-- which would scan the tables.
CREATE INDEX paragraphs_doc ON paragraphs (doc_id);
CREATE INDEX actor_mentions_doc ON actor_mentions (doc_id);
