-- Version 8: counts kept up to date at write time (veille.summaries), so that actor lists,
-- briefs, the graph and the dashboard's overview read a few hundred rows instead of
-- joining every event with its participants. Portable SQL (DuckDB and PostgreSQL).
--
-- Every count is kept twice, in events (n_events) and in stories (n_stories: an event
-- without a story counts as its own). `anchor` is '' for all events, or 'i:' || identity
-- for the events that actor identity takes part in (its brief, and the actor filter).
-- `event` is a PLOVER type, or '*' (any) where a count is not summed over types.
-- `month` is year * 12 + month - 1 of the event's day (its date, else its document's
-- publication date), -1 undated, -2 all months (month_to then -2 too). A row whose month_to
-- is after its month counts the stories (documents) that have events in both months and
-- none between: what a range of months counts twice when its months are added up, and
-- takes away (veille.tallies).
-- The Store fills these tables when it first opens the database for writing after this
-- migration (tally_built then gets its row), and updates them with each document it
-- writes or deletes, in the same transaction.

-- Units (events, stories) per actor identity and role: role '*' (any), 'actor', 'other'
-- (recipient), 'self' (rows whose identity is their code: states). identity '' counts
-- every event, with or without participants.
CREATE TABLE tally_units (
    anchor      VARCHAR NOT NULL,
    identity    VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,
    event       VARCHAR NOT NULL,
    month       INTEGER NOT NULL,
    month_to    INTEGER NOT NULL,
    n_events    BIGINT NOT NULL,
    n_stories   BIGINT NOT NULL,
    first_event VARCHAR,
    PRIMARY KEY (anchor, identity, role, event, month, month_to)
);

-- Documents with an event of the type (event '*': of any type) where the identity takes
-- part (identity '': any event).
CREATE TABLE tally_documents (
    anchor    VARCHAR NOT NULL,
    identity  VARCHAR NOT NULL,
    event     VARCHAR NOT NULL,
    month     INTEGER NOT NULL,
    month_to  INTEGER NOT NULL,
    documents BIGINT NOT NULL,
    PRIMARY KEY (anchor, identity, event, month, month_to)
);

-- Participant rows per name, code and sectors of an identity (its most frequent name, the
-- code of its first row), with the key of the first row in (event, role, position) order.
CREATE TABLE tally_names (
    anchor    VARCHAR NOT NULL,
    identity  VARCHAR NOT NULL,
    code      VARCHAR NOT NULL,
    name      VARCHAR NOT NULL,
    sector    VARCHAR NOT NULL,
    event     VARCHAR NOT NULL,
    month     INTEGER NOT NULL,
    month_to  INTEGER NOT NULL,
    n_rows    BIGINT NOT NULL,
    first_row VARCHAR,
    PRIMARY KEY (anchor, identity, code, name, sector, event, month, month_to)
);

-- The graph's edges (veille.tallies.graph_edges).
CREATE TABLE tally_edges (
    anchor    VARCHAR NOT NULL,
    source    VARCHAR NOT NULL,
    target    VARCHAR NOT NULL,
    directed  BOOLEAN NOT NULL,
    event     VARCHAR NOT NULL,
    month     INTEGER NOT NULL,
    month_to  INTEGER NOT NULL,
    n_events  BIGINT NOT NULL,
    n_stories BIGINT NOT NULL,
    PRIMARY KEY (anchor, source, target, directed, event, month, month_to)
);

-- Event locations; a missing geonameid is -1, a missing lat or lon 1000, a missing
-- country ''.
CREATE TABLE tally_places (
    anchor    VARCHAR NOT NULL,
    place     VARCHAR NOT NULL,
    geonameid BIGINT NOT NULL,
    lat       DOUBLE PRECISION NOT NULL,
    lon       DOUBLE PRECISION NOT NULL,
    country   VARCHAR NOT NULL,
    event     VARCHAR NOT NULL,
    month     INTEGER NOT NULL,
    month_to  INTEGER NOT NULL,
    n_events  BIGINT NOT NULL,
    n_stories BIGINT NOT NULL,
    PRIMARY KEY (anchor, place, geonameid, lat, lon, country, event, month, month_to)
);

-- Documents per main language (veille.store's _MAIN_LANGUAGE_SQL), and how many of them
-- were coded.
CREATE TABLE tally_languages (
    language  VARCHAR PRIMARY KEY,
    documents BIGINT NOT NULL,
    coded     BIGINT NOT NULL
);

-- People and office holders named in the documents (an actor brief's people), per code and
-- actor identity of the mention; a mention without office has office chr(1).
CREATE TABLE tally_people (
    code        VARCHAR NOT NULL,
    identity    VARCHAR NOT NULL,
    entity_text VARCHAR NOT NULL,
    office      VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    mentions    BIGINT NOT NULL,
    documents   BIGINT NOT NULL,
    first_row   VARCHAR,
    PRIMARY KEY (code, identity, entity_text, office, kind)
);

-- One row once the tables above hold the counts of every stored event.
CREATE TABLE tally_built (
    built_at TIMESTAMP NOT NULL
);
