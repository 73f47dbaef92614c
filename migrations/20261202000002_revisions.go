package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerRevisions adds the counters that instances key their in-memory caches by: "content"
// grows with every change to what public pages show, "logins" with every change to who is
// signed in as whom (a sign-out, an ended login, a new password, a role, a profile). Each is
// grown in the change's own transaction, so a change shows at once on every instance.
func registerRevisions(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE revisions (name VARCHAR(20) PRIMARY KEY, value BIGINT NOT NULL)`,
			`INSERT INTO revisions (name, value) VALUES ('content', 1), ('logins', 1)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE revisions`)
	})
}
