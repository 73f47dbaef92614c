package qa

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Personal is the Q&A part of a person's data: the questions they asked under their name, and
// how many votes they gave. Erasing keeps the questions (the session's record) without their
// name, and the counts without their votes.
type Personal struct{}

// Export lists the questions accountID asked under their name, and counts their votes.
func (Personal) Export(ctx context.Context, db bun.IDB, accountID int64, _ string) (any, error) {
	var qs []Question
	if err := db.NewSelect().Model(&qs).Where("q.author_id = ?", accountID).OrderExpr("q.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the questions of account %d: %w", accountID, err)
	}
	list := make([]map[string]any, len(qs))
	for i, q := range qs {
		list[i] = map[string]any{"session_id": q.SessionID, "body": q.Body, "status": q.Status, "asked_at": q.CreatedAt}
	}
	votes, err := db.NewSelect().Table("question_votes").Where("voter = ?", AccountKey(accountID)).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("counting the votes of account %d: %w", accountID, err)
	}
	return map[string]any{"questions": list, "votes": votes}, nil
}

// Erase unnames accountID's questions and removes their votes and reports (counts stay).
func (Personal) Erase(ctx context.Context, db bun.IDB, _ time.Time, accountID int64, _ string) error {
	key := AccountKey(accountID)
	if _, err := db.NewUpdate().Model((*Question)(nil)).Set("author_id = NULL").Set("author_name = ''").Set("anonymous = TRUE").Set("owner = ''").
		Where("author_id = ? OR owner = ?", accountID, key).Exec(ctx); err != nil {
		return fmt.Errorf("unnaming the questions of account %d: %w", accountID, err)
	}
	for _, table := range []string{"question_votes", "question_reports"} {
		column := "voter"
		if table == "question_reports" {
			column = "reporter"
		}
		if _, err := db.NewDelete().TableExpr(table).Where(column+" = ?", key).Exec(ctx); err != nil {
			return fmt.Errorf("erasing the %s of account %d: %w", table, accountID, err)
		}
	}
	return nil
}
