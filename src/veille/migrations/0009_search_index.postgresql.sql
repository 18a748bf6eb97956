-- Version 9 on PostgreSQL: the tables of 0009_search_index.sql, with the postings read
-- through their primary key (the frequency included, so a query reads the index only) and
-- deleted with their document through an index on doc_no. A document's paragraphs and
-- mentions are found through their primary keys (doc_id, position): no index to add.

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
    tf      INTEGER NOT NULL,
    PRIMARY KEY (term_id, doc_no) INCLUDE (tf)
);

CREATE INDEX search_postings_doc ON search_postings (doc_no);
