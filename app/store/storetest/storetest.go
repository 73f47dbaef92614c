// Package storetest gives tests real databases: each test its own PostgreSQL database or SQLite
// file, migrated and ready. The migrations run once per test binary, into a template; each test
// gets a copy of it (CREATE DATABASE ... TEMPLATE, or a copied file).
//
// PostgreSQL comes from CONVENE_TEST_POSTGRES_URL (default the local server). When it cannot be
// reached the tests fail and say how to start it, unless CONVENE_TEST_SKIP_POSTGRES=1 opts out
// explicitly (make test-sqlite does).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
	// Seed names the seed it was copied from ("": the migrated template).
	Seed string
}

// Main wraps m.Run: it drops the package's PostgreSQL databases when the tests end. Call it from
// TestMain: os.Exit(storetest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	pkg.cleanup()
	return code
}

// Each runs fn as a subtest on PostgreSQL and on SQLite, each with a fresh migrated database.
// The two run in parallel (each has a database of its own), and beside the other parallel
// tests of the package.
func Each(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	EachFrom(t, nil, fn)
}

// EachFrom is Each with databases that hold what seed put in (nil: none).
func EachFrom(t *testing.T, seed *Seed, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, d := range []Dialect{Postgres, SQLite} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, OpenFrom(t, d, seed))
		})
	}
}

// Seed is content many tests start from (the demo): it is put in once per test binary and
// dialect, into a copy of the migrated template, and each test gets a copy of that, as it gets
// a copy of the migrated template, instead of filling its database again.
type Seed struct {
	name string
	fill func(ctx context.Context, db *bun.DB) error

	mu   sync.Mutex
	made map[Dialect]*seeded
}

// seeded is a seed's template in one dialect: a SQLite file or a PostgreSQL database's name.
type seeded struct {
	once sync.Once
	ref  string
	err  error
}

// NewSeed names content and the function that puts it in a migrated database. The name is a
// lower-case word: it becomes part of a database's name.
func NewSeed(name string, fill func(ctx context.Context, db *bun.DB) error) *Seed {
	if !regexp.MustCompile(`^[a-z][a-z0-9]*$`).MatchString(name) {
		panic("storetest: a seed's name is a lower-case word: " + name)
	}
	return &Seed{name: name, fill: fill, made: map[Dialect]*seeded{}}
}

// template returns the seed's template in dialect d, made on first use: a SQLite file's path,
// or the name of a PostgreSQL database nobody stays connected to.
func (s *Seed) template(t testing.TB, d Dialect) string {
	t.Helper()
	s.mu.Lock()
	m := s.made[d]
	if m == nil {
		m = &seeded{}
		s.made[d] = m
	}
	s.mu.Unlock()
	var migrated string // the template it starts from, made (or failed) before the seed's turn
	if d == SQLite {
		migrated = pkg.sqliteTemplate(t)
	}
	m.once.Do(func() {
		ctx := context.Background()
		var u string
		switch d {
		case SQLite:
			m.ref = filepath.Join(filepath.Dir(migrated), "seed-"+s.name+".db")
			if m.err = copyFile(migrated, m.ref); m.err != nil {
				return
			}
			u = "sqlite:" + m.ref
		case Postgres:
			m.ref = pkg.prefix + "seed_" + s.name
			if m.err = pkg.createFrom(m.ref, pkg.prefix+"tpl"); m.err != nil {
				return
			}
			u = pkg.databaseURL(m.ref)
		}
		db, err := store.Open(ctx, u, store.Options{MaxConns: 1})
		if err != nil {
			m.err = err
			return
		}
		m.err = s.fill(ctx, db)
		// Closed before it is copied: PostgreSQL copies no database others are connected to,
		// and closing SQLite's last connection checkpoints its WAL into the file.
		if err := db.Close(); m.err == nil {
			m.err = err
		}
	})
	if m.err != nil {
		t.Fatalf("putting seed %s in %s: %v", s.name, d, m.err)
	}
	return m.ref
}

// Open returns a fresh migrated database of dialect d, closed (and on PostgreSQL dropped) when
// the test ends. It is a copy of a template migrated once per test binary: a SQLite file copied,
// or a PostgreSQL database created from the template database, so no test runs the migrations.
func Open(t testing.TB, d Dialect) *DB {
	t.Helper()
	return OpenFrom(t, d, nil)
}

