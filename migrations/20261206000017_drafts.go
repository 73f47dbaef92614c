package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerDrafts adds the public consultation on a strategy's draft: the draft and its comment
// period; its published versions (Markdown, split into numbered paragraphs when read); comments
// anchored to a paragraph of the version they were made on (and optionally a quoted passage),
// with where each stands in the newest version; replies, supports and flags, one per person;
// and the agree / disagree / pass marks readers put on paragraphs, by stakeholder group.
// Campaign copies share a group (campaign_id, the first comment of the group); comment_bands
// holds each comment's MinHash bands, so a near copy finds its group with an index read.
func registerDrafts(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE drafts (
				id {id},
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				title {json} NOT NULL,
				summary {json} NOT NULL,
				opens_at {ts},
				closes_at {ts},
				version INTEGER NOT NULL DEFAULT 0,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE INDEX drafts_process ON drafts (process_id)`,
			`CREATE TABLE draft_versions (
				draft_id BIGINT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
				number INTEGER NOT NULL,
				body TEXT NOT NULL,
				note TEXT NOT NULL DEFAULT '',
				published_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				published_at {ts} NOT NULL,
				PRIMARY KEY (draft_id, number)
			)`,
			`CREATE TABLE draft_comments (
				id {id},
				draft_id BIGINT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
				parent_id BIGINT REFERENCES draft_comments(id) ON DELETE CASCADE,
				version INTEGER NOT NULL,
				paragraph INTEGER NOT NULL,
				quote TEXT NOT NULL DEFAULT '',
				quote_before VARCHAR(200) NOT NULL DEFAULT '',
				quote_after VARCHAR(200) NOT NULL DEFAULT '',
				at_version INTEGER NOT NULL,
				at_paragraph INTEGER NOT NULL,
				at_state VARCHAR(10) NOT NULL,
				at_score REAL NOT NULL DEFAULT 1,
				from_version INTEGER NOT NULL,
				from_paragraph INTEGER NOT NULL,
				body TEXT NOT NULL,
				stakeholder_group VARCHAR(40) NOT NULL,
				author_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				author_name VARCHAR(200) NOT NULL DEFAULT '',
				status VARCHAR(10) NOT NULL,
				reason VARCHAR(20) NOT NULL DEFAULT '',
				note TEXT NOT NULL DEFAULT '',
				moderated_at {ts},
				supports INTEGER NOT NULL DEFAULT 0,
				flags INTEGER NOT NULL DEFAULT 0,
				campaign_id BIGINT,
				input_id BIGINT REFERENCES inputs(id) ON DELETE SET NULL,
				created_at {ts} NOT NULL
			)`,
			`CREATE INDEX draft_comments_place ON draft_comments (draft_id, at_paragraph, id)`,
			`CREATE INDEX draft_comments_parent ON draft_comments (parent_id)`,
			`CREATE INDEX draft_comments_author ON draft_comments (author_id)`,
			`CREATE INDEX draft_comments_campaign ON draft_comments (campaign_id)`,
			`CREATE INDEX draft_comments_input ON draft_comments (input_id)`,
			`CREATE TABLE comment_bands (
				draft_id BIGINT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
				band INTEGER NOT NULL,
				hash BIGINT NOT NULL,
				comment_id BIGINT NOT NULL REFERENCES draft_comments(id) ON DELETE CASCADE,
				PRIMARY KEY (draft_id, band, hash, comment_id)
			)`,
			`CREATE INDEX comment_bands_comment ON comment_bands (comment_id)`,
			`CREATE TABLE comment_supports (
				comment_id BIGINT NOT NULL REFERENCES draft_comments(id) ON DELETE CASCADE,
				account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				created_at {ts} NOT NULL,
				PRIMARY KEY (comment_id, account_id)
			)`,
			`CREATE INDEX comment_supports_account ON comment_supports (account_id)`,
			`CREATE TABLE comment_flags (
				comment_id BIGINT NOT NULL REFERENCES draft_comments(id) ON DELETE CASCADE,
				account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				created_at {ts} NOT NULL,
				PRIMARY KEY (comment_id, account_id)
			)`,
			`CREATE INDEX comment_flags_account ON comment_flags (account_id)`,
			`CREATE TABLE paragraph_marks (
				draft_id BIGINT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
				version INTEGER NOT NULL,
				paragraph INTEGER NOT NULL,
				account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
				stakeholder_group VARCHAR(40) NOT NULL,
				mark VARCHAR(10) NOT NULL,
				marked_at {ts} NOT NULL,
				PRIMARY KEY (draft_id, version, paragraph, account_id)
			)`,
			`CREATE INDEX paragraph_marks_account ON paragraph_marks (account_id)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE paragraph_marks`, `DROP TABLE comment_flags`, `DROP TABLE comment_supports`,
			`DROP TABLE comment_bands`, `DROP TABLE draft_comments`, `DROP TABLE draft_versions`, `DROP TABLE drafts`)
	})
}
