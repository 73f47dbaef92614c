package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerInviteUpdates adds when a registration's updated invite is due: a change to the
// programme marks those it concerns, and the sweep mails each one update once the changes of
// that minute are in (an organiser's ten edits send one mail).
func registerInviteUpdates(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`ALTER TABLE registrations ADD COLUMN invite_due_at {ts}`,
			`CREATE INDEX registrations_invite_due_idx ON registrations (invite_due_at) WHERE invite_due_at IS NOT NULL`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP INDEX registrations_invite_due_idx`, `ALTER TABLE registrations DROP COLUMN invite_due_at`)
	})
}
