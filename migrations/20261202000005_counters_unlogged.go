package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// registerCountersUnlogged keeps rate-limit counts out of PostgreSQL's write-ahead log. A count
// is written on every limited request, and each write was a commit waiting for the disk; after
// a crash the table comes back empty, which only starts every window afresh. SQLite has no such
// table kind: its counts stay as they are.
func registerCountersUnlogged(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if db.Dialect().Name() != dialect.PG {
			return nil
		}
		return ddl(ctx, db, `ALTER TABLE rate_limits SET UNLOGGED`)
	}, func(ctx context.Context, db *bun.DB) error {
		if db.Dialect().Name() != dialect.PG {
			return nil
		}
		return ddl(ctx, db, `ALTER TABLE rate_limits SET LOGGED`)
	})
}
