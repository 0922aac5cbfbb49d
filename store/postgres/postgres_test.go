package postgres_test

import (
	"context"
	"testing"

	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
	"github.com/veille/veille/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// migrated is a database with the store's schema, copied for each test.
func migrated(t testing.TB) string {
	return pgtest.NewDatabaseFrom(t, "migrated", func(dsn string) error {
		s, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			return err
		}
		return s.Close()
	})
}

// open opens a store on a new, empty database.
func open(t *testing.T) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), migrated(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Backend { return open(t) })
}
