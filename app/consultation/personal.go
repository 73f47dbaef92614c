package consultation

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Personal is the consultation part of a person's data: the comments they wrote, what they
// supported and flagged, how they marked paragraphs, and the submissions they sent. Erasing
// keeps the comments (the consultation's record, and answers given to them) without their name,
// and the submissions (an organisation's) without their sender, and removes the supports, flags
// and marks (the counts on comments follow).
type Personal struct{}

// Export lists accountID's comments, supports and marks.
func (Personal) Export(ctx context.Context, db bun.IDB, accountID int64, _ string) (any, error) {
	var cs []Comment
	if err := db.NewSelect().Model(&cs).Where("c.author_id = ? AND c.submission_id IS NULL", accountID).OrderExpr("c.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the comments of account %d: %w", accountID, err)
	}
	comments := make([]map[string]any, len(cs))
	for i, c := range cs {
		comments[i] = map[string]any{"draft_id": c.DraftID, "version": c.Version, "paragraph": c.Paragraph, "quote": c.Quote, "body": c.Body,
			"stakeholder_group": c.Group, "status": c.Status, "reason": c.Reason, "written_at": c.CreatedAt}
	}
	var supports []int64
	if err := db.NewSelect().TableExpr("comment_supports").Column("comment_id").Where("account_id = ?", accountID).OrderExpr("comment_id").Scan(ctx, &supports); err != nil {
		return nil, fmt.Errorf("the supports of account %d: %w", accountID, err)
	}
	var marks []struct {
		DraftID   int64  `bun:"draft_id" json:"draft_id"`
		Version   int    `bun:"version" json:"version"`
		Paragraph int    `bun:"paragraph" json:"paragraph"`
		Group     string `bun:"stakeholder_group" json:"stakeholder_group"`
		Mark      string `bun:"mark" json:"mark"`
	}
	if err := db.NewSelect().TableExpr("paragraph_marks").Column("draft_id", "version", "paragraph", "stakeholder_group", "mark").
		Where("account_id = ?", accountID).OrderExpr("draft_id, version, paragraph").Scan(ctx, &marks); err != nil {
		return nil, fmt.Errorf("the marks of account %d: %w", accountID, err)
	}
	var subs []Submission
	if err := db.NewSelect().Model(&subs).ExcludeColumn("body").Where("s.author_id = ?", accountID).OrderExpr("s.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the submissions of account %d: %w", accountID, err)
	}
	submissions := make([]map[string]any, len(subs))
	for i, sub := range subs {
		submissions[i] = map[string]any{"draft_id": sub.DraftID, "number": sub.Number, "organisation": sub.Organisation, "signatory_role": sub.Role,
			"on_behalf_of": sub.OnBehalfOf, "public": sub.Public, "sent_at": sub.CreatedAt}
	}
	return map[string]any{"comments": comments, "supported_comments": supports, "paragraph_marks": marks, "submissions": submissions}, nil
}

// Erase unnames accountID's comments and removes their supports, flags and marks.
func (Personal) Erase(ctx context.Context, db bun.IDB, _ time.Time, accountID int64, _ string) error {
	var supported []int64
	if err := db.NewSelect().TableExpr("comment_supports").Column("comment_id").Where("account_id = ?", accountID).Scan(ctx, &supported); err != nil {
		return fmt.Errorf("the supports of account %d: %w", accountID, err)
	}
	// A submission's points keep the organisation's name: it is the organisation's, not the sender's.
	for _, st := range []string{`DELETE FROM comment_supports WHERE account_id = ?`, `DELETE FROM comment_flags WHERE account_id = ?`,
		`DELETE FROM paragraph_marks WHERE account_id = ?`, `UPDATE draft_comments SET author_id = NULL, author_name = '' WHERE author_id = ? AND submission_id IS NULL`,
		`UPDATE draft_comments SET author_id = NULL WHERE author_id = ?`, `UPDATE submissions SET author_id = NULL, author_name = '' WHERE author_id = ?`} {
		if _, err := db.NewRaw(st, accountID).Exec(ctx); err != nil {
			return fmt.Errorf("erasing the consultation data of account %d: %w", accountID, err)
		}
	}
	if len(supported) > 0 {
		if _, err := db.NewRaw(`UPDATE draft_comments SET supports = (SELECT COUNT(*) FROM comment_supports s WHERE s.comment_id = draft_comments.id) WHERE id IN (?)`,
			bun.List(supported)).Exec(ctx); err != nil {
			return fmt.Errorf("recounting supports: %w", err)
		}
	}
	return nil
}
