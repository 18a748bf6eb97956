-- Version 13: the search postings (version 9) also packed by key, so that a query reads a
-- key's postings without scanning every posting (veille.search).
--
-- search_chunks lists the packed ranges of document numbers, [first_doc_no, end_doc_no);
-- search_packed holds, for each chunk and key, the chunk's document numbers having the key
-- (ascending) and the key's frequency in each. search_postings keeps every posting: what no
-- chunk covers yet (the documents numbered since) is read there, and a chunk is packed
-- again from it. search_deleted holds the postings of the documents deleted since their
-- chunk was packed, which a query leaves out. The Store packs them once this file has run.

CREATE TABLE search_chunks (
    first_doc_no INTEGER PRIMARY KEY,
    end_doc_no   INTEGER NOT NULL
);

CREATE TABLE search_packed (
    first_doc_no INTEGER NOT NULL,
    term_id      INTEGER NOT NULL,
    doc_nos      INTEGER[] NOT NULL,
    tfs          INTEGER[] NOT NULL
);
-- Found by key through an index: a scan would read every row's lists (their values are
-- stored apart from the rows), about as much as the postings themselves.
CREATE INDEX search_packed_term ON search_packed (term_id);

CREATE TABLE search_deleted (
    term_id INTEGER NOT NULL,
    doc_no  INTEGER NOT NULL
);
