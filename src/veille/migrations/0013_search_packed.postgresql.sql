-- Version 13 on PostgreSQL: as 0013_search_packed.sql, with the packed rows and the deleted
-- postings read by key through an index (DuckDB scans these small tables).

CREATE TABLE search_chunks (
    first_doc_no INTEGER PRIMARY KEY,
    end_doc_no   INTEGER NOT NULL
);

CREATE TABLE search_packed (
    first_doc_no INTEGER NOT NULL,
    term_id      INTEGER NOT NULL,
    doc_nos      INTEGER[] NOT NULL,
    tfs          INTEGER[] NOT NULL,
    PRIMARY KEY (term_id, first_doc_no)
);

CREATE TABLE search_deleted (
    term_id INTEGER NOT NULL,
    doc_no  INTEGER NOT NULL,
    PRIMARY KEY (term_id, doc_no)
);
CREATE INDEX search_deleted_doc ON search_deleted (doc_no);
