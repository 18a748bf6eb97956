-- Version 12: nothing on DuckDB, which skips the blocks of rows whose days are out of range
-- by the minimum and maximum it keeps for each block (an index would not be read for a
-- range); PostgreSQL runs 0012_day_indexes.postgresql.sql instead.
SELECT 1;
