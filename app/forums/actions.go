package forums

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// ErrCancelled refuses a change to a cancelled forum.
var ErrCancelled = problem.New(problem.Conflict, "error.forum_cancelled")

// The actions: each checks its rules and writes its rows and audit entry in the caller's
// transaction, and never opens one (Service does). Those that change what a registrant's
// calendar holds tell the followers they are given, in that transaction.

// Follower hears, in the transaction of the change, of the changes to a forum and its sessions
// that people holding a place must hear of (registration sends their invites again).
// calendar says whether a calendar shows the change (the sequence grew).
type Follower interface {
	ForumChanged(ctx context.Context, db bun.IDB, now time.Time, f Forum, calendar bool) error
	SessionChanged(ctx context.Context, db bun.IDB, now time.Time, f Forum, s Session, calendar bool) error
}

// Followers are every follower a change is told to.
type Followers []Follower

// Inviter invites a person named to a session's role (access.Invitations): the role, and the
// name on the programme, follow their acceptance.
type Inviter interface {
	Invite(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, in access.InviteInput) error
}

// Effects are what the actions do beyond their own rows, in the same transaction: tell the
// followers of a change, and invite the people a session names. The zero value does neither
// (a session that names people then cannot be saved).
type Effects struct {
	Followers Followers
	Invite    Inviter
}

func (fs Followers) forumChanged(ctx context.Context, db bun.IDB, now time.Time, f Forum, before int) error {
	for _, fl := range fs {
		if err := fl.ForumChanged(ctx, db, now, f, f.Sequence > before); err != nil {
			return err
		}
	}
	return nil
}

func (fs Followers) sessionChanged(ctx context.Context, db bun.IDB, now time.Time, f Forum, ss Session, before int) error {
	for _, fl := range fs {
		if err := fl.SessionChanged(ctx, db, now, f, ss, ss.Sequence > before); err != nil {
			return err
		}
	}
	return nil
}

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
	if err := store.ContentChanged(ctx, db); err != nil {
		return f, err
	}
	return f, audit.Record(ctx, db, now, actor, "forum.create", "process", fmt.Sprint(p.ID), map[string]any{"forum": f.Slug})
}

// Update replaces a forum's fields. A published forum's calendar sequence grows when a change
// shows in a calendar.
func Update(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, fx Effects, processID, forumID int64, in Input) (Forum, error) {
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
	if err := checkSessionsFit(ctx, db, before, f); err != nil {
		return Forum{}, err
	}
	var changes []Change
	if f.Status == StatusPublished {
		changes = forumChanges(p.Languages[0], before, f)
	}
	if len(changes) > 0 {
		f.Sequence++
	}
	if _, err := db.NewUpdate().Model(&f).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return Forum{}, validate.Errors{{Field: "slug", Code: validate.Taken}}
		}
		return Forum{}, fmt.Errorf("updating forum %d: %w", forumID, err)
	}
	if err := record(ctx, db, now, f.ID, 0, changes); err != nil {
		return Forum{}, err
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return f, err
	}
	if err := fx.Followers.forumChanged(ctx, db, now, f, before.Sequence); err != nil {
		return f, err
	}
	return f, audit.Record(ctx, db, now, actor, "forum.update", "process", fmt.Sprint(p.ID), map[string]any{"forum": f.Slug})
}

// Publish makes a draft forum public.
func Publish(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID int64) (Forum, error) {
	return setStatus(ctx, db, now, actor, nil, processID, forumID, StatusPublished, "forum.publish")
}

// Cancel cancels a forum; it stays public, marked cancelled, so calendars remove it.
func Cancel(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, fx Effects, processID, forumID int64) (Forum, error) {
	return setStatus(ctx, db, now, actor, fx.Followers, processID, forumID, StatusCancelled, "forum.cancel")
}

func setStatus(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, tell Followers, processID, forumID int64, status, action string) (Forum, error) {
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
	before := f.Sequence
	if f.Status == StatusPublished {
		f.Sequence++ // a published forum that is cancelled: calendars must see it
		if err := record(ctx, db, now, f.ID, 0, []Change{{What: ChangedStatus, Before: f.Status, After: status}}); err != nil {
			return Forum{}, err
		}
	}
	f.Status, f.UpdatedAt = status, now
	if _, err := db.NewUpdate().Model(&f).Column("status", "sequence", "updated_at").WherePK().Exec(ctx); err != nil {
		return Forum{}, fmt.Errorf("setting forum %d %s: %w", forumID, status, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return f, err
	}
	if err := tell.forumChanged(ctx, db, now, f, before); err != nil {
		return f, err
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

// Message codes of the rules between a forum and its sessions.
const (
	CodeSessionsOutside = "error.forum_sessions_outside"
	CodeZoneFixed       = "error.forum_zone_fixed"
)

// checkSessionsFit refuses new days that would leave a session outside them, and a new time
// zone once sessions exist (their times were written in the old one).
func checkSessionsFit(ctx context.Context, db bun.IDB, before, after Forum) error {
	if before.StartsOn == after.StartsOn && before.EndsOn == after.EndsOn && before.TimeZone == after.TimeZone {
		return nil
	}
	var sessions []Session
	if err := db.NewSelect().Model(&sessions).Column("starts_at", "ends_at").
		Where("forum_id = ? AND status <> ?", before.ID, SessionCancelled).Scan(ctx); err != nil {
		return fmt.Errorf("reading the sessions of forum %d: %w", before.ID, err)
	}
	if len(sessions) == 0 {
		return nil
	}
	if before.TimeZone != after.TimeZone {
		return validate.Errors{{Field: "time_zone", Code: CodeZoneFixed}}
	}
	zone, err := clock.Zone(after.TimeZone)
	if err != nil {
		return fmt.Errorf("forum %d's time zone: %w", after.ID, err)
	}
	outside := 0
	for _, s := range sessions {
		if s.StartsAt.In(zone).Format(dateLayout) < after.StartsOn || s.EndsAt.Add(-time.Nanosecond).In(zone).Format(dateLayout) > after.EndsOn {
			outside++
		}
	}
	if outside > 0 {
		return validate.Errors{{Field: "starts_on", Code: CodeSessionsOutside, Data: map[string]any{"Count": outside}}}
	}
	return nil
}

// forumChanges lists what a calendar shows that differs between two versions of a published
// forum, as people read it.
func forumChanges(lang string, a, b Forum) []Change {
	var out []Change
	add := func(what, before, after string) {
		if before != after {
			out = append(out, Change{What: what, Before: before, After: after})
		}
	}
	add(ChangedTitle, a.Title.In(lang), b.Title.In(lang))
	add(ChangedDays, a.StartsOn+" – "+a.EndsOn, b.StartsOn+" – "+b.EndsOn)
	add(ChangedVenue, strings.TrimSpace(a.VenueName+", "+a.VenueAddress), strings.TrimSpace(b.VenueName+", "+b.VenueAddress))
	add(ChangedLink, a.OnlineURL, b.OnlineURL)
	add(ChangedFormat, a.Format, b.Format)
	return out
}
