package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerPrivacy records, with each account, the version of the privacy notice it accepted and
// when.
func registerPrivacy(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`ALTER TABLE accounts ADD COLUMN privacy_version VARCHAR(20) NOT NULL DEFAULT ''`,
			`ALTER TABLE accounts ADD COLUMN privacy_accepted_at {ts}`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `ALTER TABLE accounts DROP COLUMN privacy_accepted_at`, `ALTER TABLE accounts DROP COLUMN privacy_version`)
	})
}
