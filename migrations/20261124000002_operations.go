package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerOperations creates what keeps the site running: the audit log, the mail outbox, the
// key-value rows behind CSRF and rate limits, and the record of applied demo steps.
func registerOperations(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE audit_log (
				id {id},
				at {ts} NOT NULL,
				actor_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				action VARCHAR(100) NOT NULL,
				object_type VARCHAR(50) NOT NULL,
				object_id VARCHAR(100) NOT NULL,
				detail {json},
				request_id VARCHAR(100) NOT NULL DEFAULT ''
			)`,
			`CREATE INDEX audit_log_at_idx ON audit_log (at)`,
			`CREATE TABLE outbox (
				id {id},
				recipient VARCHAR(254) NOT NULL,
				subject VARCHAR(300) NOT NULL,
				body_text TEXT NOT NULL,
				body_html TEXT NOT NULL DEFAULT '',
				language VARCHAR(10) NOT NULL,
				created_at {ts} NOT NULL,
				attempts INTEGER NOT NULL DEFAULT 0,
				next_attempt_at {ts} NOT NULL,
				sent_at {ts},
				failed_at {ts},
				last_error TEXT NOT NULL DEFAULT ''
			)`,
			`CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL`,
			`CREATE TABLE kv (
				key VARCHAR(300) PRIMARY KEY,
				value {bytes} NOT NULL,
				expires_at {ts}
			)`,
			`CREATE INDEX kv_expires_idx ON kv (expires_at)`,
			`CREATE TABLE seed_steps (
				name VARCHAR(100) PRIMARY KEY,
				applied_at {ts} NOT NULL
			)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE seed_steps`, `DROP TABLE kv`, `DROP TABLE outbox`, `DROP TABLE audit_log`)
	})
}
