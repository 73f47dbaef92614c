package processes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
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

// lockByID returns process id and, on PostgreSQL, locks its row until the transaction ends, so
// changes to its topics' positions are made one at a time.
func lockByID(ctx context.Context, tx bun.IDB, id int64) (Process, error) {
	var p Process
	if err := store.ForUpdate(tx.NewSelect().Model(&p).Where("id = ?", id), tx).Scan(ctx); err != nil {
		return p, fmt.Errorf("process %d: %w", id, store.NotFound(err))
	}
	return p, nil
}

// ByIDs reads processes by id.
func ByIDs(ctx context.Context, db bun.IDB, ids []int64) (map[int64]Process, error) {
	out := map[int64]Process{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Process
	if err := db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading processes: %w", err)
	}
	for _, p := range rows {
		out[p.ID] = p
	}
	return out, nil
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
		OrderExpr("CASE kind WHEN ? THEN 0 ELSE 1 END, position, id", KindObjective).Scan(ctx)
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

// applyTo copies a normalized input onto p.
func (in ProcessInput) applyTo(p *Process, now time.Time) {
	p.Slug, p.Code, p.TimeZone, p.Status, p.ContactEmail = in.Slug, in.Code, in.TimeZone, in.Status, in.ContactEmail
	p.MinutesDueDays = in.MinutesDueDays
	p.Title, p.Description, p.GeneralObjective = in.Title, in.Description, in.GeneralObjective
	p.Languages, p.StakeholderGroups = slices.Clone(in.Languages), slices.Clone(in.StakeholderGroups)
	p.UpdatedAt = now
}

// nextPosition is the position after the last topic of kind in the process.
func nextPosition(ctx context.Context, db bun.IDB, processID int64, kind string) (int, error) {
	var last int
	if err := db.NewSelect().Model((*Topic)(nil)).ColumnExpr("COALESCE(MAX(position), 0)").
		Where("process_id = ? AND kind = ?", processID, kind).Scan(ctx, &last); err != nil {
		return 0, fmt.Errorf("finding the last %s of process %d: %w", kind, processID, err)
	}
	return last + 1, nil
}

// checkUnique reports which of slug and code another process (not id) already uses, so both
// are named at once; the unique constraints still decide between concurrent writers.
func checkUnique(ctx context.Context, db bun.IDB, id int64, in ProcessInput) error {
	var es validate.Errors
	for _, f := range []struct{ field, value string }{{"slug", in.Slug}, {"code", in.Code}} {
		used, err := db.NewSelect().Model((*Process)(nil)).
			Where("? = ? AND id <> ?", bun.Ident(f.field), f.value, id).Exists(ctx)
		if err != nil {
			return fmt.Errorf("checking whether %s %q is taken: %w", f.field, f.value, err)
		}
		if used {
			es.Add(f.field, validate.Taken, nil)
		}
	}
	return es.Err()
}

// taken turns a unique violation (a concurrent writer that passed checkUnique first) into a
// field error on the column it names: both dialects put the column in the message
// (PostgreSQL's constraint processes_code_key, SQLite's "processes.code"). Other errors pass.
func taken(err error, fields ...string) error {
	if !store.IsUniqueViolation(err) {
		return err
	}
	field := fields[0]
	for _, f := range fields {
		if strings.Contains(err.Error(), f) {
			field = f
			break
		}
	}
	return validate.Errors{{Field: field, Code: validate.Taken}}
}
