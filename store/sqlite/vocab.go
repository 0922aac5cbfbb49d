package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// vocabCache remembers how many cards hold each word, for as long as the
// full-text index is unchanged. FTS5 counts a word's cards by reading its
// whole list of cards, which for a common word of a large collection takes
// milliseconds; RelatedByText asks for dozens of words, and the static
// site's export asks for every card's. In a large collection, a word's
// count is estimated from a sample, the newest sampleCards cards, unless
// the sample shows it rare (see wordCards).
type vocabCache struct {
	mu    sync.Mutex
	stamp string         // the index's state the counts are of (see indexState)
	total int            // cards in the index
	from  int64          // the lowest card id of the sample; 0: no sample, counts are exact
	docs  map[string]int // word → cards holding it (0: none)
}

// maxVocabCache bounds the cached words; the cache starts over beyond.
const maxVocabCache = 200_000

// sampleCards is the size of the sample word counts are estimated from,
// in a collection of more than twice as many cards: a word held by 1% of
// the cards is estimated within a quarter or so, which is enough to tell
// rare words from common ones.
const sampleCards = 2_000

// exactBelow is the count in the sample under which a word's count is
// read exactly: a rare word's is cheap to read, and whether another card
// holds it matters.
const exactBelow = 20

// indexState reads the state of the full-text index: FTS5's averages
// record (row 1 of card_search_data: rows and words indexed) and
// structure record (row 10: its segments, with a counter of writes), one
// of which changes with every write to the index, as stamp; and the
// number of cards indexed, the averages record's first number.
func (s *Store) indexState(ctx context.Context) (stamp string, total int, err error) {
	rows, err := s.query(ctx, `SELECT id, block FROM card_search_data WHERE id IN (1, 10) ORDER BY id`)
	if err != nil {
		return "", 0, fmt.Errorf("state of the index: %w", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id int64
		var block []byte
		if err := rows.Scan(&id, &block); err != nil {
			return "", 0, fmt.Errorf("state of the index: %w", err)
		}
		if id == 1 {
			total = int(sqliteVarint(block))
		}
		fmt.Fprintf(&b, "%x.", block)
	}
	if err := rows.Err(); err != nil {
		return "", 0, fmt.Errorf("state of the index: %w", err)
	}
	return b.String(), total, nil
}

// sqliteVarint decodes the SQLite variable-length integer b starts with
// (big-endian groups of 7 bits, the 9th byte whole), as FTS5 writes them.
func sqliteVarint(b []byte) uint64 {
	var v uint64
	for i, c := range b {
		if i == 8 {
			return v<<8 | uint64(c)
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			break
		}
	}
	return v
}

// wordCards returns how many cards hold each of ws (absent: none) and how
// many cards the collection has. In a collection of more than
// 2×sampleCards cards, a word found in exactBelow or more of the newest
// sampleCards cards has its count estimated from theirs.
func (s *Store) wordCards(ctx context.Context, ws []string) (map[string]int, int, error) {
	stamp, total, err := s.indexState(ctx)
	if err != nil {
		return nil, 0, err
	}
	c := &s.vocab
	c.mu.Lock()
	fresh := c.stamp != stamp || c.total != total || len(c.docs) > maxVocabCache
	c.mu.Unlock()
	var from int64
	if fresh && total > 2*sampleCards {
		err := s.queryRow(ctx, `SELECT card_id FROM card_latest ORDER BY card_id DESC LIMIT 1 OFFSET ?`,
			sampleCards-1).Scan(&from)
		if err != nil {
			return nil, 0, fmt.Errorf("sample of the index: %w", err)
		}
	}
	c.mu.Lock()
	if fresh {
		c.stamp, c.total, c.from, c.docs = stamp, total, from, map[string]int{}
	}
	from = c.from
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
	read, err := s.countWords(ctx, missing, from, total)
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

// countWords counts the cards holding each of ws: exactly when from is 0,
// else estimated from the cards from card id from on (sampleCards of
// total), unless fewer than exactBelow of those hold the word.
func (s *Store) countWords(ctx context.Context, ws []string, from int64, total int) (map[string]int, error) {
	if from == 0 {
		return s.readWordCards(ctx, ws)
	}
	out := map[string]int{}
	var exact []string
	for _, w := range ws {
		var n int
		err := s.queryRow(ctx, `SELECT count(*) FROM card_search WHERE card_search MATCH ? AND rowid >= ?`,
			matchExpr([]string{w}, "AND"), from).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("frequency of %q: %w", w, err)
		}
		if n < exactBelow {
			exact = append(exact, w)
			continue
		}
		out[w] = int(int64(n) * int64(total) / sampleCards)
	}
	if len(exact) > 0 {
		read, err := s.readWordCards(ctx, exact)
		if err != nil {
			return nil, err
		}
		for w, n := range read {
			out[w] = n
		}
	}
	return out, nil
}

// readWordCards reads from card_search_vocab how many cards hold each of
// ws, in one query.
func (s *Store) readWordCards(ctx context.Context, ws []string) (map[string]int, error) {
	args := make([]any, len(ws))
	for i, w := range ws {
		args[i] = w
	}
	rows, err := s.query(ctx, `SELECT term, doc FROM card_search_vocab
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
