-- Version 3 on PostgreSQL: accent-insensitive filters use unaccent(), from the extension
-- of that name shipped with PostgreSQL (Debian's postgresql package). It is a trusted
-- extension: the owner of the database may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS unaccent;
