-- Version 10 on PostgreSQL: the search postings (version 9) read by key, the frequency
-- included so that a query reads the index only, and deleted with their document through
-- an index on doc_no. A document's paragraphs and mentions are found through their primary
-- keys (doc_id, position): nothing to add there, unlike DuckDB (0010_lookup_indexes.sql).
ALTER TABLE search_postings ADD PRIMARY KEY (term_id, doc_no) INCLUDE (tf);
CREATE INDEX search_postings_doc ON search_postings (doc_no);
