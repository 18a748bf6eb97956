-- Version 14: the summaries (migration 8) count the events of each pair of identities too,
-- under anchors of their own (veille.summaries.pair_anchor): what the dashboard's overview
-- of a click on a partner or an edge reads, instead of finding the pair's events among
-- all of the actor's. The counts are made again, pairs included, when a Store opens the
-- database for writing and finds tally_built empty; until then they are read as before,
-- and a pair's from the events. Portable SQL.

DELETE FROM tally_built;
