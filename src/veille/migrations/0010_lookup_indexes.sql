-- Version 10: what each engine needs to find rows by key; DuckDB here, PostgreSQL runs
-- 0010_lookup_indexes.postgresql.sql instead.
--
-- A document's paragraphs and actor mentions by document (the API's event and document
-- pages): their primary keys (doc_id, position) serve that on PostgreSQL, not on DuckDB,
-- which would scan the tables.
CREATE INDEX paragraphs_doc ON paragraphs (doc_id);
CREATE INDEX actor_mentions_doc ON actor_mentions (doc_id);
