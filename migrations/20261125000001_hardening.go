package migrations

import (
	"context"
	"errors"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// registerHardening makes a grant's session scope nullable (NULL: the whole process), so that it
// can reference the sessions table once there is one, and adds the per-account record of failed
// sign-ins that slows down password guessing.
func registerHardening(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		var grants []string
		if db.Dialect().Name() == dialect.PG {
			grants = []string{
				`ALTER TABLE grants DROP CONSTRAINT grants_account_id_role_process_id_session_id_key`,
				`ALTER TABLE grants ALTER COLUMN session_id DROP NOT NULL, ALTER COLUMN session_id DROP DEFAULT`,
				`UPDATE grants SET session_id = NULL WHERE session_id = 0`,
			}
		} else {
			// SQLite cannot change a column's constraints: the table is rebuilt.
			grants = []string{
				`CREATE TABLE grants_new (
					id {id},
					account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
					role VARCHAR(20) NOT NULL,
					process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
					session_id BIGINT,
					created_at {ts} NOT NULL,
					created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL
				)`,
				`INSERT INTO grants_new (id, account_id, role, process_id, session_id, created_at, created_by)
					SELECT id, account_id, role, process_id, NULLIF(session_id, 0), created_at, created_by FROM grants`,
				// Carry the id sequence over, so that a deleted grant's id is never handed out
				// again (a stale revoke button would otherwise remove someone else's grant).
				`INSERT INTO sqlite_sequence (name, seq) SELECT 'grants_new', seq FROM sqlite_sequence WHERE name = 'grants'
					AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'grants_new')`,
				`UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'grants'))
					WHERE name = 'grants_new'`,
				`DROP TABLE grants`,
				`ALTER TABLE grants_new RENAME TO grants`,
			}
		}
		return ddl(ctx, db, append(grants,
			`CREATE UNIQUE INDEX grants_process_scope_idx ON grants (account_id, role, process_id) WHERE session_id IS NULL`,
			`CREATE UNIQUE INDEX grants_session_scope_idx ON grants (account_id, role, session_id) WHERE session_id IS NOT NULL`,
			`CREATE INDEX grants_process_idx ON grants (process_id)`,
			`CREATE TABLE signin_throttle (
				email_hash VARCHAR(64) PRIMARY KEY,
				failures INTEGER NOT NULL,
				last_failure_at {ts} NOT NULL,
				next_allowed_at {ts} NOT NULL
			)`,
			`CREATE INDEX signin_throttle_last_idx ON signin_throttle (last_failure_at)`,
			// Mail already sent or given up keeps no body: its links (reset, verification) must not
			// outlive their delivery in backups.
			`UPDATE outbox SET body_text = '', body_html = '' WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL`,
			`ALTER TABLE outbox ADD COLUMN claim VARCHAR(32) NOT NULL DEFAULT ''`,
		)...)
	}, func(ctx context.Context, db *bun.DB) error {
		// Bringing back session_id 0 and the old unique constraint would merge data the new
		// indexes keep apart: this step is not undone.
		return errors.New("the hardening migration cannot be undone: restore a backup taken before it")
	})
}
