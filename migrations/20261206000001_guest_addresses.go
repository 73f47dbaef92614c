package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerGuestAddresses makes a guest's address unique among guests only: it covered accounts'
// registrations too, so a guest registration typed with a member's address made the member's
// own a unique violation, for good. Addresses are stored in one canonical form from now on;
// those stored before are lower-cased where that joins no two registrations.
func registerGuestAddresses(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`DROP INDEX registrations_email_idx`,
			`UPDATE registrations SET email = LOWER(email) WHERE email <> LOWER(email) AND NOT EXISTS (
				SELECT 1 FROM registrations o WHERE o.forum_id = registrations.forum_id AND o.session_id = registrations.session_id
					AND o.id <> registrations.id AND LOWER(o.email) = LOWER(registrations.email))`,
			`CREATE UNIQUE INDEX registrations_guest_email_idx ON registrations (forum_id, session_id, email)
				WHERE account_id IS NULL AND email <> ''`,
			`CREATE INDEX registrations_email_idx ON registrations (email)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP INDEX registrations_email_idx`, `DROP INDEX registrations_guest_email_idx`,
			`CREATE UNIQUE INDEX registrations_email_idx ON registrations (forum_id, session_id, email) WHERE email <> ''`)
	})
}
