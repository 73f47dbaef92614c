package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerQuestions adds live Q&A: each session's settings, its questions, one vote per person
// (or anonymous device) and question, and the reports attendees make. An anonymous question
// keeps no account: its owner is a device key's hash, which lets its asker see it pending or
// declined on that device.
func registerQuestions(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE qa_settings (
				session_id BIGINT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
				who_asks VARCHAR(20) NOT NULL,
				anonymous BOOLEAN NOT NULL,
				closed BOOLEAN NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE TABLE questions (
				id {id},
				session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
				body TEXT NOT NULL,
				stakeholder_group VARCHAR(40) NOT NULL DEFAULT '',
				channel VARCHAR(10) NOT NULL,
				status VARCHAR(10) NOT NULL,
				anonymous BOOLEAN NOT NULL,
				author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				author_name VARCHAR(200) NOT NULL DEFAULT '',
				owner VARCHAR(100) NOT NULL DEFAULT '',
				reason VARCHAR(20) NOT NULL DEFAULT '',
				note TEXT NOT NULL DEFAULT '',
				pinned BOOLEAN NOT NULL DEFAULT FALSE,
				labels {json} NOT NULL,
				reply TEXT NOT NULL DEFAULT '',
				reply_by VARCHAR(200) NOT NULL DEFAULT '',
				merged_into BIGINT REFERENCES questions(id) ON DELETE SET NULL,
				votes INTEGER NOT NULL DEFAULT 0,
				reports INTEGER NOT NULL DEFAULT 0,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL,
				answered_at {ts}
			)`,
			`CREATE INDEX questions_session_idx ON questions (session_id, status)`,
			`CREATE TABLE question_votes (
				question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
				voter VARCHAR(100) NOT NULL,
				created_at {ts} NOT NULL,
				PRIMARY KEY (question_id, voter)
			)`,
			`CREATE TABLE qa_words (
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				word VARCHAR(100) NOT NULL,
				PRIMARY KEY (process_id, word)
			)`,
			`CREATE TABLE question_reports (
				question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
				reporter VARCHAR(100) NOT NULL,
				created_at {ts} NOT NULL,
				PRIMARY KEY (question_id, reporter)
			)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE qa_words`, `DROP TABLE question_reports`, `DROP TABLE question_votes`, `DROP TABLE questions`, `DROP TABLE qa_settings`)
	})
}
