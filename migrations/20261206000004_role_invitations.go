package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerRoleInvitations adds invitations to a role: a session's moderators and rapporteur
// are invited by address, and hold the role (and are named on the programme) once they accept.
// Only the hash of the mailed link's token is kept.
func registerRoleInvitations(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE role_invitations (
				id {id},
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
				role VARCHAR(20) NOT NULL,
				email VARCHAR(254) NOT NULL,
				token_hash VARCHAR(64) NOT NULL UNIQUE,
				status VARCHAR(20) NOT NULL,
				invited_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				created_at {ts} NOT NULL,
				expires_at {ts} NOT NULL,
				answered_at {ts}
			)`,
			`CREATE UNIQUE INDEX role_invitations_pending_idx ON role_invitations (session_id, role, email) WHERE status = 'pending'`,
			`CREATE INDEX role_invitations_email_idx ON role_invitations (email)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE role_invitations`)
	})
}
