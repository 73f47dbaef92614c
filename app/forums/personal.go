package forums

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Personal is the forums part of a person's data: the programme entries that name them as a
// speaker through their account. An organiser typed those entries for a public programme, so
// erasing the account unlinks them (the foreign key sets NULL) and the programme keeps them.
type Personal struct{}

// Export lists the speaker entries linked to accountID.
func (Personal) Export(ctx context.Context, db bun.IDB, accountID int64, _ string) (any, error) {
	var rows []Speaker
	if err := db.NewSelect().Model(&rows).Where("account_id = ?", accountID).OrderExpr("session_id, position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the speaker entries of account %d: %w", accountID, err)
	}
	out := make([]map[string]any, 0, len(rows))
	for _, s := range rows {
		out = append(out, map[string]any{"session_id": s.SessionID, "name": s.Name, "affiliation": s.Affiliation,
			"country": s.Country, "stakeholder_group": s.Group, "bio": s.Bio})
	}
	return out, nil
}

// Erase does nothing more: deleting the account unlinks its speaker entries.
func (Personal) Erase(context.Context, bun.IDB, time.Time, int64, string) error { return nil }
