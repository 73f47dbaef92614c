package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// registerInputSearch makes the public archive's inputs searchable and filterable at the size
// of a national process. Each input keeps its standing (what became of it, as its newest
// disposition says) for the disposition filter. Full text: on PostgreSQL a GIN index over the
// text read as Spanish and as English (stems of both: a process speaks both); on SQLite an
// FTS5 index kept by triggers, without accents, so "politica" finds "política".
func registerInputSearch(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		statements := []string{
			`ALTER TABLE inputs ADD COLUMN standing VARCHAR(20) NOT NULL DEFAULT 'pending'`,
			`UPDATE inputs SET standing = (SELECT d.status FROM input_dispositions AS d WHERE d.input_id = inputs.id ORDER BY d.id DESC LIMIT 1)
				WHERE EXISTS (SELECT 1 FROM input_dispositions AS d WHERE d.input_id = inputs.id)`,
			`CREATE INDEX inputs_process ON inputs (process_id, removed, number)`,
			`CREATE INDEX input_groups_group ON input_groups (stakeholder_group)`,
		}
		if db.Dialect().Name() == dialect.PG {
			statements = append(statements,
				`CREATE INDEX inputs_text ON inputs USING GIN ((to_tsvector('spanish', body) || to_tsvector('english', body)))`)
		} else {
			statements = append(statements,
				`CREATE VIRTUAL TABLE inputs_fts USING fts5(body, content='inputs', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
				`INSERT INTO inputs_fts (rowid, body) SELECT id, body FROM inputs`,
				`CREATE TRIGGER inputs_fts_insert AFTER INSERT ON inputs BEGIN
					INSERT INTO inputs_fts (rowid, body) VALUES (new.id, new.body); END`,
				`CREATE TRIGGER inputs_fts_delete AFTER DELETE ON inputs BEGIN
					INSERT INTO inputs_fts (inputs_fts, rowid, body) VALUES ('delete', old.id, old.body); END`,
				`CREATE TRIGGER inputs_fts_update AFTER UPDATE OF body ON inputs BEGIN
					INSERT INTO inputs_fts (inputs_fts, rowid, body) VALUES ('delete', old.id, old.body);
					INSERT INTO inputs_fts (rowid, body) VALUES (new.id, new.body); END`)
		}
		return ddl(ctx, db, statements...)
	}, func(ctx context.Context, db *bun.DB) error {
		statements := []string{`DROP INDEX inputs_process`, `DROP INDEX input_groups_group`}
		if db.Dialect().Name() == dialect.PG {
			statements = append(statements, `DROP INDEX inputs_text`)
		} else {
			statements = append(statements, `DROP TRIGGER inputs_fts_update`, `DROP TRIGGER inputs_fts_delete`, `DROP TRIGGER inputs_fts_insert`,
				`DROP TABLE inputs_fts`)
		}
		return ddl(ctx, db, append(statements, `ALTER TABLE inputs DROP COLUMN standing`)...)
	})
}
