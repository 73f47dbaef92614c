package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerRegistrationShown keeps what a forum's public page last said of its places (places,
// few left, waitlist, mode by mode): the page is cached, and only a change of what it says
// makes it drawn again, not every registration.
func registerRegistrationShown(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE registration_shown (
				forum_id BIGINT PRIMARY KEY REFERENCES forums(id) ON DELETE CASCADE,
				shown TEXT NOT NULL
			)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE registration_shown`)
	})
}