// OpenFrom is Open with a database that holds what seed put in (nil: none).
func OpenFrom(t testing.TB, d Dialect, seed *Seed) *DB {
	t.Helper()
	ctx := context.Background()
	var tdb *DB
	switch d {
	case SQLite:
		from := pkg.sqliteTemplate(t)
		if seed != nil {
			from = seed.template(t, d)
		}
		path := filepath.Join(t.TempDir(), "test.db")
		if err := copyFile(from, path); err != nil {
			t.Fatalf("copying the migrated SQLite template: %v", err)
		}
		u := "sqlite:" + path
		db, err := store.Open(ctx, u, store.Options{MaxConns: 3, BusyTimeout: time.Minute})
		if err != nil {
			t.Fatalf("opening sqlite: %v", err)
		}
		tdb = &DB{DB: db, Dialect: SQLite, URL: u}
	case Postgres:
		if os.Getenv("CONVENE_TEST_SKIP_POSTGRES") == "1" {
			t.Skip("PostgreSQL tests skipped: CONVENE_TEST_SKIP_POSTGRES=1")
		}
		u := pkg.cloneURL(t, seed)
		db, err := store.Open(ctx, u, store.Options{MaxConns: 3, BusyTimeout: time.Minute})
		if err != nil {
			t.Fatalf("opening postgres %s: %v", u, err)
		}
		tdb = &DB{DB: db, Dialect: Postgres, URL: u}
	default:
		t.Fatalf("unknown dialect %q", d)
	}
	if seed != nil {
		tdb.Seed = seed.name
	}
	t.Cleanup(func() { tdb.Close() })
	return tdb
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}

// pkg holds this test binary's templates; a test binary is one package.
var pkg = &templates{}

type templates struct {
	sqliteOnce sync.Once
	sqliteDir  string
	sqliteErr  error

	pgOnce sync.Once
	pgErr  error
	admin  string  // URL of the maintenance database
	prefix string  // names of this binary's databases start with it
	owner  *bun.DB // holds this binary's advisory lock while it runs
	tplURL string
	clones atomic.Int64
}

// sqliteTemplate returns the path of a SQLite file migrated once for the whole binary.
func (p *templates) sqliteTemplate(t testing.TB) string {
	t.Helper()
	p.sqliteOnce.Do(func() {
		if p.sqliteDir, p.sqliteErr = os.MkdirTemp("", "convene-sqlite-template-"); p.sqliteErr != nil {
			return
		}
		ctx := context.Background()
		db, err := store.Open(ctx, "sqlite:"+filepath.Join(p.sqliteDir, "template.db"), store.Options{MaxConns: 1})
		if err != nil {
			p.sqliteErr = err
			return
		}
		if _, err := store.Migrate(ctx, db); err != nil {
			db.Close()
			p.sqliteErr = fmt.Errorf("migrating: %w", err)
			return
		}
		// Closing the last connection checkpoints the WAL into the file and removes it.
		p.sqliteErr = db.Close()
	})
	if p.sqliteErr != nil {
		t.Fatalf("making the SQLite template: %v", p.sqliteErr)
	}
	return filepath.Join(p.sqliteDir, "template.db")
}

// ownerPrefix finds the prefix of the test binary that made a database.
var ownerPrefix = regexp.MustCompile(`^convene_t_[0-9a-f]+_`)

// ownerKey is the advisory lock a test binary holds while it runs, by its prefix: a database
// whose owner's lock can be taken was left behind by a binary that died.
func ownerKey(prefix string) int64 {
	h := fnv.New64a()
	h.Write([]byte(prefix))
	return int64(h.Sum64())
}

