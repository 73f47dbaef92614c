package minutes

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Personal is the minutes' part of a person's data: the corrections they proposed, and the
// requests they made as an organiser. Erasing keeps both (the minutes' record) without their
// name. Rapporteurs' and speakers' names typed into inputs are there with their consent and
// stay with the minutes.
type Personal struct{}

// Export lists what accountID proposed and requested.
func (Personal) Export(ctx context.Context, db bun.IDB, accountID int64, _ string) (any, error) {
	var ps []Proposal
	if err := db.NewSelect().Model(&ps).Where("p.proposer_id = ?", accountID).OrderExpr("p.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the proposals of account %d: %w", accountID, err)
	}
	proposals := make([]map[string]any, len(ps))
	for i, p := range ps {
		proposals[i] = map[string]any{"minutes_id": p.MinutesID, "input_id": p.InputID, "body": p.Body, "note": p.Note,
			"status": p.Status, "answer": p.Answer, "proposed_at": p.CreatedAt}
	}
	var cs []Comment
	if err := db.NewSelect().Model(&cs).Where("c.author_id = ?", accountID).OrderExpr("c.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the requests of account %d: %w", accountID, err)
	}
	requests := make([]map[string]any, len(cs))
	for i, c := range cs {
		requests[i] = map[string]any{"minutes_id": c.MinutesID, "body": c.Body, "made_at": c.CreatedAt}
	}
	return map[string]any{"proposed_corrections": proposals, "change_requests": requests}, nil
}

// Erase unnames what accountID proposed, requested, answered, saved and published.
func (Personal) Erase(ctx context.Context, db bun.IDB, _ time.Time, accountID int64, _ string) error {
	for _, c := range []struct{ table, column string }{
		{"minutes_proposals", "proposer_id"}, {"minutes_proposals", "answered_by"}, {"minutes_comments", "author_id"},
		{"minutes", "updated_by"}, {"minutes_versions", "published_by"}, {"input_dispositions", "decided_by"},
	} {
		if _, err := db.NewUpdate().TableExpr(c.table).Set(c.column+" = NULL").Where(c.column+" = ?", accountID).Exec(ctx); err != nil {
			return fmt.Errorf("unnaming account %d in %s: %w", accountID, c.table, err)
		}
	}
	return nil
}
