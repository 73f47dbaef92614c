package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

func registerAccounts(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE accounts (
				id {id},
				email VARCHAR(254) NOT NULL UNIQUE,
				name VARCHAR(200) NOT NULL,
				password_hash VARCHAR(200) NOT NULL,
				is_admin BOOLEAN NOT NULL DEFAULT FALSE,
				language VARCHAR(10) NOT NULL DEFAULT '',
				time_zone VARCHAR(64) NOT NULL DEFAULT '',
				email_verified_at {ts},
				password_changed_at {ts} NOT NULL,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE TABLE logins (
				id {id},
				token_hash VARCHAR(64) NOT NULL UNIQUE,
				account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				created_at {ts} NOT NULL,
				last_seen_at {ts} NOT NULL,
				expires_at {ts} NOT NULL,
				user_agent VARCHAR(200) NOT NULL DEFAULT ''
			)`,
			`CREATE INDEX logins_account_idx ON logins (account_id)`,
			`CREATE TABLE account_tokens (
				id {id},
				account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				purpose VARCHAR(20) NOT NULL,
				token_hash VARCHAR(64) NOT NULL UNIQUE,
				created_at {ts} NOT NULL,
				expires_at {ts} NOT NULL,
				used_at {ts}
			)`,
			`CREATE INDEX account_tokens_account_idx ON account_tokens (account_id, purpose)`,
			`CREATE TABLE api_tokens (
				id {id},
				account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				name VARCHAR(100) NOT NULL,
				token_hash VARCHAR(64) NOT NULL UNIQUE,
				prefix VARCHAR(16) NOT NULL,
				created_at {ts} NOT NULL,
				last_used_at {ts},
				revoked_at {ts}
			)`,
			`CREATE INDEX api_tokens_account_idx ON api_tokens (account_id)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE api_tokens`, `DROP TABLE account_tokens`, `DROP TABLE logins`, `DROP TABLE accounts`)
	})
}
