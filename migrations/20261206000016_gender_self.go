package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerGenderSelf keeps how a registrant who answered "another identity" describes it, in
// their words; like the gender it is never shown beside their name, and it is erased with them.
func registerGenderSelf(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `ALTER TABLE registrations ADD COLUMN gender_self VARCHAR(100) NOT NULL DEFAULT ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `ALTER TABLE registrations DROP COLUMN gender_self`)
	})
}
