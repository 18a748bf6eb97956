-- Version 16 on PostgreSQL: as 0016_search_packed_pairs.sql, the packed rows read by key
-- through their primary key.

DROP TABLE search_packed;
CREATE TABLE search_packed (
    first_doc_no INTEGER NOT NULL,
    term_id      INTEGER NOT NULL,
    postings     BIGINT[] NOT NULL,
    PRIMARY KEY (term_id, first_doc_no)
);

DELETE FROM search_chunks;
DELETE FROM search_deleted;
