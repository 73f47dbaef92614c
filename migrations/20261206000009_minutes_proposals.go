package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerMinutesProposals adds the corrections that a session's participants and speakers
// propose to an input of its minutes while they are in review, and the rapporteur's answer to
// each, with its reason.
func registerMinutesProposals(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE minutes_proposals (
				id {id},
				minutes_id BIGINT NOT NULL REFERENCES minutes(id) ON DELETE CASCADE,
				input_id BIGINT NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
				proposer_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				body TEXT NOT NULL,
				note TEXT NOT NULL DEFAULT '',
				status VARCHAR(10) NOT NULL,
				answer TEXT NOT NULL DEFAULT '',
				answered_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				created_at {ts} NOT NULL,
				answered_at {ts}
			)`,
			`CREATE INDEX minutes_proposals_minutes ON minutes_proposals (minutes_id, status)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE minutes_proposals`)
	})
}
