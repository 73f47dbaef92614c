package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerRateLimits gives rate limits a table of their own: a count and the end of its
// window per key, counted by one upsert per request.
func registerRateLimits(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE rate_limits (key VARCHAR(300) PRIMARY KEY, hits INTEGER NOT NULL, resets_at {ts} NOT NULL)`,
			`CREATE INDEX rate_limits_resets_idx ON rate_limits (resets_at)`,
			`DELETE FROM kv WHERE key LIKE 'limit:%'`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE rate_limits`)
	})
}
