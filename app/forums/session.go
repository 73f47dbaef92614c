package forums

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/text/language"

	"github.com/convene/convene/app/problem"
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

// Q&A modes of a session: none, questions shown at once, or shown once a moderator approves.
const (
	QAOff          = "off"
	QAOpen         = "open"
	QAPremoderated = "premoderated"
)

// QAModes lists the Q&A modes in the order forms offer them.
func QAModes() []string { return []string{QAOff, QAOpen, QAPremoderated} }

// Message codes of the session rules.
const (
	CodeKind            = "error.session_kind"
	CodeLocalTime       = "error.session_time"
	CodeNoSuchTime      = "error.session_time_gap"
	CodeEndsFirst       = "error.session_ends_before"
	CodeOutside         = "error.session_outside_forum"
	CodeRoomTaken       = "error.room_taken"
	CodeUnknownRoom     = "error.room_unknown"
	CodeQAMode          = "error.qa_mode"
	CodeLanguage        = "error.session_language"
	CodeUnknownTopic    = "error.topic_unknown"
	CodePersonEmail     = "error.person_email"
	CodeCapacity        = "error.session_capacity"
	CodeSpeakerClash    = "error.speaker_clash"
	CodeTooMany         = "error.too_many_items"
	CodeRoomReserved    = "error.room_reserved"
	maxSpeakers         = 30
	maxPeopleInRoles    = 10
	maxSessionTopics    = 20
	maxSessionLanguages = 6
)

