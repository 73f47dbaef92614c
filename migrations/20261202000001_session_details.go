package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// registerSessionDetails gives sessions what their programme shows: the languages spoken, a
// link of their own, the Q&A mode, an optional cap on places, the objectives and axes they
// discuss and their speakers (moderators and rapporteurs are session grants).
func registerSessionDetails(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if db.Dialect().Name() == dialect.PG {
			// A recorded change may be a 2000-character link (SQLite does not enforce lengths).
			if err := ddl(ctx, db, `ALTER TABLE schedule_changes ALTER COLUMN before_value TYPE TEXT, ALTER COLUMN after_value TYPE TEXT`); err != nil {
				return err
			}
		}
		return ddl(ctx, db,
			`ALTER TABLE sessions ADD COLUMN languages {json} NOT NULL DEFAULT '[]'`,
			`ALTER TABLE sessions ADD COLUMN online_url VARCHAR(2000) NOT NULL DEFAULT ''`,
			`ALTER TABLE sessions ADD COLUMN qa_mode VARCHAR(20) NOT NULL DEFAULT 'off'`,
			`ALTER TABLE sessions ADD COLUMN capacity INTEGER NOT NULL DEFAULT 0`,
			`CREATE TABLE session_topics (
				session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
				topic_id BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
				PRIMARY KEY (session_id, topic_id)
			)`,
			`CREATE INDEX session_topics_topic_idx ON session_topics (topic_id)`,
			`CREATE TABLE speakers (
				id {id},
				session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
				position INTEGER NOT NULL,
				name VARCHAR(200) NOT NULL,
				affiliation VARCHAR(200) NOT NULL DEFAULT '',
				country VARCHAR(2) NOT NULL DEFAULT '',
				stakeholder_group VARCHAR(40) NOT NULL DEFAULT '',
				bio {json} NOT NULL,
				account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL
			)`,
			`CREATE INDEX speakers_session_idx ON speakers (session_id, position)`,
			`CREATE INDEX speakers_account_idx ON speakers (account_id)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE speakers`, `DROP TABLE session_topics`,
			`ALTER TABLE sessions DROP COLUMN capacity`, `ALTER TABLE sessions DROP COLUMN qa_mode`,
			`ALTER TABLE sessions DROP COLUMN online_url`, `ALTER TABLE sessions DROP COLUMN languages`)
	})
}
