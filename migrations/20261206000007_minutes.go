package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerMinutes adds each session's minutes and their inputs. An input's number is its
// process's (input_counters hands them out in the saving transaction), so its public id (the
// process code and the number) never changes and is never given twice; an input taken out of
// the minutes is marked removed, not deleted. Topics, stakeholder groups and the questions an
// input came from are rows of their own, for the archive's filters.
func registerMinutes(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE minutes (
				id {id},
				session_id BIGINT NOT NULL UNIQUE REFERENCES sessions(id) ON DELETE CASCADE,
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				status VARCHAR(10) NOT NULL,
				revision BIGINT NOT NULL,
				summary TEXT NOT NULL DEFAULT '',
				takeaways TEXT NOT NULL DEFAULT '',
				calls_to_action TEXT NOT NULL DEFAULT '',
				due_on VARCHAR(10) NOT NULL,
				updated_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE INDEX minutes_process ON minutes (process_id, status)`,
			`CREATE TABLE input_counters (
				process_id BIGINT PRIMARY KEY REFERENCES processes(id) ON DELETE CASCADE,
				last BIGINT NOT NULL
			)`,
			`CREATE TABLE inputs (
				id {id},
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				minutes_id BIGINT REFERENCES minutes(id) ON DELETE CASCADE,
				number BIGINT NOT NULL,
				kind VARCHAR(20) NOT NULL,
				body TEXT NOT NULL,
				position INTEGER NOT NULL,
				speaker VARCHAR(200) NOT NULL DEFAULT '',
				committed_by VARCHAR(200) NOT NULL DEFAULT '',
				committed_group VARCHAR(40) NOT NULL DEFAULT '',
				committed_due VARCHAR(10) NOT NULL DEFAULT '',
				removed BOOLEAN NOT NULL DEFAULT FALSE,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL,
				UNIQUE (process_id, number)
			)`,
			`CREATE INDEX inputs_minutes ON inputs (minutes_id, position)`,
			`CREATE TABLE input_topics (
				input_id BIGINT NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
				topic_id BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
				PRIMARY KEY (input_id, topic_id)
			)`,
			`CREATE INDEX input_topics_topic ON input_topics (topic_id)`,
			`CREATE TABLE input_groups (
				input_id BIGINT NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
				stakeholder_group VARCHAR(40) NOT NULL,
				PRIMARY KEY (input_id, stakeholder_group)
			)`,
			`CREATE TABLE input_questions (
				input_id BIGINT NOT NULL REFERENCES inputs(id) ON DELETE CASCADE,
				question_id BIGINT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
				PRIMARY KEY (input_id, question_id)
			)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE input_questions`, `DROP TABLE input_groups`, `DROP TABLE input_topics`, `DROP TABLE inputs`,
			`DROP TABLE input_counters`, `DROP TABLE minutes`)
	})
}
