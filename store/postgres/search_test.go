package postgres

import (
	"testing"

	"github.com/veille/veille/store/postgres/pgtest"
	"github.com/veille/veille/store/storetest"
)

// TestSearchManyMatches checks the searches that match more cards than are
// ranked (see [storetest.TestManyMatches]).
func TestSearchManyMatches(t *testing.T) {
	s, err := Open(t.Context(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.ImportRankCards(t, s)
	storetest.TestManyMatches(t, s, func(n int) { s.rankAll = n })
}
