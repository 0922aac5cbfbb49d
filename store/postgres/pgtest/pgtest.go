// Package pgtest gives tests a throwaway PostgreSQL database.
//
// When the environment variable VEILLE_TEST_POSTGRES holds a connection
// URL (postgres://user:password@host:port/db), the databases are created
// on that server. Otherwise the first test that asks for one starts a
// private cluster with Debian's PostgreSQL binaries
// (/usr/lib/postgresql/VERSION/bin, or initdb on the PATH): initdb into a
// temporary directory (as the postgres user when the tests run as root),
// pg_ctl on a free loopback port with its socket in that directory,
// without fsync. Every test gets a fresh database of its own; [Main]
// stops the cluster and removes its directory when the test binary ends,
// so one cluster serves every test of a binary. Tests skip, with a
// message, when there is neither a server nor the binaries.
//
// A test package uses it through TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		dsn := pgtest.NewDatabase(t)
//		...
//	}
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Password is the password of the user postgres of a private cluster.
const Password = "pgtest-secret"

// EnvDSN names the environment variable pointing the tests at an existing
// server instead of a private cluster.
const EnvDSN = "VEILLE_TEST_POSTGRES"

// Cluster is the server the tests' databases live on.
type Cluster struct {
	// AdminDSN connects to the server's maintenance database as a user
	// who may create databases.
	AdminDSN string

	dir, bin string // the private cluster's directory and binaries ("" for VEILLE_TEST_POSTGRES)
	port     int
	asUser   string // the user running the cluster's commands ("" for the current one)
}

var (
	once     sync.Once
	shared   *Cluster
	startErr error
	seq      atomic.Int64

	templatesMu sync.Mutex
	templates   = map[string]*template{}
)

// template is a database prepared once and copied for each test.
type template struct {
	once sync.Once
	name string
	err  error
}

// Main runs the tests of m, then stops the private cluster if one was
// started, and exits with the tests' status.
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is [Main] without the exit: it returns the tests' status, for a
// TestMain that has more to clean up.
func Run(m *testing.M) int {
	code := m.Run()
	if shared != nil && shared.dir == "" { // the templates on a server the tests do not own
		for _, tmpl := range templates {
			if tmpl.err == nil {
				shared.exec(context.Background(), "DROP DATABASE IF EXISTS "+tmpl.name+" WITH (FORCE)")
			}
		}
	}
	if shared != nil && shared.dir != "" {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// Shared returns the cluster of this test binary, starting it on first
// use; it skips t when there is no PostgreSQL to run the test on.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	once.Do(func() { shared, startErr = start() })
	if errors.Is(startErr, errNoPostgres) {
		t.Skip(startErr)
	}
	if startErr != nil {
		t.Fatal(startErr)
	}
	return shared
}

// NewDatabase creates an empty database for t on the shared cluster and
// returns its connection URL; the database is dropped when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	c := Shared(t)
	name := fmt.Sprintf("veille_test_%d_%d", os.Getpid(), seq.Add(1))
	ctx := context.Background()
	if err := c.exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if err := c.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return c.DSN(name)
}

