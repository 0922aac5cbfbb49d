-- 0007: the columns and indexes that let a /cards page (a listing filtered
-- on a category and a theme, its count, its theme and week facets) read
-- indexes in order instead of computing a value for every row.

-- The card's ISO week ("2026-W05"), strftime('%G-W%V', published), or ''
-- when it has no date: the week facet groups on an index instead of
-- computing strftime for every card.
ALTER TABLE card_latest ADD COLUMN week TEXT NOT NULL DEFAULT '';
UPDATE card_latest SET week = COALESCE(strftime('%G-W%V', published), '');
CREATE INDEX card_latest_week ON card_latest (week);
CREATE INDEX card_latest_category_week ON card_latest (category, week);

-- The category of the tag's card (as card_latest.category), so that the
-- themes or keywords of one category are counted from one index range.
ALTER TABLE card_tags ADD COLUMN category TEXT NOT NULL DEFAULT '';
UPDATE card_tags SET category = COALESCE(
    (SELECT c.category FROM card_latest c WHERE c.card_id = card_tags.card_id), '');
CREATE INDEX card_tags_category ON card_tags (kind, category, value);
