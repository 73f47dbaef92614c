// Package audit records privileged actions (who did what to which object, when) and lists them
// for admins. Entries are written in the same transaction as the action they describe.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
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
	return Find(ctx, db, Filter{}, limit, offset)
}

// Filter narrows the log: to what touched one process (itself, its forums, their sessions and
// registrations), to actors whose name or address holds Actor, to actions of one Family (the
// action's first word: registration, minutes, forum ...).
type Filter struct {
	ProcessID int64
	Actor     string
	Family    string
}

// Find is List narrowed by f.
func Find(ctx context.Context, db bun.IDB, f Filter, limit, offset int64) ([]Entry, int64, error) {
	var out []Entry
	q := db.NewSelect().Model(&out).
		ColumnExpr("e.*").ColumnExpr("a.name AS actor_name").
		ModelTableExpr("audit_log AS e").
		Join("LEFT JOIN accounts AS a ON a.id = e.actor_id")
	if f.ProcessID != 0 {
		id := fmt.Sprint(f.ProcessID)
		q = q.Where(`((e.object_type = 'process' AND e.object_id = ?)
			OR (e.object_type = 'forum' AND e.object_id IN (SELECT CAST(id AS TEXT) FROM forums WHERE process_id = ?))
			OR (e.object_type = 'registration' AND e.object_id IN (SELECT CAST(r.id AS TEXT) FROM registrations AS r
				JOIN forums AS f ON f.id = r.forum_id WHERE f.process_id = ?)))`, id, f.ProcessID, f.ProcessID)
	}
	if s := strings.TrimSpace(f.Actor); s != "" {
		like := store.LikePattern(s)
		q = q.Where("(LOWER(a.name) LIKE ? ESCAPE '\\' OR LOWER(a.email) LIKE ? ESCAPE '\\')", like, like)
	}
	if f.Family != "" {
		q = q.Where("(e.action = ? OR e.action LIKE ?)", f.Family, f.Family+".%")
	}
	n, err := q.OrderExpr("e.at DESC, e.id DESC").Limit(limit).Offset(offset).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing audit log: %w", err)
	}
	return out, n, nil
}

// Families are the first words of the actions in the log, in order: what its filter offers.
func Families(ctx context.Context, db bun.IDB) ([]string, error) {
	var actions []string
	if err := db.NewSelect().Table("audit_log").ColumnExpr("DISTINCT action").Scan(ctx, &actions); err != nil {
		return nil, fmt.Errorf("the actions of the audit log: %w", err)
	}
	var out []string
	for _, a := range actions {
		f, _, _ := strings.Cut(a, ".")
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out, nil
}
