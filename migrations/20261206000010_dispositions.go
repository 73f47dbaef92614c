package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerDispositions adds what became of each input: every decision an organiser records is
// a row of its own (the input's page shows them all, with their dates), the newest being the
// input's standing.
func registerDispositions(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE input_dispositions (
				id {id},
				input_id BIGINT NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
				status VARCHAR(20) NOT NULL,
				rationale TEXT NOT NULL DEFAULT '',
				section VARCHAR(200) NOT NULL DEFAULT '',
				merged_into BIGINT REFERENCES inputs(id) ON DELETE SET NULL,
				progress VARCHAR(20) NOT NULL DEFAULT '',
				decided_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				decided_at {ts} NOT NULL
			)`,
			`CREATE INDEX input_dispositions_input ON input_dispositions (input_id, id)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE input_dispositions`)
	})
}
