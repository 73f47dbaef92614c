package forums

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// What a recorded schedule change changed.
const (
	ChangedTime   = "time"
	ChangedRoom   = "room"
	ChangedTitle  = "title"
	ChangedLink   = "link"
	ChangedStatus = "status"
	ChangedDays   = "days"   // a forum's
	ChangedVenue  = "venue"  // a forum's
	ChangedFormat = "format" // a forum's

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
