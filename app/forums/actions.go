package forums

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// ErrCancelled refuses a change to a cancelled forum.
var ErrCancelled = problem.New(problem.Conflict, "error.forum_cancelled")

// The actions: each checks its rules and writes its rows and audit entry in the caller's
// transaction, and never opens one (Service does).

// Create adds a draft forum to process processID.
func Create(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID int64, in Input) (Forum, error) {
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return Forum{}, err
	}
	in = in.Normalized()
	if es := in.Validate(p.Languages); len(es) > 0 {
		return Forum{}, es
	}
	f := Forum{ProcessID: p.ID, Status: StatusDraft, CreatedAt: now}
	in.applyTo(&f, now)
	if _, err := db.NewInsert().Model(&f).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return Forum{}, validate.Errors{{Field: "slug", Code: validate.Taken}}
		}
		return Forum{}, fmt.Errorf("creating forum %s: %w", in.Slug, err)
	}
	return f, audit.Record(ctx, db, now, actor, "forum.create", "process", fmt.Sprint(p.ID), map[string]any{"forum": f.Slug})
}

// Update replaces a forum's fields. A published forum's calendar sequence grows when a change
// shows in a calendar.
func Update(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID int64, in Input) (Forum, error) {
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return Forum{}, err
	}
	f, err := lockForum(ctx, db, processID, forumID)
	if err != nil {
		return Forum{}, err
	}
	if f.Status == StatusCancelled {
		return Forum{}, ErrCancelled
	}
	in = in.Normalized()
	if es := in.Validate(p.Languages); len(es) > 0 {
		return Forum{}, es
	}
	before := f
	in.applyTo(&f, now)
	if f.Status == StatusPublished && calendarFields(before, f) {
		f.Sequence++
	}
	if _, err := db.NewUpdate().Model(&f).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return Forum{}, validate.Errors{{Field: "slug", Code: validate.Taken}}
		}
		return Forum{}, fmt.Errorf("updating forum %d: %w", forumID, err)
	}
	return f, audit.Record(ctx, db, now, actor, "forum.update", "process", fmt.Sprint(p.ID), map[string]any{"forum": f.Slug})
}

// Publish makes a draft forum public.
func Publish(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID int64) (Forum, error) {
	return setStatus(ctx, db, now, actor, processID, forumID, StatusPublished, "forum.publish")
}

// Cancel cancels a forum; it stays public, marked cancelled, so calendars remove it.
func Cancel(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID int64) (Forum, error) {
	return setStatus(ctx, db, now, actor, processID, forumID, StatusCancelled, "forum.cancel")
}

func setStatus(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID int64, status, action string) (Forum, error) {
	f, err := lockForum(ctx, db, processID, forumID)
	if err != nil {
		return Forum{}, err
	}
	switch {
	case f.Status == status:
		return f, nil
	case f.Status == StatusCancelled:
		return Forum{}, ErrCancelled
	}
	if f.Status == StatusPublished {
		f.Sequence++ // a published forum that is cancelled: calendars must see it
	}
	f.Status, f.UpdatedAt = status, now
	if _, err := db.NewUpdate().Model(&f).Column("status", "sequence", "updated_at").WherePK().Exec(ctx); err != nil {
		return Forum{}, fmt.Errorf("setting forum %d %s: %w", forumID, status, err)
	}
	return f, audit.Record(ctx, db, now, actor, action, "process", fmt.Sprint(processID), map[string]any{"forum": f.Slug})
}

// applyTo copies a normalized input onto f.
func (in Input) applyTo(f *Forum, now time.Time) {
	f.Slug, f.Format, f.TimeZone, f.StartsOn, f.EndsOn = in.Slug, in.Format, in.TimeZone, in.StartsOn, in.EndsOn
	f.VenueName, f.VenueAddress, f.MapURL, f.OnlineURL = in.VenueName, in.VenueAddress, in.MapURL, in.OnlineURL
	f.Title, f.Description, f.Accessibility = in.Title, in.Description, in.Accessibility
	f.UpdatedAt = now
}
