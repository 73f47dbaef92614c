package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerContentRevision adds the one counter that every change to what public pages show
// grows, in the change's own transaction: instances key their caches of rendered pages by it,
// so a change shows at once on all of them.
func registerContentRevision(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE content_revision (id INTEGER PRIMARY KEY, value BIGINT NOT NULL)`,
			`INSERT INTO content_revision (id, value) VALUES (1, 1)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE content_revision`)
	})
}
