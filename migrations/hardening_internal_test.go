package migrations

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
)

// TestHardeningKeepsGrantIDsOnSQLite: rebuilding the grants table on SQLite turns session 0
// into NULL and never hands out again the id of a grant deleted before the rebuild.
func TestHardeningKeepsGrantIDsOnSQLite(t *testing.T) {
	ctx := context.Background()
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+filepath.Join(t.TempDir(), "h.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	db := bun.NewDB(sqldb, sqlitedialect.New())
	defer db.Close()
	before := migrate.NewMigrations()
	registerAccounts(before)
	registerOperations(before)
	registerProcesses(before)
	run := func(ms *migrate.Migrations) {
		m := migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))
		if err := m.Init(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	run(before)
	for _, q := range []string{
		`INSERT INTO accounts (id, email, name, password_hash, password_changed_at, created_at, updated_at) VALUES (1, 'a@x.org', 'A', 'h', '2026-01-01', '2026-01-01', '2026-01-01')`,
		`INSERT INTO processes (id, slug, code, title, description, general_objective, time_zone, languages, stakeholder_groups, status, created_at, updated_at)
			VALUES (1, 'p', 'P', '{}', '{}', '{}', 'UTC', '["es"]', '[]', 'open', '2026-01-01', '2026-01-01')`,
		`INSERT INTO grants (id, account_id, role, process_id, session_id, created_at) VALUES (1, 1, 'organiser', 1, 0, '2026-01-01')`,
		`INSERT INTO grants (id, account_id, role, process_id, session_id, created_at) VALUES (2, 1, 'moderator', 1, 7, '2026-01-01')`,
		`INSERT INTO grants (id, account_id, role, process_id, session_id, created_at) VALUES (3, 1, 'rapporteur', 1, 0, '2026-01-01')`,
		`DELETE FROM grants WHERE id = 3`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	run(New())
	var nulls int
	if err := db.NewRaw(`SELECT count(*) FROM grants WHERE session_id IS NULL`).Scan(ctx, &nulls); err != nil || nulls != 1 {
		t.Fatalf("grants of the whole process: %d (%v)", nulls, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO grants (account_id, role, process_id, created_at) VALUES (1, 'rapporteur', 1, '2026-01-02')`); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.NewRaw(`SELECT max(id) FROM grants`).Scan(ctx, &id); err != nil || id != 4 {
		t.Fatalf("the new grant got id %d (%v), want 4: a deleted grant's id came back", id, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO grants (account_id, role, process_id, created_at) VALUES (1, 'organiser', 1, '2026-01-02')`); err == nil {
		t.Fatal("a second organiser grant for the whole process was stored")
	}
}
