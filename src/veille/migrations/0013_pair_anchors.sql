-- Version 13: the summary tables count the events of each pair of actors too (a click on a
-- graph edge or a partner; veille.summaries, "anchors"). Marked as not built, the Store
-- counts them again once its migrations are done.
DELETE FROM tally_built;
