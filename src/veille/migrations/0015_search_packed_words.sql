-- Version 15: a packed row (migration 13) holds its chunk's postings of a key as one list of
-- integers instead of two, each (document number - first_doc_no) * 65536 + frequency (65535
-- standing for 65535 or more, read then in search_postings): DuckDB reads a list element
-- by element, so one list of the same length reads in about half the time (veille.search).
--
-- The rows packed before are dropped, with the chunks and the deletions they recorded; the
-- Store packs every complete chunk again once this file has run. Until then a database at
-- an older version, served read-only, is searched through search_postings alone.

DROP INDEX search_packed_term;
DROP TABLE search_packed;
CREATE TABLE search_packed (
    first_doc_no INTEGER NOT NULL,
    term_id      INTEGER NOT NULL,
    postings     INTEGER[] NOT NULL
);
-- Found by key through an index: a scan would read every row's list (its values are stored
-- apart from the rows), about as much as the postings themselves.
CREATE INDEX search_packed_term ON search_packed (term_id);

DELETE FROM search_chunks;
DELETE FROM search_deleted;
