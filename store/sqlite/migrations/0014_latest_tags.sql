-- 0014: the themes and keywords of each document's newest card, packed
-- in its row of the listing, so that the facets of a selection read the
-- selection's rows of card_latest only, once, instead of also reading
-- their many rows of card_tags. One line per distinct tag, as card_tags
-- holds it: 't' for a theme or 'k' for a keyword, then the value with
-- each backslash written \\ and each line feed \n (see packTags in
-- collection.go, which writes it for each new card). card_tags stays:
-- filters and the facets of the whole collection or of a category read
-- its indexes.
ALTER TABLE card_latest ADD COLUMN tags TEXT NOT NULL DEFAULT '';
UPDATE card_latest SET tags = COALESCE((
    SELECT group_concat(substr(t.kind, 1, 1) || replace(replace(t.value, '\', '\\'), char(10), '\n'), char(10))
    FROM card_tags t WHERE t.card_id = card_latest.card_id), '');
