package forums

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/store"
)

// SessionView is a session with what its programme entry shows: room, topics, speakers, and
// the names of its moderators and rapporteur.
type SessionView struct {
	Session
	Room        string
	TopicIDs    []int64
	Speakers    []Speaker
	Moderators  []Person
	Rapporteurs []Person
}

// Person is an account named in a session's roles.
type Person struct {
	AccountID   int64
	Name, Email string
}

// CalendarSequence is the SEQUENCE a calendar shows for the session: its own changes and its
// forum's (venue, link, status) both make it grow.
func (v SessionView) CalendarSequence(f Forum) int { return v.Sequence + f.Sequence }

// Rooms lists a forum's rooms by name.
func Rooms(ctx context.Context, db bun.IDB, forumID int64) ([]Room, error) {
	out := []Room{}
	if err := db.NewSelect().Model(&out).Where("forum_id = ?", forumID).OrderExpr("name, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the rooms of forum %d: %w", forumID, err)
	}
	return out, nil
}

// RoomsOf lists the rooms of several forums, by forum.
func RoomsOf(ctx context.Context, db bun.IDB, forumIDs []int64) (map[int64][]Room, error) {
	out := map[int64][]Room{}
	if len(forumIDs) == 0 {
		return out, nil
	}
	var rooms []Room
	if err := db.NewSelect().Model(&rooms).Where("forum_id IN (?)", bun.List(forumIDs)).OrderExpr("name, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing rooms: %w", err)
	}
	for _, r := range rooms {
		out[r.ForumID] = append(out[r.ForumID], r)
	}
	return out, nil
}

// Programme lists the sessions of forums (cancelled ones too, marked) by start, with their
// details, in five queries whatever their number.
func Programme(ctx context.Context, db bun.IDB, forumIDs ...int64) ([]SessionView, error) {
	if len(forumIDs) == 0 {
		return nil, nil
	}
	var sessions []Session
	if err := db.NewSelect().Model(&sessions).Where("forum_id IN (?)", bun.List(forumIDs)).OrderExpr("starts_at, ends_at, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the sessions of forums %v: %w", forumIDs, err)
	}
	return withDetails(ctx, db, sessions)
}

// SessionByID returns session id with its details, whichever its forum.
func SessionByID(ctx context.Context, db bun.IDB, id int64) (SessionView, error) {
	var s Session
	if err := db.NewSelect().Model(&s).Where("id = ?", id).Scan(ctx); err != nil {
		return SessionView{}, fmt.Errorf("session %d: %w", id, store.NotFound(err))
	}
	out, err := withDetails(ctx, db, []Session{s})
	if err != nil {
		return SessionView{}, err
	}
	return out[0], nil
}

func withDetails(ctx context.Context, db bun.IDB, sessions []Session) ([]SessionView, error) {
	out := make([]SessionView, len(sessions))
	if len(sessions) == 0 {
		return out, nil
	}
	ids := make([]int64, len(sessions))
	at := make(map[int64]*SessionView, len(sessions))
	var roomIDs []int64
	for i, s := range sessions {
		out[i].Session = s
		ids[i] = s.ID
		at[s.ID] = &out[i]
		if s.RoomID != 0 {
			roomIDs = append(roomIDs, s.RoomID)
		}
	}
	if len(roomIDs) > 0 {
		var rooms []Room
		if err := db.NewSelect().Model(&rooms).Where("id IN (?)", bun.List(roomIDs)).Scan(ctx); err != nil {
			return nil, fmt.Errorf("naming rooms: %w", err)
		}
		names := map[int64]string{}
		for _, r := range rooms {
			names[r.ID] = r.Name
		}
		for i := range out {
			out[i].Room = names[out[i].RoomID]
		}
	}
	var tags []sessionTopic
	if err := db.NewSelect().Model(&tags).Join("JOIN topics AS t ON t.id = st.topic_id").
		Where("st.session_id IN (?)", bun.List(ids)).OrderExpr("t.kind DESC, t.position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading session topics: %w", err)
	}
	for _, t := range tags {
		at[t.SessionID].TopicIDs = append(at[t.SessionID].TopicIDs, t.TopicID)
	}
	var speakers []Speaker
	if err := db.NewSelect().Model(&speakers).Where("session_id IN (?)", bun.List(ids)).OrderExpr("session_id, position").Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading speakers: %w", err)
	}
	for _, sp := range speakers {
		at[sp.SessionID].Speakers = append(at[sp.SessionID].Speakers, sp)
	}
	grants, err := access.ForSessions(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	for _, g := range grants {
		p := Person{AccountID: g.AccountID, Name: g.AccountName, Email: g.AccountEmail}
		v := at[g.SessionID]
		if g.Role == access.Moderator {
			v.Moderators = append(v.Moderators, p)
		} else if g.Role == access.Rapporteur {
			v.Rapporteurs = append(v.Rapporteurs, p)
		}
	}
	return out, nil
}

// Summary is what a list of forums shows of each one's programme.
type Summary struct {
	Sessions int     // not cancelled
	TopicIDs []int64 // the objectives and axes its sessions discuss
}

// Summaries counts the sessions of forums and gathers their topics, in two queries.
func Summaries(ctx context.Context, db bun.IDB, forumIDs []int64) (map[int64]Summary, error) {
	out := map[int64]Summary{}
	if len(forumIDs) == 0 {
		return out, nil
	}
	var counts []struct {
		ForumID int64 `bun:"forum_id"`
		N       int   `bun:"n"`
	}
	if err := db.NewSelect().Model((*Session)(nil)).ColumnExpr("forum_id, count(*) AS n").
		Where("forum_id IN (?) AND status <> ?", bun.List(forumIDs), SessionCancelled).GroupExpr("forum_id").Scan(ctx, &counts); err != nil {
		return nil, fmt.Errorf("counting sessions: %w", err)
	}
	for _, c := range counts {
		out[c.ForumID] = Summary{Sessions: c.N}
	}
	var tags []struct {
		ForumID int64 `bun:"forum_id"`
		TopicID int64 `bun:"topic_id"`
	}
	if err := db.NewSelect().TableExpr("session_topics AS st").ColumnExpr("DISTINCT s.forum_id, st.topic_id").
		Join("JOIN sessions AS s ON s.id = st.session_id").
		Where("s.forum_id IN (?) AND s.status <> ?", bun.List(forumIDs), SessionCancelled).OrderExpr("s.forum_id, st.topic_id").Scan(ctx, &tags); err != nil {
		return nil, fmt.Errorf("gathering forum topics: %w", err)
	}
	for _, t := range tags {
		sm := out[t.ForumID]
		sm.TopicIDs = append(sm.TopicIDs, t.TopicID)
		out[t.ForumID] = sm
	}
	return out, nil
}
