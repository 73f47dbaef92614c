package forums

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
)

// What a recorded schedule change changed.
const (
	ChangedTime   = "time"
	ChangedRoom   = "room"
	ChangedTitle  = "title"
	ChangedStatus = "status"
)

// Change is one recorded change to a published forum's programme: what changed, from what to
// what, as people read it (times in the forum's zone). The public change log and the updates
// mailed to registrants come from these rows.
type Change struct {
	bun.BaseModel `bun:"table:schedule_changes"`

	ID        int64     `bun:"id,pk,autoincrement"`
	ForumID   int64     `bun:"forum_id,notnull"`
	SessionID int64     `bun:"session_id,nullzero"`
	At        time.Time `bun:"at,notnull"`
	What      string    `bun:"what,notnull"`
	Before    string    `bun:"before_value,notnull"`
	After     string    `bun:"after_value,notnull"`
}

// Changes lists a forum's recorded changes, newest first.
func Changes(ctx context.Context, db bun.IDB, forumID int64) ([]Change, error) {
	out := []Change{}
	if err := db.NewSelect().Model(&out).Where("forum_id = ?", forumID).OrderExpr("at DESC, id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the changes of forum %d: %w", forumID, err)
	}
	return out, nil
}

// span writes a session's time as its programme shows it: "2026-12-17 10:00–11:00".
func span(start, end time.Time, zone *time.Location) string {
	s, e := start.In(zone), end.In(zone)
	if s.Format(dateLayout) == e.Format(dateLayout) {
		return s.Format("2006-01-02 15:04") + "–" + e.Format("15:04")
	}
	return s.Format("2006-01-02 15:04") + " – " + e.Format("2006-01-02 15:04")
}

// roomName is a room's name, or "" for none.
func roomName(ctx context.Context, db bun.IDB, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	var r Room
	if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return "", fmt.Errorf("room %d: %w", id, store.NotFound(err))
	}
	return r.Name, nil
}

// UpdateSession replaces a session's fields. Once its forum is published, every change a
// calendar shows (time, room, title) is recorded and grows the session's calendar sequence.
func UpdateSession(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID, sessionID int64, in SessionInput) (Session, error) {
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return Session{}, err
	}
	f, err := lockForum(ctx, db, processID, forumID)
	if err != nil {
		return Session{}, err
	}
	if f.Status == StatusCancelled {
		return Session{}, ErrCancelled
	}
	s, err := sessionOf(ctx, db, f.ID, sessionID)
	if err != nil {
		return Session{}, err
	}
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		return Session{}, fmt.Errorf("forum %d's time zone: %w", f.ID, err)
	}
	start, end, err := in.check(ctx, db, p.Languages, f, zone, s.ID)
	if err != nil {
		return Session{}, err
	}
	before := s
	s.Kind, s.RoomID, s.Title, s.Description = in.Kind, in.RoomID, in.Title.Trimmed(), in.Description.Trimmed()
	s.StartsAt, s.EndsAt, s.UpdatedAt = start, end, now
	var changes []Change
	if f.Status == StatusPublished {
		if !before.StartsAt.Equal(s.StartsAt) || !before.EndsAt.Equal(s.EndsAt) {
			changes = append(changes, Change{What: ChangedTime, Before: span(before.StartsAt, before.EndsAt, zone), After: span(s.StartsAt, s.EndsAt, zone)})
		}
		if before.RoomID != s.RoomID {
			was, err := roomName(ctx, db, before.RoomID)
			if err != nil {
				return Session{}, err
			}
			is, err := roomName(ctx, db, s.RoomID)
			if err != nil {
				return Session{}, err
			}
			changes = append(changes, Change{What: ChangedRoom, Before: was, After: is})
		}
		if b, a := before.Title.In(p.Languages[0]), s.Title.In(p.Languages[0]); b != a {
			changes = append(changes, Change{What: ChangedTitle, Before: b, After: a})
		}
	}
	if len(changes) > 0 {
		s.Sequence++
	}
	if _, err := db.NewUpdate().Model(&s).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
		return Session{}, fmt.Errorf("updating session %d: %w", s.ID, err)
	}
	if err := record(ctx, db, now, f.ID, s.ID, changes); err != nil {
		return Session{}, err
	}
	return s, audit.Record(ctx, db, now, actor, "session.update", "process", fmt.Sprint(processID), map[string]any{"forum": f.Slug, "session": s.ID})
}

// CancelSession cancels a session: it stays in the programme, marked, and calendars remove it.
func CancelSession(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID, sessionID int64) (Session, error) {
	f, err := lockForum(ctx, db, processID, forumID)
	if err != nil {
		return Session{}, err
	}
	s, err := sessionOf(ctx, db, f.ID, sessionID)
	if err != nil || s.Status == SessionCancelled {
		return s, err
	}
	s.Status, s.UpdatedAt = SessionCancelled, now
	if f.Status == StatusPublished {
		s.Sequence++
		if err := record(ctx, db, now, f.ID, s.ID, []Change{{What: ChangedStatus, Before: SessionScheduled, After: SessionCancelled}}); err != nil {
			return Session{}, err
		}
	}
	if _, err := db.NewUpdate().Model(&s).Column("status", "sequence", "updated_at").WherePK().Exec(ctx); err != nil {
		return Session{}, fmt.Errorf("cancelling session %d: %w", s.ID, err)
	}
	return s, audit.Record(ctx, db, now, actor, "session.cancel", "process", fmt.Sprint(processID), map[string]any{"forum": f.Slug, "session": s.ID})
}

func sessionOf(ctx context.Context, db bun.IDB, forumID, sessionID int64) (Session, error) {
	var s Session
	if err := db.NewSelect().Model(&s).Where("id = ? AND forum_id = ?", sessionID, forumID).Scan(ctx); err != nil {
		return s, fmt.Errorf("session %d: %w", sessionID, store.NotFound(err))
	}
	return s, nil
}

func record(ctx context.Context, db bun.IDB, now time.Time, forumID, sessionID int64, changes []Change) error {
	for i := range changes {
		changes[i].ForumID, changes[i].SessionID, changes[i].At = forumID, sessionID, now
	}
	if len(changes) == 0 {
		return nil
	}
	if _, err := db.NewInsert().Model(&changes).Exec(ctx); err != nil {
		return fmt.Errorf("recording the changes of session %d: %w", sessionID, err)
	}
	return nil
}
