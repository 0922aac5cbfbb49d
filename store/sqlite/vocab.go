package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// vocabCache remembers how many cards hold each word, as read from
// card_search_vocab, for as long as the full-text index is unchanged.
// FTS5 counts a word's cards by reading its whole list of cards, which for
// a common word of a large collection takes milliseconds; RelatedByText
// asks for dozens of words, and the static site's export asks for every
// card's.
type vocabCache struct {
	mu    sync.Mutex
	stamp string         // the index's state the counts are of (see indexStamp)
	total int            // cards in card_latest
	docs  map[string]int // word → cards holding it (0: none)
}

// maxVocabCache bounds the cached words; the cache starts over beyond.
const maxVocabCache = 200_000

// indexStamp identifies the state of the full-text index: FTS5's
// averages record (row 1 of card_search_data: rows and words indexed) and
// structure record (row 10: its segments, with a counter of writes), one
// of which changes with every write to the index.
const indexStamp = `SELECT COALESCE((SELECT group_concat(hex(block), '.') FROM card_search_data WHERE id IN (1, 10)), ''),
	(SELECT count(*) FROM card_latest)`

// wordCards returns how many cards hold each of ws (absent: none) and how
// many cards the collection has.
func (s *Store) wordCards(ctx context.Context, ws []string) (map[string]int, int, error) {
	var stamp string
	var total int
	if err := s.db.QueryRowContext(ctx, indexStamp).Scan(&stamp, &total); err != nil {
		return nil, 0, fmt.Errorf("state of the index: %w", err)
	}
	c := &s.vocab
	c.mu.Lock()
	if c.stamp != stamp || c.total != total || len(c.docs) > maxVocabCache {
		c.stamp, c.total, c.docs = stamp, total, map[string]int{}
	}
	out := map[string]int{}
	var missing []string
	for _, w := range ws {
		if n, ok := c.docs[w]; ok {
			out[w] = n
		} else {
			missing = append(missing, w)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, total, nil
	}
	read, err := s.readWordCards(ctx, missing)
	if err != nil {
		return nil, 0, err
	}
	c.mu.Lock()
	if c.stamp == stamp { // else the index changed meanwhile: not kept
		for _, w := range missing {
			c.docs[w] = read[w]
		}
	}
	c.mu.Unlock()
	for w, n := range read {
		out[w] = n
	}
	return out, total, nil
}

// readWordCards reads from card_search_vocab how many cards hold each of
// ws, in one query.
func (s *Store) readWordCards(ctx context.Context, ws []string) (map[string]int, error) {
	args := make([]any, len(ws))
	for i, w := range ws {
		args[i] = w
	}
	rows, err := s.db.QueryContext(ctx, `SELECT term, doc FROM card_search_vocab
		WHERE term IN (?`+strings.Repeat(", ?", len(ws)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("frequency of words: %w", err)
	}
	defer rows.Close()
	docs := map[string]int{}
	for rows.Next() {
		var w string
		var n int
		if err := rows.Scan(&w, &n); err != nil {
			return nil, fmt.Errorf("frequency of words: %w", err)
		}
		docs[w] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("frequency of words: %w", err)
	}
	return docs, nil
}
