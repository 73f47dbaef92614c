package forums

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// CreateSession adds a session to forum forumID of process processID. A room holds one session
// at a time: a clash is refused naming the other session.
func CreateSession(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, fx Effects, processID, forumID int64, in SessionInput) (Session, error) {
	p, f, zone, err := openForum(ctx, db, processID, forumID)
	if err != nil {
		return Session{}, err
	}
	d, err := in.check(ctx, db, p, f, zone, 0)
	if err != nil {
		return Session{}, err
	}
	s := Session{ForumID: f.ID, Status: SessionScheduled, CreatedAt: now}
	in.applyTo(&s, d, now)
	if _, err := db.NewInsert().Model(&s).Exec(ctx); err != nil {
		return Session{}, fmt.Errorf("adding a session to forum %d: %w", f.ID, err)
	}
	if err := saveDetails(ctx, db, now, actor, fx.Invite, p, f, zone, s, d); err != nil {
		return Session{}, err
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return s, err
	}
	return s, audit.Record(ctx, db, now, actor, "session.create", "process", fmt.Sprint(processID),
		map[string]any{"forum": f.Slug, "session": s.ID})
}

// UpdateSession replaces a session's fields. Once its forum is published, every change a
// calendar shows (time, room, link, title) is recorded and grows the session's calendar
// sequence.
func UpdateSession(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, fx Effects, processID, forumID, sessionID int64, in SessionInput) (Session, error) {
	p, f, zone, err := openForum(ctx, db, processID, forumID)
	if err != nil {
		return Session{}, err
	}
	s, err := sessionOf(ctx, db, f.ID, sessionID)
	if err != nil {
		return Session{}, err
	}
	d, err := in.check(ctx, db, p, f, zone, s.ID)
	if err != nil {
		return Session{}, err
	}
	before := s
	in.applyTo(&s, d, now)
	var changes []Change
	if f.Status == StatusPublished {
		if changes, err = sessionChanges(ctx, db, p.Languages[0], zone, before, s); err != nil {
			return Session{}, err
		}
	}
	if len(changes) > 0 {
		s.Sequence++
	}
	if _, err := db.NewUpdate().Model(&s).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
		return Session{}, fmt.Errorf("updating session %d: %w", s.ID, err)
	}
	if err := saveDetails(ctx, db, now, actor, fx.Invite, p, f, zone, s, d); err != nil {
		return Session{}, err
	}
	if err := record(ctx, db, now, f.ID, s.ID, changes); err != nil {
		return Session{}, err
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return s, err
	}
	if err := fx.Followers.sessionChanged(ctx, db, now, f, s, before.Sequence); err != nil {
		return s, err
	}
	return s, audit.Record(ctx, db, now, actor, "session.update", "process", fmt.Sprint(processID), map[string]any{"forum": f.Slug, "session": s.ID})
}

// sessionChanges lists what a calendar shows that differs between before and after, as people
// read it.
func sessionChanges(ctx context.Context, db bun.IDB, lang string, zone *time.Location, before, after Session) ([]Change, error) {
	var changes []Change
	if !before.StartsAt.Equal(after.StartsAt) || !before.EndsAt.Equal(after.EndsAt) {
		changes = append(changes, Change{What: ChangedTime, Before: span(before.StartsAt, before.EndsAt, zone), After: span(after.StartsAt, after.EndsAt, zone)})
	}
	if before.RoomID != after.RoomID {
		was, err := roomName(ctx, db, before.RoomID)
		if err != nil {
			return nil, err
		}
		is, err := roomName(ctx, db, after.RoomID)
		if err != nil {
			return nil, err
		}
		changes = append(changes, Change{What: ChangedRoom, Before: was, After: is})
	}
	if before.OnlineURL != after.OnlineURL {
		changes = append(changes, Change{What: ChangedLink, Before: before.OnlineURL, After: after.OnlineURL})
	}
	if b, a := before.Title.In(lang), after.Title.In(lang); b != a {
		changes = append(changes, Change{What: ChangedTitle, Before: b, After: a})
	}
	return changes, nil
}

