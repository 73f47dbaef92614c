// Package storetest gives tests real databases: each test its own PostgreSQL schema (inside a
// database private to the test package) or its own SQLite file, migrated and ready.
//
// PostgreSQL comes from CONVENE_TEST_POSTGRES_URL (default the local server). When it cannot be
// reached the tests fail and say how to start it, unless CONVENE_TEST_SKIP_POSTGRES=1 opts out
// explicitly (make test-sqlite does).
package storetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Dialect names a database kind tests run on.
type Dialect string

// The two dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is a migrated database for one test.
type DB struct {
	*bun.DB
	Dialect Dialect
	// URL opens the same database again (for a second server instance or a CLI run).
	URL string
}

// Main wraps m.Run: it drops the package's PostgreSQL database when the tests end. Call it from
// TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	pkg.cleanup()
	return code
}

// Each runs fn as a subtest on PostgreSQL and on SQLite, each with a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, d := range []Dialect{Postgres, SQLite} {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh migrated database of dialect d, closed when the test ends.
func Open(t testing.TB, d Dialect) *DB {
	t.Helper()
	ctx := context.Background()
	var tdb *DB
	switch d {
	case SQLite:
		u := "sqlite:" + filepath.Join(t.TempDir(), "test.db")
		db, err := store.Open(ctx, u, store.Options{MaxConns: 4})
		if err != nil {
			t.Fatalf("opening sqlite: %v", err)
		}
		tdb = &DB{DB: db, Dialect: SQLite, URL: u}
	case Postgres:
		if os.Getenv("CONVENE_TEST_SKIP_POSTGRES") == "1" {
			t.Skip("PostgreSQL tests skipped: CONVENE_TEST_SKIP_POSTGRES=1")
		}
		u := pkg.schemaURL(t)
		db, err := store.Open(ctx, u, store.Options{MaxConns: 4})
		if err != nil {
			t.Fatalf("opening postgres %s: %v", u, err)
		}
		tdb = &DB{DB: db, Dialect: Postgres, URL: u}
	default:
		t.Fatalf("unknown dialect %q", d)
	}
	t.Cleanup(func() { tdb.Close() })
	if _, err := store.Migrate(ctx, tdb.DB); err != nil {
		t.Fatalf("migrating %s: %v", d, err)
	}
	return tdb
}

// pkg is the one PostgreSQL database of this test binary; a test binary is one package.
var pkg = &pgPackage{}

type pgPackage struct {
	once    sync.Once
	err     error
	admin   string // URL of the maintenance database
	dbURL   string // URL of this package's database
	dbName  string
	schemas atomic.Int64
}

// schemaURL creates a new schema in the package's database and returns a URL that uses it.
func (p *pgPackage) schemaURL(t testing.TB) string {
	t.Helper()
	p.once.Do(p.create)
	if p.err != nil {
		t.Fatalf("%v\nPostgreSQL is needed for these tests. Start the local server with\n"+
			"  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"+
			"or point CONVENE_TEST_POSTGRES_URL at one (trust auth, user postgres), or opt out\n"+
			"explicitly with CONVENE_TEST_SKIP_POSTGRES=1 (make test-sqlite).", p.err)
	}
	schema := fmt.Sprintf("t%d", p.schemas.Add(1))
	db, err := store.Open(context.Background(), p.dbURL, store.Options{MaxConns: 1})
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	u, _ := url.Parse(p.dbURL)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

var leftover = regexp.MustCompile(`^convene_t_(\d+)_\d+$`)

func (p *pgPackage) create() {
	ctx := context.Background()
	p.admin = os.Getenv("CONVENE_TEST_POSTGRES_URL")
	if p.admin == "" {
		p.admin = defaultURL
	}
	admin, err := store.Open(ctx, p.admin, store.Options{MaxConns: 1})
	if err != nil {
		p.err = fmt.Errorf("connecting to PostgreSQL at %s: %w", p.admin, err)
		return
	}
	defer admin.Close()
	// Drop databases left by test binaries that died before their cleanup ran.
	var names []string
	if err := admin.NewRaw("SELECT datname FROM pg_database WHERE datname LIKE 'convene_t_%'").Scan(ctx, &names); err != nil {
		p.err = fmt.Errorf("listing test databases: %w", err)
		return
	}
	for _, name := range names {
		m := leftover.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		if pid, _ := strconv.Atoi(m[1]); processAlive(pid) {
			continue
		}
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	p.dbName = fmt.Sprintf("convene_t_%d_%d", os.Getpid(), os.Getppid())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+p.dbName); err != nil {
		p.err = fmt.Errorf("creating test database %s: %w", p.dbName, err)
		return
	}
	u, err := url.Parse(p.admin)
	if err != nil {
		p.err = fmt.Errorf("parsing CONVENE_TEST_POSTGRES_URL: %w", err)
		return
	}
	u.Path = "/" + p.dbName
	p.dbURL = u.String()
}

func (p *pgPackage) cleanup() {
	if p.dbName == "" {
		return
	}
	admin, err := store.Open(context.Background(), p.admin, store.Options{MaxConns: 1})
	if err != nil {
		fmt.Fprintf(os.Stderr, "storetest: dropping %s: %v\n", p.dbName, err)
		return
	}
	defer admin.Close()
	if _, err := admin.Exec("DROP DATABASE IF EXISTS " + p.dbName + " WITH (FORCE)"); err != nil {
		fmt.Fprintf(os.Stderr, "storetest: dropping %s: %v\n", p.dbName, err)
	}
}

func processAlive(pid int) bool {
	_, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	return err == nil
}
