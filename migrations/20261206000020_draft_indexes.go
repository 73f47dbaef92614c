package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerDraftIndexes lets a draft's page count its comments by paragraph, its hidden ones by
// reason, its campaigns, and its marks by paragraph and group from indexes alone: at 20,000
// comments and 10,000 marks, reading the rows for them took most of the page's time.
func registerDraftIndexes(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE INDEX draft_comments_counts ON draft_comments (draft_id, status, at_paragraph, paragraph, parent_id)`,
			`CREATE INDEX draft_comments_campaigns ON draft_comments (draft_id, campaign_id, stakeholder_group)`,
			`CREATE INDEX paragraph_marks_tally ON paragraph_marks (draft_id, version, paragraph, stakeholder_group, mark)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP INDEX paragraph_marks_tally`, `DROP INDEX draft_comments_campaigns`, `DROP INDEX draft_comments_counts`)
	})
}
