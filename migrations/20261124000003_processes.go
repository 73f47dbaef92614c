package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerProcesses creates processes, their topics (objectives and axes) and the role grants
// scoped to a process (or to one session of it, once sessions exist).
func registerProcesses(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE processes (
				id {id},
				slug VARCHAR(80) NOT NULL UNIQUE,
				code VARCHAR(20) NOT NULL UNIQUE,
				title {json} NOT NULL,
				description {json} NOT NULL,
				general_objective {json} NOT NULL,
				time_zone VARCHAR(64) NOT NULL,
				languages {json} NOT NULL,
				stakeholder_groups {json} NOT NULL,
				status VARCHAR(20) NOT NULL,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE TABLE topics (
				id {id},
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				kind VARCHAR(20) NOT NULL,
				code VARCHAR(20) NOT NULL,
				title {json} NOT NULL,
				description {json} NOT NULL,
				position INTEGER NOT NULL,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL,
				UNIQUE (process_id, code)
			)`,
			`CREATE TABLE grants (
				id {id},
				account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				role VARCHAR(20) NOT NULL,
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				session_id BIGINT NOT NULL DEFAULT 0,
				created_at {ts} NOT NULL,
				created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				UNIQUE (account_id, role, process_id, session_id)
			)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE grants`, `DROP TABLE topics`, `DROP TABLE processes`)
	})
}