// CancelSession cancels a session: it stays in the programme, marked, and calendars remove it.
func CancelSession(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, fx Effects, processID, forumID, sessionID int64) (Session, error) {
	f, err := lockForum(ctx, db, processID, forumID)
	if err != nil {
		return Session{}, err
	}
	s, err := sessionOf(ctx, db, f.ID, sessionID)
	if err != nil || s.Status == SessionCancelled {
		return s, err
	}
	before := s.Sequence
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
	if err := store.ContentChanged(ctx, db); err != nil {
		return s, err
	}
	if err := fx.Followers.sessionChanged(ctx, db, now, f, s, before); err != nil {
		return s, err
	}
	return s, audit.Record(ctx, db, now, actor, "session.cancel", "process", fmt.Sprint(processID), map[string]any{"forum": f.Slug, "session": s.ID})
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
	if len(es) == 0 {
		if strings.EqualFold(name, "En línea") || strings.EqualFold(name, "Online") {
			es.Add("room_name", CodeRoomReserved, nil) // the programme's column for online sessions
		} else if taken, err := db.NewSelect().Model((*Room)(nil)).Where("forum_id = ? AND lower(name) = lower(?)", f.ID, name).Exists(ctx); err != nil {
			return Room{}, fmt.Errorf("checking room names of forum %d: %w", f.ID, err)
		} else if taken {
			es.Add("room_name", validate.Taken, nil)
		}
	}
	if err := es.Err(); err != nil {
		return Room{}, err
	}
	r := Room{ForumID: f.ID, Name: name, Capacity: capacity}
	if _, err := db.NewInsert().Model(&r).Exec(ctx); err != nil {
		return Room{}, fmt.Errorf("adding room %q to forum %d: %w", name, f.ID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return r, err
	}
	return r, audit.Record(ctx, db, now, actor, "room.create", "process", fmt.Sprint(processID), map[string]any{"forum": f.Slug, "room": name})
}

// openForum locks a forum that may still change (not cancelled), with its process and zone:
// one writer at a time per forum, so the room and speaker checks hold.
func openForum(ctx context.Context, db bun.IDB, processID, forumID int64) (processes.Process, Forum, *time.Location, error) {
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return p, Forum{}, nil, err
	}
	f, err := lockForum(ctx, db, processID, forumID)
	if err != nil {
		return p, f, nil, err
	}
	if f.Status == StatusCancelled {
		return p, f, nil, ErrCancelled
	}
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		return p, f, nil, fmt.Errorf("forum %d's time zone: %w", f.ID, err)
	}
	return p, f, zone, nil
}

// applyTo copies a checked input onto s.
func (in SessionInput) applyTo(s *Session, d details, now time.Time) {
	s.Kind, s.RoomID, s.Title, s.Description = strings.TrimSpace(in.Kind), in.RoomID, in.Title.Trimmed(), in.Description.Trimmed()
	s.QAMode, s.OnlineURL, s.Capacity, s.Languages = strings.TrimSpace(in.QAMode), strings.TrimSpace(in.OnlineURL), in.Capacity, d.languages
	s.StartsAt, s.EndsAt, s.UpdatedAt = d.start, d.end, now
}

// saveDetails replaces a session's topics and speakers, invites the moderators and rapporteur
// it names who do not hold their role yet, and withdraws the role, or the invitation, from
// those it no longer names.
func saveDetails(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, invite Inviter, p processes.Process, f Forum,
	zone *time.Location, s Session, d details) error {
	sessionID := s.ID
	if _, err := db.NewDelete().Model((*sessionTopic)(nil)).Where("session_id = ?", sessionID).Exec(ctx); err != nil {
		return fmt.Errorf("clearing the topics of session %d: %w", sessionID, err)
	}
	if len(d.topics) > 0 {
		rows := make([]sessionTopic, len(d.topics))
		for i, id := range d.topics {
			rows[i] = sessionTopic{SessionID: sessionID, TopicID: id}
		}
		if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return fmt.Errorf("tagging session %d: %w", sessionID, err)
		}
	}
	if _, err := db.NewDelete().Model((*Speaker)(nil)).Where("session_id = ?", sessionID).Exec(ctx); err != nil {
		return fmt.Errorf("clearing the speakers of session %d: %w", sessionID, err)
	}
	if len(d.speakers) > 0 {
		for i := range d.speakers {
			d.speakers[i].SessionID = sessionID
		}
		if _, err := db.NewInsert().Model(&d.speakers).Exec(ctx); err != nil {
			return fmt.Errorf("adding the speakers of session %d: %w", sessionID, err)
		}
	}
	held, err := access.ForSession(ctx, db, sessionID)
	if err != nil {
		return err
	}
	want := map[access.Role][]string{access.Moderator: d.moderators, access.Rapporteur: nil}
	if d.rapporteur != "" {
		want[access.Rapporteur] = []string{d.rapporteur}
	}
	holds := map[access.Role][]string{}
	for _, g := range held {
		email, _ := validate.CanonicalEmail(g.AccountEmail)
		if !slices.Contains(want[g.Role], email) {
			if err := access.Revoke(ctx, db, now, actor, g.AccountID, g.Role, p.ID, sessionID); err != nil {
				return err
			}
			continue
		}
		holds[g.Role] = append(holds[g.Role], email)
	}
	for _, role := range []access.Role{access.Moderator, access.Rapporteur} {
		for _, email := range want[role] {
			if slices.Contains(holds[role], email) {
				continue
			}
			if invite == nil {
				return fmt.Errorf("session %d names people to invite, and nothing invites them", sessionID)
			}
			if err := invite.Invite(ctx, db, now, actor, access.InviteInput{Email: email, Role: role, ProcessID: p.ID, SessionID: sessionID,
				Session: s.Title, Forum: f.Title, Languages: p.Languages, When: s.StartsAt.In(zone).Format("2006-01-02 15:04") + " (" + f.TimeZone + ")"}); err != nil {
				return err
			}
		}
	}
	return access.Withdraw(ctx, db, now, actor, sessionID, want)
}

// sessionTopic tags a session with an objective or axis of its process.
type sessionTopic struct {
	bun.BaseModel `bun:"table:session_topics,alias:st"`

	SessionID int64 `bun:"session_id,pk"`
	TopicID   int64 `bun:"topic_id,pk"`
}
