package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerProcessContact adds a process's contact address: the ORGANIZER of its invites and
// feeds, which people's calendars send their replies to, so they reach its organisers rather
// than the site's sender, which nobody reads.
func registerProcessContact(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `ALTER TABLE processes ADD COLUMN contact_email VARCHAR(254) NOT NULL DEFAULT ''`)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `ALTER TABLE processes DROP COLUMN contact_email`)
	})
}