// ErrSpeakerClash warns that a speaker is in another session at the same time. The organiser
// may confirm (confirm_clash) and keep the session: a remote contribution or a mistake in the
// other session are both possible.
var ErrSpeakerClash = problem.New(problem.Conflict, CodeSpeakerClash)

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
	Languages   []string        `bun:"languages,notnull,type:json"`
	OnlineURL   string          `bun:"online_url,notnull"` // "": the forum's link, if any
	QAMode      string          `bun:"qa_mode,notnull"`
	Capacity    int             `bun:"capacity,notnull"` // 0: no cap of its own
	// Sequence grows with every change of this session a calendar shows; a calendar's SEQUENCE
	// for the session adds its forum's, which grows with the venue, link and status.
	Sequence  int       `bun:"sequence,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// SessionInput is what an organiser writes about a session: its times as wall-clock time in
// the forum's zone ("2026-12-17T10:00"), its people by email.
type SessionInput struct {
	Kind, Start, End, QAMode, OnlineURL string
	RoomID                              int64
	Capacity                            int
	Title, Description                  translated.Text
	Languages                           []string // ISO 639-1 codes; none: the process's first language
	TopicIDs                            []int64
	Speakers                            []SpeakerInput
	Moderators                          []string // addresses: each is invited to moderate
	Rapporteur                          string   // an address invited to report, or ""
	// ConfirmClash keeps the session although a speaker is elsewhere at the same time.
	ConfirmClash bool
}

// details is a session input once checked: instants, and people and topics as ids.
type details struct {
	start, end time.Time
	languages  []string
	topics     []int64
	speakers   []Speaker
	moderators []string // canonical addresses
	rapporteur string
}

// Times converts the input's wall-clock times to instants in zone, refusing a time that does
// not exist there (skipped by a change to summer time) or one that is ambiguous (repeated when
// the clocks go back), and checks the session against the forum's days.
func (in SessionInput) Times(zone *time.Location, f Forum) (start, end time.Time, es validate.Errors) {
	start, okStart := LocalTime(&es, "start", in.Start, zone)
	end, okEnd := LocalTime(&es, "end", in.End, zone)
	if !okStart || !okEnd {
		return start, end, es
	}
	if !end.After(start) {
		es.Add("end", CodeEndsFirst, nil)
	}
	first, last := start.In(zone).Format(dateLayout), end.Add(-time.Nanosecond).In(zone).Format(dateLayout)
	if first < f.StartsOn || last > f.EndsOn {
		es.Add("start", CodeOutside, map[string]any{"From": f.StartsOn, "To": f.EndsOn})
	}
	return start, end, es
}

// LocalTime reads wall-clock v (YYYY-MM-DDTHH:MM) in zone. Go moves a time skipped by a clock change forward; it
// is refused instead, and so is a time the clocks show twice.
func LocalTime(es *validate.Errors, field, v string, zone *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		es.Add(field, validate.Required, nil)
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(localLayout, v, zone)
	if err != nil || !plausibleYear(t) {
		es.Add(field, CodeLocalTime, nil)
		return time.Time{}, false
	}
	if t.Format(localLayout) != v {
		es.Add(field, CodeNoSuchTime, map[string]any{"Zone": zone.String()})
		return time.Time{}, false
	}
	if t.Add(-time.Hour).In(zone).Format(localLayout) == v || t.Add(time.Hour).In(zone).Format(localLayout) == v {
		es.Add(field, CodeNoSuchTime, map[string]any{"Zone": zone.String()})
		return time.Time{}, false
	}
	return t.UTC(), true
}

// check applies the session rules and returns the session's instants, topics and people;
// except is the session being changed (0 for a new one), which cannot clash with itself.
func (in *SessionInput) check(ctx context.Context, db bun.IDB, p processes.Process, f Forum, zone *time.Location, except int64) (details, error) {
	var d details
	title, desc := in.Title.Trimmed(), in.Description.Trimmed()
	var es validate.Errors
	if !slices.Contains(SessionKinds(), strings.TrimSpace(in.Kind)) {
		es.Add("kind", CodeKind, nil)
	}
	for _, l := range p.Languages {
		if title[l] == "" {
			es.Add("title."+l, validate.Required, nil)
		}
	}
	checkTexts(&es, textField{"title", title, 200}, textField{"description", desc, 20000})
	if in.QAMode = strings.TrimSpace(in.QAMode); in.QAMode == "" {
		in.QAMode = QAOff
	}
	if !slices.Contains(QAModes(), in.QAMode) {
		es.Add("qa_mode", CodeQAMode, nil)
	}
	if in.Capacity < 0 || in.Capacity > 100000 {
		es.Add("capacity", CodeCapacity, nil)
	}
	checkURL(&es, "online_url", strings.TrimSpace(in.OnlineURL))
	d.languages = checkLanguages(&es, in.Languages, p.Languages[0])
	start, end, tes := in.Times(zone, f)
	es = append(es, tes...)
	d.start, d.end = start, end
	var err error
	if d.topics, err = checkTopics(ctx, db, &es, p.ID, in.TopicIDs); err != nil {
		return d, err
	}
	if d.speakers, err = checkSpeakers(ctx, db, &es, p, in.Speakers); err != nil {
		return d, err
	}
	d.moderators = addresses(&es, "moderators", in.Moderators, maxPeopleInRoles)
	if rs := addresses(&es, "rapporteur", []string{in.Rapporteur}, 1); len(rs) == 1 {
		d.rapporteur = rs[0]
	}
	if len(es) == 0 && in.RoomID != 0 {
		if err := checkRoom(ctx, db, f.ID, in.RoomID, except, start, end); err != nil {
			return d, err
		}
	}
	if err := es.Err(); err != nil {
		return d, err
	}
	if !in.ConfirmClash {
		if err := checkSpeakerClash(ctx, db, p.ID, d.speakers, except, start, end); err != nil {
			return d, err
		}
	}
	return d, nil
}

// checkLanguages keeps the valid ISO 639-1 codes of langs, once each; none means fallback.
func checkLanguages(es *validate.Errors, langs []string, fallback string) []string {
	var out []string
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || slices.Contains(out, l) {
			continue
		}
		if b, err := language.ParseBase(l); err != nil || b.String() != l || len(l) != 2 {
			es.Add("languages", CodeLanguage, map[string]any{"Value": l})
			continue
		}
		out = append(out, l)
	}
	if len(out) > maxSessionLanguages {
		es.Add("languages", CodeTooMany, map[string]any{"Max": maxSessionLanguages})
	}
	if len(out) == 0 {
		out = []string{fallback}
	}
	return out
}

// checkTopics keeps the topic ids once each, refusing one that is not of process processID.
func checkTopics(ctx context.Context, db bun.IDB, es *validate.Errors, processID int64, ids []int64) ([]int64, error) {
	var out []int64
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	if len(out) > maxSessionTopics {
		es.Add("topics", CodeTooMany, map[string]any{"Max": maxSessionTopics})
		return nil, nil
	}
	var found []int64
	if err := db.NewSelect().Model((*processes.Topic)(nil)).Column("id").
		Where("process_id = ? AND id IN (?)", processID, bun.List(out)).Scan(ctx, &found); err != nil {
		return nil, fmt.Errorf("checking topics: %w", err)
	}
	for _, id := range out {
		if !slices.Contains(found, id) {
			es.Add("topics", CodeUnknownTopic, map[string]any{"ID": id})
			break
		}
	}
	return out, nil
}

// addresses reads the addresses of people named to a role, canonical and each once; whether
// any has an account is not looked at (the answer would tell the organiser).
func addresses(es *validate.Errors, field string, emails []string, max int) []string {
	var out []string
	for _, e := range emails {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		canonical, ok := validate.CanonicalEmail(e)
		if !ok {
			es.Add(field, CodePersonEmail, map[string]any{"Email": e})
			continue
		}
		if slices.Contains(out, canonical) {
			continue
		}
		if len(out) == max {
			es.Add(field, CodeTooMany, map[string]any{"Max": max})
			break
		}
		out = append(out, canonical)
	}
	return out
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
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("checking room %d for %v: %w", roomID, start, err)
	}
	return validate.Errors{{Field: "room_id", Code: CodeRoomTaken, Data: map[string]any{"Other": other.Title.In("es", "en")}}}
}
