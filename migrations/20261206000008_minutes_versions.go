package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerMinutesVersions adds the minutes' workflow: when they went to review and until when
// those who were there may propose corrections, the organisers' requests for changes, and the
// published versions, each kept whole and never changed (a correction is a new version, with
// its reason).
func registerMinutesVersions(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`ALTER TABLE minutes ADD COLUMN version INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE minutes ADD COLUMN review_until {ts}`,
			`CREATE TABLE minutes_versions (
				minutes_id BIGINT NOT NULL REFERENCES minutes(id) ON DELETE CASCADE,
				version INTEGER NOT NULL,
				reason TEXT NOT NULL DEFAULT '',
				content {json} NOT NULL,
				published_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				published_at {ts} NOT NULL,
				PRIMARY KEY (minutes_id, version)
			)`,
			`CREATE TABLE minutes_comments (
				id {id},
				minutes_id BIGINT NOT NULL REFERENCES minutes(id) ON DELETE CASCADE,
				author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				body TEXT NOT NULL,
				created_at {ts} NOT NULL
			)`,
			`CREATE INDEX minutes_comments_minutes ON minutes_comments (minutes_id, created_at)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE minutes_comments`, `DROP TABLE minutes_versions`,
			`ALTER TABLE minutes DROP COLUMN review_until`, `ALTER TABLE minutes DROP COLUMN version`)
	})
}
