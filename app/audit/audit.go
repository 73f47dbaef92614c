// Package audit records privileged actions (who did what to which object, when) and lists them
// for admins. Entries are written in the same transaction as the action they describe.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Entry is one audited action.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID         int64     `bun:"id,pk,autoincrement"`
	At         time.Time `bun:"at,notnull"`
	ActorID    *int64    `bun:"actor_id"`
	ActorName  string    `bun:"actor_name,scanonly"`
	Action     string    `bun:"action,notnull"`
	ObjectType string    `bun:"object_type,notnull"`
	ObjectID   string    `bun:"object_id,notnull"`
	Detail     string    `bun:"detail,nullzero"` // JSON
	RequestID  string    `bun:"request_id,notnull"`
}

// Actor says who acts and under which request, for the audit trail.
type Actor struct {
	AccountID int64 // 0 for the system (seeding, commands)
	RequestID string
}

// Record writes one entry. detail is encoded as JSON and may be nil.
func Record(ctx context.Context, db bun.IDB, at time.Time, who Actor, action, objectType, objectID string, detail any) error {
	e := &Entry{At: at.UTC(), Action: action, ObjectType: objectType, ObjectID: objectID, RequestID: who.RequestID}
	if who.AccountID != 0 {
		id := who.AccountID
		e.ActorID = &id
	}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("encoding audit detail of %s: %w", action, err)
		}
		e.Detail = string(b)
	}
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("recording %s on %s %s: %w", action, objectType, objectID, err)
	}
	return nil
}

// List returns entries newest first, limit per page, with the actor's name joined in.
func List(ctx context.Context, db bun.IDB, limit, offset int64) ([]Entry, int64, error) {
	var out []Entry
	n, err := db.NewSelect().Model(&out).
		ColumnExpr("e.*").ColumnExpr("a.name AS actor_name").
		ModelTableExpr("audit_log AS e").
		Join("LEFT JOIN accounts AS a ON a.id = e.actor_id").
		OrderExpr("e.at DESC, e.id DESC").
		Limit(limit).Offset(offset).
		ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit log: %w", err)
	}
	return out, n, nil
}
