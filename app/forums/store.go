package forums

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// ByID returns forum forumID of process processID; a forum of another process is not found.
func ByID(ctx context.Context, db bun.IDB, processID, forumID int64) (Forum, error) {
	var f Forum
	if err := db.NewSelect().Model(&f).Where("id = ? AND process_id = ?", forumID, processID).Scan(ctx); err != nil {
		return f, fmt.Errorf("forum %d: %w", forumID, store.NotFound(err))
	}
	return f, nil
}

// lockForum is ByID holding the forum's row until the transaction ends (PostgreSQL).
func lockForum(ctx context.Context, db bun.IDB, processID, forumID int64) (Forum, error) {
	var f Forum
	q := db.NewSelect().Model(&f).Where("id = ? AND process_id = ?", forumID, processID)
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		return f, fmt.Errorf("forum %d: %w", forumID, store.NotFound(err))
	}
	return f, nil
}

// List returns a process's forums by their first day; publicOnly leaves drafts out.
func List(ctx context.Context, db bun.IDB, processID int64, publicOnly bool) ([]Forum, error) {
	out := []Forum{}
	q := db.NewSelect().Model(&out).Where("process_id = ?", processID).OrderExpr("starts_on, id")
	if publicOnly {
		q = q.Where("status <> ?", StatusDraft)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the forums of process %d: %w", processID, err)
	}
	return out, nil
}

// Get returns forum id, whichever its process.
func Get(ctx context.Context, db bun.IDB, id int64) (Forum, error) {
	var f Forum
	if err := db.NewSelect().Model(&f).Where("id = ?", id).Scan(ctx); err != nil {
		return f, fmt.Errorf("forum %d: %w", id, store.NotFound(err))
	}
	return f, nil
}
