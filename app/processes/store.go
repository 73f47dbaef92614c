package processes

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// BySlug returns the process with this slug.
func BySlug(ctx context.Context, db bun.IDB, slug string) (Process, error) {
	var p Process
	if err := db.NewSelect().Model(&p).Where("slug = ?", slug).Scan(ctx); err != nil {
		return p, fmt.Errorf("process %q: %w", slug, store.NotFound(err))
	}
	return p, nil
}

// ByID returns process id.
func ByID(ctx context.Context, db bun.IDB, id int64) (Process, error) {
	var p Process
	if err := db.NewSelect().Model(&p).Where("id = ?", id).Scan(ctx); err != nil {
		return p, fmt.Errorf("process %d: %w", id, store.NotFound(err))
	}
	return p, nil
}

// ListFilter narrows List.
type ListFilter struct {
	PublicOnly bool // leave out drafts
}

// List returns processes, newest first.
func List(ctx context.Context, db bun.IDB, f ListFilter) ([]Process, error) {
	var out []Process
	q := db.NewSelect().Model(&out).OrderExpr("created_at DESC, id DESC")
	if f.PublicOnly {
		q = q.Where("status <> ?", StatusDraft)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	return out, nil
}

// Topics returns a process's topics: objectives, then axes, each by position.
func Topics(ctx context.Context, db bun.IDB, processID int64) ([]Topic, error) {
	var out []Topic
	err := db.NewSelect().Model(&out).Where("process_id = ?", processID).
		OrderExpr("CASE kind WHEN 'objective' THEN 0 ELSE 1 END, position, id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing topics of process %d: %w", processID, err)
	}
	return out, nil
}

// TopicByID returns a topic of the given process; a topic of another process is not found.
func TopicByID(ctx context.Context, db bun.IDB, processID, topicID int64) (Topic, error) {
	var t Topic
	if err := db.NewSelect().Model(&t).Where("id = ? AND process_id = ?", topicID, processID).Scan(ctx); err != nil {
		return t, fmt.Errorf("topic %d of process %d: %w", topicID, processID, store.NotFound(err))
	}
	return t, nil
}
