package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerMinutesReport adds the IGF reporting fields that are not free text (who came, who
// spoke, the gender report, a summary of each presentation) as one document on the minutes;
// how many days after a session its minutes are due, set per process; and the reminders sent
// about minutes coming due or overdue, one of each kind per session, so a sweep sends each once.
func registerMinutesReport(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`ALTER TABLE minutes ADD COLUMN report {json} NOT NULL DEFAULT '{}'`,
			`ALTER TABLE processes ADD COLUMN minutes_due_days INTEGER NOT NULL DEFAULT 14`,
			`CREATE TABLE minutes_reminders (
				session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
				kind VARCHAR(20) NOT NULL,
				sent_at {ts} NOT NULL,
				PRIMARY KEY (session_id, kind)
			)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE minutes_reminders`, `ALTER TABLE processes DROP COLUMN minutes_due_days`, `ALTER TABLE minutes DROP COLUMN report`)
	})
}
