package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerMinutesEditors lets a draft's saves survive a lost answer: each opened editor has a
// token, and saves from the editor that made every save since its own revision are its own
// (a save whose answer was lost is not someone else's), numbered, so that one of its saves
// arriving after a later one changes nothing; a new input carries the key its editor gave its
// row, so sending it again does not add it twice.
func registerMinutesEditors(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`ALTER TABLE minutes ADD COLUMN editor VARCHAR(64) NOT NULL DEFAULT ''`,
			`ALTER TABLE minutes ADD COLUMN editor_since BIGINT NOT NULL DEFAULT 0`,
			`ALTER TABLE minutes ADD COLUMN editor_seq BIGINT NOT NULL DEFAULT 0`,
			`ALTER TABLE inputs ADD COLUMN draft_key VARCHAR(80) NOT NULL DEFAULT ''`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `ALTER TABLE inputs DROP COLUMN draft_key`, `ALTER TABLE minutes DROP COLUMN editor_seq`, `ALTER TABLE minutes DROP COLUMN editor_since`,
			`ALTER TABLE minutes DROP COLUMN editor`)
	})
}