// cloneURL creates a database from the package's migrated template (or seed's) and returns its
// URL; the database is dropped when the test ends.
func (p *templates) cloneURL(t testing.TB, seed *Seed) string {
	t.Helper()
	p.pgOnce.Do(p.createTemplate)
	if p.pgErr != nil {
		t.Fatalf("%v\nPostgreSQL is needed for these tests. Start the local server with\n"+
			"  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"+
			"or point CONVENE_TEST_POSTGRES_URL at one (trust auth, user postgres), or opt out\n"+
			"explicitly with CONVENE_TEST_SKIP_POSTGRES=1 (make test-sqlite).", p.pgErr)
	}
	from := p.prefix + "tpl"
	if seed != nil {
		from = seed.template(t, Postgres)
	}
	name := fmt.Sprintf("%s%d", p.prefix, p.clones.Add(1))
	if err := p.createFrom(name, from); err != nil {
		t.Fatalf("creating test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := store.Open(context.Background(), p.admin, store.Options{MaxConns: 1})
		if err != nil {
			return // the package's cleanup drops it
		}
		defer admin.Close()
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return p.databaseURL(name)
}

// createFrom creates database name as a copy of database from. Its commits do not wait for the
// disk: a crash would lose only a test's data, and the tests spend far less time waiting.
func (p *templates) createFrom(name, from string) error {
	admin, err := store.Open(context.Background(), p.admin, store.Options{MaxConns: 1})
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer admin.Close()
	if _, err = admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + from); err != nil {
		return err
	}
	_, err = admin.Exec("ALTER DATABASE " + name + " SET synchronous_commit = off")
	return err
}

func (p *templates) databaseURL(name string) string {
	u, _ := url.Parse(p.admin)
	u.Path = "/" + name
	return u.String()
}

// createTemplate drops what crashed runs left, then creates and migrates the template.
func (p *templates) createTemplate() {
	ctx := context.Background()
	p.admin = os.Getenv("CONVENE_TEST_POSTGRES_URL")
	if p.admin == "" {
		p.admin = defaultURL
	}
	if _, err := url.Parse(p.admin); err != nil {
		p.pgErr = fmt.Errorf("parsing CONVENE_TEST_POSTGRES_URL: %w", err)
		return
	}
	admin, err := store.Open(ctx, p.admin, store.Options{MaxConns: 1})
	if err != nil {
		p.pgErr = fmt.Errorf("connecting to PostgreSQL at %s: %w", p.admin, err)
		return
	}
	defer admin.Close()
	var names []string
	if err := admin.NewRaw("SELECT datname FROM pg_database WHERE datname LIKE 'convene_t_%'").Scan(ctx, &names); err != nil {
		p.pgErr = fmt.Errorf("listing test databases: %w", err)
		return
	}
	// This binary's prefix is random, so binaries in other PID namespaces never collide, and
	// it holds its advisory lock on a connection of its own until it ends.
	raw := make([]byte, 6)
	_, _ = rand.Read(raw)
	p.prefix = "convene_t_" + hex.EncodeToString(raw) + "_"
	if p.owner, err = store.Open(ctx, p.admin, store.Options{MaxConns: 1}); err != nil {
		p.pgErr = err
		return
	}
	p.owner.SetMaxIdleConns(1)
	p.owner.SetConnMaxIdleTime(0)
	if _, err := p.owner.ExecContext(ctx, "SELECT pg_advisory_lock(?)", ownerKey(p.prefix)); err != nil {
		p.pgErr = fmt.Errorf("taking this test binary's lock: %w", err)
		return
	}
	for _, name := range names {
		prefix := ownerPrefix.FindString(name)
		if prefix == "" {
			continue
		}
		var dead bool
		if err := admin.NewRaw("SELECT pg_try_advisory_lock(?)", ownerKey(prefix)).Scan(ctx, &dead); err != nil || !dead {
			continue // its binary still runs
		}
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_, _ = admin.ExecContext(ctx, "SELECT pg_advisory_unlock(?)", ownerKey(prefix))
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+p.prefix+"tpl"); err != nil {
		p.pgErr = fmt.Errorf("creating the template database: %w", err)
		return
	}
	p.tplURL = p.databaseURL(p.prefix + "tpl")
	tpl, err := store.Open(ctx, p.tplURL, store.Options{MaxConns: 1})
	if err != nil {
		p.pgErr = err
		return
	}
	defer tpl.Close() // no one may be connected to a template while it is copied
	if _, err := store.Migrate(ctx, tpl); err != nil {
		p.pgErr = fmt.Errorf("migrating the template database: %w", err)
	}
}

// cleanup drops every database of this binary and the SQLite template.
func (p *templates) cleanup() {
	if p.sqliteDir != "" {
		os.RemoveAll(p.sqliteDir)
	}
	if p.prefix == "" {
		return
	}
	if p.owner != nil {
		defer p.owner.Close() // releases the lock once the databases are gone
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, p.admin, store.Options{MaxConns: 1})
	if err != nil {
		fmt.Fprintf(os.Stderr, "storetest: dropping test databases: %v\n", err)
		return
	}
	defer admin.Close()
	var names []string
	_ = admin.NewRaw("SELECT datname FROM pg_database WHERE datname LIKE 'convene_t_%'").Scan(ctx, &names)
	for _, name := range names {
		if !strings.HasPrefix(name, p.prefix) {
			continue // another test binary's (LIKE would read the prefix's underscores as wildcards)
		}
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "storetest: dropping %s: %v\n", name, err)
		}
	}
}
