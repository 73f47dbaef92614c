package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestMigrationsCurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		n, err := store.Pending(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("pending migrations after Migrate: %d", n)
		}
		applied, err := store.Migrate(ctx, db.DB)
		if err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, want nothing", applied)
		}
	})
}

// TestConcurrentWriters checks that concurrent read-modify-write transactions neither fail with
// "database is locked" on SQLite nor lose updates on PostgreSQL.
func TestConcurrentWriters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		if _, err := db.ExecContext(ctx, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO counter VALUES (1, 0)"); err != nil {
			t.Fatal(err)
		}
		const writers = 20
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					var n int
					q := tx.NewSelect().Table("counter").Column("n").Where("id = 1")
					if err := store.ForUpdate(q, tx).Scan(ctx, &n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, "UPDATE counter SET n = ? WHERE id = 1", n+1)
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("writer: %v", err)
			}
		}
		var n int
		if err := db.NewSelect().Table("counter").Column("n").Where("id = 1").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if n != writers {
			t.Fatalf("counter = %d, want %d", n, writers)
		}
	})
}

// TestConnectionsCutWhileIdle: PostgreSQL ends the pool's idle connections (as a restart does);
// the next queries still succeed, on new connections, instead of failing with the server's
// goodbye.
func TestConnectionsCutWhileIdle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tdb := storetest.Open(t, storetest.Postgres)
	db, err := store.Open(ctx, tdb.URL, store.Options{MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	pids := make([]int64, 3)
	for i := range pids { // three connections, each idle in the pool after
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = db.NewRaw("SELECT pg_backend_pid() FROM pg_sleep(0.05)").Scan(ctx, &pids[i])
		}()
	}
	wg.Wait()
	if _, err := tdb.NewRaw("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (?)", bun.List(pids)).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		left, err := tdb.NewSelect().TableExpr("pg_stat_activity").Where("pid IN (?)", bun.List(pids)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
	}
	for i := range 5 {
		var one int
		if err := db.NewRaw("SELECT 1").Scan(ctx, &one); err != nil {
			t.Fatalf("query %d after the connections were cut: %v", i+1, err)
		}
	}
}

// TestSeedsAreFilledOnceAndCopied: a seed is put in once per database kind, every test starts
// from a copy holding it, and what one test writes stays out of the seed and of the others.
func TestSeedsAreFilledOnceAndCopied(t *testing.T) {
	var fills sync.Map // dialect → fills
	seed := storetest.NewSeed("kv", func(ctx context.Context, db *bun.DB) error {
		d := "sqlite"
		if db.Dialect().Name().String() == "pg" {
			d = "postgres"
		}
		n, _ := fills.LoadOrStore(d, new(int))
		*n.(*int)++
		_, err := db.NewRaw("INSERT INTO kv (key, value, expires_at) VALUES ('seeded', 'yes', NULL)").Exec(ctx)
		return err
	})
	t.Run("first", func(t *testing.T) {
		storetest.EachFrom(t, seed, func(t *testing.T, db *storetest.DB) {
			if db.Seed != "kv" {
				t.Errorf("the copy says it comes from %q", db.Seed)
			}
			if _, err := db.NewRaw("INSERT INTO kv (key, value, expires_at) VALUES ('mine', 'first', NULL)").Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("second", func(t *testing.T) {
		storetest.EachFrom(t, seed, func(t *testing.T, db *storetest.DB) {
			var keys []string
			if err := db.NewRaw("SELECT key FROM kv ORDER BY key").Scan(context.Background(), &keys); err != nil {
				t.Fatal(err)
			}
			if len(keys) != 1 || keys[0] != "seeded" {
				t.Errorf("a second copy holds %v, want only what the seed put in", keys)
			}
		})
	})
	fills.Range(func(d, n any) bool {
		if *n.(*int) != 1 {
			t.Errorf("the seed was put in %d times on %s", *n.(*int), d)
		}
		return true
	})
}

// TestSQLiteFileWhereThePathSays: a folder named with '#', '?', '%' or a space holds the database
// the path names; SQLite reads its path as a URI, where those mean something else.
func TestSQLiteFileWhereThePathSays(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"uno#dos", "uno?dos", "uno%20dos", "uno dos", "ñandú"} {
		path := filepath.Join(t.TempDir(), dir, "convene.db")
		db, err := store.Open(context.Background(), "sqlite:"+path, store.Options{MaxConns: 1})
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		_, err = db.Exec("CREATE TABLE here (x INTEGER)")
		db.Close()
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: the database is not at its path: %v", dir, err)
		}
	}
}
