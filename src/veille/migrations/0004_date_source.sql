-- Version 4: where an event's date comes from, "text" (stated in the article: its sentence,
-- its paragraph or the dateline) or "published" (the publication date, taken when the text
-- states none); NULL when the event has no date. Portable SQL (DuckDB and PostgreSQL).
-- Events stored before this version had only dates read from their text.

ALTER TABLE events ADD COLUMN date_source VARCHAR;

UPDATE events SET date_source = 'text' WHERE event_date IS NOT NULL;
