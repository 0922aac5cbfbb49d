-- 0008: a second, small full-text index of each document's newest card:
-- the lexemes of its title (weight A), keywords and themes (B) only, taken
-- from the head column of card_search. A search matching thousands of
-- cards ranks the newest cards holding its words there, read from this
-- index's short lists, instead of ranking every match (see search.go).
-- Queries must repeat the indexed expression exactly.
CREATE INDEX card_search_heading ON card_search USING gin (ts_filter(head, '{a,b}'));
