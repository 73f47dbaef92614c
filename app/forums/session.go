package forums

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Statuses of a session: a cancelled one stays in the programme and the feeds, marked, so that
// calendars remove it.
const (
	SessionScheduled = "scheduled"
	SessionCancelled = "cancelled"
)

// Kinds of session.
const (
	KindWorkshop   = "workshop"
	KindPanel      = "panel"
	KindPlenary    = "plenary"
	KindRoundtable = "roundtable"
	KindOpenForum  = "open_forum"
)

// SessionKinds lists the kinds in the order forms offer them.
func SessionKinds() []string {
	return []string{KindWorkshop, KindPanel, KindPlenary, KindRoundtable, KindOpenForum}
}

// Message codes of the session rules.
const (
	CodeKind        = "error.session_kind"
	CodeLocalTime   = "error.session_time"
	CodeNoSuchTime  = "error.session_time_gap"
	CodeEndsFirst   = "error.session_ends_before"
	CodeOutside     = "error.session_outside_forum"
	CodeRoomTaken   = "error.room_taken"
	CodeUnknownRoom = "error.room_unknown"
)

// localLayout is how a session's start and end are written: wall-clock time in the forum's zone.
const localLayout = "2006-01-02T15:04"

// Room is a room of a forum's venue.
type Room struct {
	bun.BaseModel `bun:"table:rooms"`

	ID       int64  `bun:"id,pk,autoincrement"`
	ForumID  int64  `bun:"forum_id,notnull"`
	Name     string `bun:"name,notnull"`
	Capacity int    `bun:"capacity,notnull"` // 0: not stated
}

// Session is one slot of a forum's programme.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID          int64           `bun:"id,pk,autoincrement"`
	ForumID     int64           `bun:"forum_id,notnull"`
	RoomID      int64           `bun:"room_id,nullzero"` // 0: online only, or no room yet
	Kind        string          `bun:"kind,notnull"`
	Title       translated.Text `bun:"title,notnull"`
	Description translated.Text `bun:"description,notnull"`
	StartsAt    time.Time       `bun:"starts_at,notnull"` // an instant, UTC
	EndsAt      time.Time       `bun:"ends_at,notnull"`
	Status      string          `bun:"status,notnull"` // scheduled or cancelled
	Sequence    int             `bun:"sequence,notnull"`
	CreatedAt   time.Time       `bun:"created_at,notnull"`
	UpdatedAt   time.Time       `bun:"updated_at,notnull"`
}

// SessionInput is what an organiser writes about a session: its times as wall-clock time in
// the forum's zone ("2026-12-17T10:00").
type SessionInput struct {
	Kind, Start, End   string
	RoomID             int64
	Title, Description translated.Text
}

// Times converts the input's wall-clock times to instants in zone, refusing a time that does
// not exist there (skipped by a change to summer time) or one that is ambiguous (repeated when
// the clocks go back), and checks the session against the forum's days.
func (in SessionInput) Times(zone *time.Location, f Forum) (start, end time.Time, es validate.Errors) {
	start, okStart := localTime(&es, "start", in.Start, zone)
	end, okEnd := localTime(&es, "end", in.End, zone)
	if !okStart || !okEnd {
		return start, end, es
	}
	if !end.After(start) {
		es.Add("end", CodeEndsFirst, nil)
	}
	first, last := start.In(zone).Format(dateLayout), end.In(zone).Format(dateLayout)
	if first < f.StartsOn || last > f.EndsOn {
		es.Add("start", CodeOutside, map[string]any{"From": f.StartsOn, "To": f.EndsOn})
	}
	return start, end, es
}

