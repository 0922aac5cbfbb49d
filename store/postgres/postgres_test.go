package postgres_test

import (
	"testing"

	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
	"github.com/veille/veille/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open opens a store on a new, empty database.
func open(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
}
