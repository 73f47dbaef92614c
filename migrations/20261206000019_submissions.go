package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerSubmissions adds formal submissions on a draft: an organisation's text and files
// (kept in the database, never under the web root), its signatory and whom it speaks for,
// public or not at the submitter's choice, with a tracking number per process. Organisers split
// a submission into points anchored to paragraphs: each point is a row of draft_comments naming
// its submission, so it is placed in new versions, answered and reported as comments are.
func registerSubmissions(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE submissions (
				id {id},
				draft_id BIGINT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
				number BIGINT NOT NULL,
				organisation VARCHAR(200) NOT NULL,
				stakeholder_group VARCHAR(40) NOT NULL,
				signatory_role VARCHAR(200) NOT NULL,
				on_behalf_of VARCHAR(500) NOT NULL DEFAULT '',
				body TEXT NOT NULL,
				public BOOLEAN NOT NULL,
				author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				author_name VARCHAR(200) NOT NULL DEFAULT '',
				created_at {ts} NOT NULL,
				UNIQUE (draft_id, number)
			)`,
			`CREATE INDEX submissions_author ON submissions (author_id)`,
			`CREATE TABLE submission_counters (
				draft_id BIGINT PRIMARY KEY REFERENCES drafts(id) ON DELETE CASCADE,
				last BIGINT NOT NULL
			)`,
			`CREATE TABLE submission_files (
				id {id},
				submission_id BIGINT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
				name VARCHAR(200) NOT NULL,
				content_type VARCHAR(100) NOT NULL,
				size BIGINT NOT NULL,
				sha256 VARCHAR(64) NOT NULL,
				data {bytes} NOT NULL,
				created_at {ts} NOT NULL
			)`,
			`CREATE INDEX submission_files_submission ON submission_files (submission_id)`,
			`ALTER TABLE draft_comments ADD COLUMN submission_id BIGINT REFERENCES submissions(id) ON DELETE CASCADE`,
			`CREATE INDEX draft_comments_submission ON draft_comments (submission_id)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP INDEX draft_comments_submission`, `ALTER TABLE draft_comments DROP COLUMN submission_id`,
			`DROP TABLE submission_files`, `DROP TABLE submission_counters`, `DROP TABLE submissions`)
	})
}
