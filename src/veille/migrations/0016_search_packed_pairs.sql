-- Version 16: a packed row (migration 15) holds its chunk's postings of a key two to a
-- BIGINT: the first posting in the low 32 bits, the next in the high 32 (0 there after a
-- list's last posting when their number is odd; no posting is 0, as every frequency is at
-- least 1). DuckDB reads a list element by element, so half the elements read in about
-- half the time, and the low and high halves are the postings in order read as 32-bit
-- integers (veille.search).
--
-- The rows packed before are dropped, with the chunks and the deletions they recorded; the
-- Store packs every complete chunk again once this file has run. Until then a database at
-- an older version, served read-only, is searched through search_postings alone.

DROP INDEX search_packed_term;
DROP TABLE search_packed;
CREATE TABLE search_packed (
    first_doc_no INTEGER NOT NULL,
    term_id      INTEGER NOT NULL,
    postings     BIGINT[] NOT NULL
);
-- Found by key through an index: a scan would read every row's list (its values are stored
-- apart from the rows), about as much as the postings themselves.
CREATE INDEX search_packed_term ON search_packed (term_id);

DELETE FROM search_chunks;
DELETE FROM search_deleted;
