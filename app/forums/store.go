package forums

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
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

// BySlug returns the forum with this slug, whichever its process.
func BySlug(ctx context.Context, db bun.IDB, slug string) (Forum, error) {
	var f Forum
	if err := db.NewSelect().Model(&f).Where("slug = ?", slug).Scan(ctx); err != nil {
		return f, fmt.Errorf("forum %s: %w", slug, store.NotFound(err))
	}
	return f, nil
}

// Listed is a forum with what a list across processes shows of its process.
type Listed struct {
	Forum            `bun:",extend"`
	ProcessSlug      string          `bun:"process_slug"`
	ProcessTitle     translated.Text `bun:"process_title"`
	ProcessLanguages []string        `bun:"process_languages,type:json"`
}

// Upcoming lists the published forums of public processes that have not ended by now (in each
// forum's own zone), soonest first, at most limit.
func Upcoming(ctx context.Context, db bun.IDB, now time.Time, limit int) ([]Listed, error) {
	var rows []Listed
	// A day's margin either side of UTC: the exact test is in each forum's zone below.
	err := db.NewSelect().Model(&rows).
		ColumnExpr("forum.*, p.slug AS process_slug, p.title AS process_title, p.languages AS process_languages").
		Join("JOIN processes AS p ON p.id = forum.process_id").
		Where("forum.status = ? AND p.status <> ? AND forum.ends_on >= ?", StatusPublished, processes.StatusDraft,
			now.Add(-24*time.Hour).Format(dateLayout)).
		OrderExpr("forum.starts_on, forum.id").Limit(int64(limit) + 8).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing upcoming forums: %w", err)
	}
	out := rows[:0]
	for _, f := range rows {
		if !f.Ended(now) && len(out) < limit {
			out = append(out, f)
		}
	}
	return out, nil
}

// Ended tells whether the forum's last day is over in its own zone.
func (f Forum) Ended(now time.Time) bool {
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	return now.In(zone).Format(dateLayout) > f.EndsOn
}

// Running tells whether the forum is under way at now: one of its days, in its own zone.
func (f Forum) Running(now time.Time) bool {
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	today := now.In(zone).Format(dateLayout)
	return f.StartsOn <= today && today <= f.EndsOn
}

// Days lists the forum's days, first to last, as YYYY-MM-DD.
func (f Forum) Days() []string {
	first, err1 := time.Parse(dateLayout, f.StartsOn)
	last, err2 := time.Parse(dateLayout, f.EndsOn)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for d := first; !d.After(last) && len(out) < 366; d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(dateLayout))
	}
	return out
}
