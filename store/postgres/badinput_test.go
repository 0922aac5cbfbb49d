package postgres_test

import (
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/veille/veille/store/postgres"
	"github.com/veille/veille/store/postgres/pgtest"
)

// TestOpenErrors checks that a database that cannot be used is refused in
// one line naming the server and the cause, never the password.
func TestOpenErrors(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	server := u.Host + u.Path
	wrongPassword := *u
	wrongPassword.User = url.UserPassword(u.User.Username(), "not-the-password")
	noDatabase := *u
	noDatabase.Path = "/no_such_database"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	tests := []struct {
		name, dsn string
		want      []string
	}{
		{"wrong password", wrongPassword.String(), []string{server, "password authentication failed"}},
		{"no database", noDatabase.String(), []string{u.Host + "/no_such_database", `database "no_such_database" does not exist`}},
		{"unknown host", "postgres://me:not-the-password@no-such-host.invalid:5432/veille", []string{"no-such-host.invalid:5432/veille", "unknown host"}},
		{"server down", "postgres://me:not-the-password@" + down + "/veille?connect_timeout=5", []string{down + "/veille", "connection refused"}},
		{"not a URL", "postgres://me:not-the-password@host:notaport/veille", []string{"not a valid connection URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := postgres.Open(t.Context(), tt.dsn)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			if strings.Contains(msg, "not-the-password") || strings.Contains(msg, pgtest.Password) || strings.Contains(msg, "\n") {
				t.Errorf("error %q shows a password or takes more than a line", msg)
			}
		})
	}
}

// TestNewerSchemaRefused checks that a database made by a newer program is
// not touched.
func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(t.Context(), `UPDATE meta SET value = '999' WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = postgres.Open(t.Context(), dsn)
	if err == nil {
		s.Close()
		t.Fatal("opened a database of a newer schema")
	}
	if msg := err.Error(); !strings.Contains(msg, "version 999 is newer than this program's ") {
		t.Errorf("error %q does not name both versions", msg)
	}
}