// NewDatabaseFrom is [NewDatabase] for a database prepared by setup: the
// first call for key creates a template database and runs setup on its
// connection URL (setup must close its connections), then every call
// copies the template, which is much faster than preparing each
// database (running migrations, say).
func NewDatabaseFrom(t testing.TB, key string, setup func(dsn string) error) string {
	t.Helper()
	c := Shared(t)
	templatesMu.Lock()
	tmpl, ok := templates[key]
	if !ok {
		tmpl = &template{name: fmt.Sprintf("veille_template_%d_%d", os.Getpid(), seq.Add(1))}
		templates[key] = tmpl
	}
	templatesMu.Unlock()
	ctx := context.Background()
	tmpl.once.Do(func() {
		if tmpl.err = c.exec(ctx, "CREATE DATABASE "+tmpl.name); tmpl.err == nil {
			tmpl.err = setup(c.DSN(tmpl.name))
		}
	})
	if tmpl.err != nil {
		t.Fatalf("template database %s: %v", key, tmpl.err)
	}
	name := fmt.Sprintf("veille_test_%d_%d", os.Getpid(), seq.Add(1))
	var err error
	for try := 0; try < 50; try++ { // the setup's connections may take a moment to close
		if err = c.exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl.name); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("create test database from %s: %v", key, err)
	}
	t.Cleanup(func() {
		if err := c.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return c.DSN(name)
}

// DSN is the connection URL of database name on the cluster.
func (c *Cluster) DSN(name string) string {
	u, err := url.Parse(c.AdminDSN)
	if err != nil { // AdminDSN was checked when the cluster started
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Restart restarts the private cluster (pg_ctl restart, fast shutdown):
// every connection is cut. It fails t on a shared server, which the tests
// must not restart.
func (c *Cluster) Restart(t testing.TB) {
	t.Helper()
	if c.dir == "" {
		t.Skip("restart: the tests run on the server of " + EnvDSN + ", which they do not restart")
	}
	if err := c.pgCtl("restart", "-m", "fast"); err != nil {
		t.Fatal(err)
	}
}

// exec runs one statement on the maintenance database.
func (c *Cluster) exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.AdminDSN)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// errNoPostgres is why the tests skip.
var errNoPostgres = errors.New("no PostgreSQL to test on: set " + EnvDSN +
	"=postgres://… or install Debian's postgresql package (initdb was not found)")

// start returns the server of VEILLE_TEST_POSTGRES, else starts a private
// cluster.
func start() (*Cluster, error) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvDSN, err)
		}
		return &Cluster{AdminDSN: dsn}, nil
	}
	bin := binDir()
	if bin == "" {
		return nil, errNoPostgres
	}
	return startPrivate(bin)
}

// binDir finds the directory of initdb and pg_ctl: the newest of Debian's
// /usr/lib/postgresql/*/bin, else the PATH's.
func binDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

// version is the major version in a path /usr/lib/postgresql/15/bin.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// startPrivate initialises and starts a cluster in a new temporary
// directory.
func startPrivate(bin string) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "veille-pg-")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pgtest: %w", err)
		}
		c.asUser = "postgres"
	}
	if err := c.initAndStart(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) initAndStart() error {
	// Connections over TCP need the password, so that tests can check a
	// wrong one is refused; those over the socket are trusted.
	pwfile := filepath.Join(c.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(Password+"\n"), 0o644); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if out, err := c.command("initdb", "-D", c.data(), "-U", "postgres", "--auth-local=trust",
		"--auth-host=scram-sha-256", "--pwfile="+pwfile, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: initdb: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	c.port = port
	if err := c.pgCtl("start"); err != nil {
		return err
	}
	c.AdminDSN = fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=disable", Password, port)
	return nil
}

// pgCtl runs pg_ctl action on the cluster, waiting for it to complete.
func (c *Cluster) pgCtl(action string, args ...string) error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "+
		"-c full_page_writes=off -c max_connections=200", c.port, c.dir)
	all := append([]string{action, "-D", c.data(), "-w", "-t", "60", "-l", filepath.Join(c.dir, "log"), "-o", opts}, args...)
	if out, err := c.command("pg_ctl", all...).CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("pgtest: pg_ctl %s: %w: %s\n%s", action, err, out, tail(string(log), 2000))
	}
	return nil
}

// stop stops the private cluster and removes its directory.
func (c *Cluster) stop() error {
	var err error
	if _, statErr := os.Stat(filepath.Join(c.data(), "postmaster.pid")); statErr == nil {
		if out, e := c.command("pg_ctl", "stop", "-D", c.data(), "-m", "immediate", "-w").CombinedOutput(); e != nil {
			err = fmt.Errorf("pg_ctl stop: %w: %s", e, out)
		}
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// command runs program of the cluster's binaries, as the postgres user
// when the tests run as root.
func (c *Cluster) command(program string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, program)
	if c.asUser == "" {
		return exec.Command(path, args...)
	}
	cmd := exec.Command("runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	cmd.Dir = c.dir // a directory the postgres user may enter
	return cmd
}

// freePort returns a loopback port nothing listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
