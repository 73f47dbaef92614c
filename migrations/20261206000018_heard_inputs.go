package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerHeardInputs lets an input come from the public consultation instead of minutes: the
// draft whose comments (or submission points) it records. Such an input has no minutes; its
// comments name it (draft_comments.input_id), and it shares the minutes' inputs' numbering and
// dispositions.
func registerHeardInputs(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`ALTER TABLE inputs ADD COLUMN draft_id BIGINT REFERENCES drafts(id) ON DELETE SET NULL`,
			`CREATE INDEX inputs_draft ON inputs (draft_id)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP INDEX inputs_draft`, `ALTER TABLE inputs DROP COLUMN draft_id`)
	})
}
