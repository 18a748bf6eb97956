-- Version 9: full-text search in the database (veille.search), written with each document.
--
-- search_terms numbers each search key (a folded French stem), search_documents each
-- document; search_postings holds a key's frequency in a document. Documents stored before
-- this version are indexed by the Store once this file has run. The postings have no index
-- on DuckDB: a query scans them (their integer columns compress to a few bytes a row), where
-- an ART index over tens of millions of rows would weigh more than the table; PostgreSQL
-- reads them through the key that version 10 gives them.

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