// localTime reads wall-clock v in zone. Go moves a time skipped by a clock change forward; it
// is refused instead, and so is a time the clocks show twice.
func localTime(es *validate.Errors, field, v string, zone *time.Location) (time.Time, bool) {
	if strings.TrimSpace(v) == "" {
		es.Add(field, validate.Required, nil)
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(localLayout, strings.TrimSpace(v), zone)
	if err != nil {
		es.Add(field, CodeLocalTime, nil)
		return time.Time{}, false
	}
	if t.Format(localLayout) != strings.TrimSpace(v) {
		es.Add(field, CodeNoSuchTime, map[string]any{"Zone": zone.String()})
		return time.Time{}, false
	}
	if t.Add(-time.Hour).In(zone).Format(localLayout) == t.Format(localLayout) || t.Add(time.Hour).In(zone).Format(localLayout) == t.Format(localLayout) {
		es.Add(field, CodeNoSuchTime, map[string]any{"Zone": zone.String()})
		return time.Time{}, false
	}
	return t.UTC(), true
}

// CreateSession adds a session to forum forumID of process processID. A room holds one session
// at a time: a clash is refused naming the other session.
func CreateSession(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID int64, in SessionInput) (Session, error) {
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return Session{}, err
	}
	f, err := lockForum(ctx, db, processID, forumID) // one writer at a time per forum: clash checks hold
	if err != nil {
		return Session{}, err
	}
	if f.Status == StatusCancelled {
		return Session{}, ErrCancelled
	}
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		return Session{}, fmt.Errorf("forum %d's time zone: %w", f.ID, err)
	}
	start, end, err := in.check(ctx, db, p.Languages, f, zone, 0)
	if err != nil {
		return Session{}, err
	}
	in.Title, in.Description = in.Title.Trimmed(), in.Description.Trimmed()
	s := Session{ForumID: f.ID, RoomID: in.RoomID, Kind: strings.TrimSpace(in.Kind), Title: in.Title, Description: in.Description,
		StartsAt: start, EndsAt: end, Status: SessionScheduled, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(&s).Exec(ctx); err != nil {
		return Session{}, fmt.Errorf("adding a session to forum %d: %w", f.ID, err)
	}
	return s, audit.Record(ctx, db, now, actor, "session.create", "process", fmt.Sprint(processID),
		map[string]any{"forum": f.Slug, "session": s.ID})
}

// check applies the session rules and returns the session's instants; except is the session
// being changed (0 for a new one), which cannot clash with itself.
func (in SessionInput) check(ctx context.Context, db bun.IDB, langs []string, f Forum, zone *time.Location, except int64) (time.Time, time.Time, error) {
	title := in.Title.Trimmed()
	var es validate.Errors
	if !slices.Contains(SessionKinds(), strings.TrimSpace(in.Kind)) {
		es.Add("kind", CodeKind, nil)
	}
	for _, l := range langs {
		if title[l] == "" {
			es.Add("title."+l, validate.Required, nil)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(title)) {
		es.LongText("title."+l, title[l], 200, false)
	}
	start, end, tes := in.Times(zone, f)
	es = append(es, tes...)
	if len(es) == 0 && in.RoomID != 0 {
		if err := checkRoom(ctx, db, f.ID, in.RoomID, except, start, end); err != nil {
			return start, end, err
		}
	}
	return start, end, es.Err()
}

// checkRoom refuses a room of another forum, or one another session (not except) holds at
// some moment between start and end.
func checkRoom(ctx context.Context, db bun.IDB, forumID, roomID, except int64, start, end time.Time) error {
	ok, err := db.NewSelect().Model((*Room)(nil)).Where("id = ? AND forum_id = ?", roomID, forumID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("checking room %d: %w", roomID, err)
	}
	if !ok {
		return validate.Errors{{Field: "room_id", Code: CodeUnknownRoom}}
	}
	var other Session
	err = db.NewSelect().Model(&other).Where("room_id = ? AND id <> ? AND status <> ? AND starts_at < ? AND ends_at > ?",
		roomID, except, SessionCancelled, end, start).
		OrderExpr("starts_at").Limit(1).Scan(ctx)
	if err == nil {
		return validate.Errors{{Field: "room_id", Code: CodeRoomTaken, Data: map[string]any{"Other": other.Title.In("es", "en")}}}
	}
	return nil
}

// AddRoom adds a room to a forum's venue.
func AddRoom(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, forumID int64, name string, capacity int) (Room, error) {
	f, err := lockForum(ctx, db, processID, forumID)
	if err != nil {
		return Room{}, err
	}
	name = strings.TrimSpace(name)
	var es validate.Errors
	es.Text("room_name", name, 100)
	if capacity < 0 || capacity > 100000 {
		es.Add("room_capacity", validate.Invalid, nil)
	}
	if err := es.Err(); err != nil {
		return Room{}, err
	}
	r := Room{ForumID: f.ID, Name: name, Capacity: capacity}
	if _, err := db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return Room{}, fmt.Errorf("adding room %q to forum %d: %w", name, f.ID, err)
	}
	return r, audit.Record(ctx, db, now, actor, "room.create", "process", fmt.Sprint(processID), map[string]any{"forum": f.Slug, "room": name})
}
