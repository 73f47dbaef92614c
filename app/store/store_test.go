package store_test

import (
	"context"
	"os"
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
