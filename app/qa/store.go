package qa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/realtime"
)

// place is where a session's questions live: the session, its forum and process.
type place struct {
	session   forums.SessionView
	forumID   int64
	processID int64
}

func placeOf(ctx context.Context, db bun.IDB, sessionID int64) (place, error) {
	sv, err := forums.SessionByID(ctx, db, sessionID)
	if err != nil {
		return place{}, err
	}
	f, err := forums.Get(ctx, db, sv.ForumID)
	if err != nil {
		return place{}, err
	}
	return place{session: sv, forumID: f.ID, processID: f.ProcessID}, nil
}

// SettingsOf are a session's Q&A settings: members ask, anonymously if they like, until an
// organiser says otherwise.
func SettingsOf(ctx context.Context, db bun.IDB, sessionID int64) (Settings, error) {
	s := Settings{SessionID: sessionID}
	err := db.NewSelect().Model(&s).WherePK().Scan(ctx)
	if errors.Is(store.NotFound(err), store.ErrNotFound) {
		return Settings{SessionID: sessionID, WhoAsks: AskMembers, Anonymous: true}, nil
	}
	if err != nil {
		return s, fmt.Errorf("reading the Q&A settings of session %d: %w", sessionID, err)
	}
	return s, nil
}

// Moderates tells whether who moderates the session's questions: its moderators, and those
// who run its process.
func Moderates(ctx context.Context, db bun.IDB, who Who, processID, sessionID int64) (bool, error) {
	if who.AccountID == 0 {
		return false, nil
	}
	return access.Has(ctx, db, access.Subject{AccountID: who.AccountID, IsAdmin: who.IsAdmin}, access.Moderator, processID, sessionID)
}

// mayAsk tells whether who may ask under settings st.
func mayAsk(ctx context.Context, db bun.IDB, who Who, st Settings, p place) (bool, error) {
	switch st.WhoAsks {
	case AskAnyone:
		return who.AccountID != 0 || who.Device != "", nil
	case AskMembers:
		return who.AccountID != 0, nil
	}
	if who.AccountID == 0 {
		return false, nil
	}
	forumIDs, err := registration.Confirmed(ctx, db, who.AccountID)
	if err != nil {
		return false, err
	}
	return slices.Contains(forumIDs, p.forumID), nil
}

// Words are the words and phrases of a process that send a question to the moderators first,
// in order.
func Words(ctx context.Context, db bun.IDB, processID int64) ([]string, error) {
	return flagWords(ctx, db, processID)
}

// flagWords are the words of a process that send a question to the moderators first.
func flagWords(ctx context.Context, db bun.IDB, processID int64) ([]string, error) {
	var words []string
	if err := db.NewSelect().Table("qa_words").Column("word").Where("process_id = ?", processID).OrderExpr("word").Scan(ctx, &words); err != nil {
		return nil, fmt.Errorf("reading the flagged words of process %d: %w", processID, err)
	}
	return words, nil
}

// lockQuestion reads a question of a session, locked until the transaction ends.
func lockQuestion(ctx context.Context, db bun.IDB, id int64) (Question, error) {
	var q Question
	if err := store.ForUpdate(db.NewSelect().Model(&q).Where("q.id = ?", id), db).Scan(ctx); err != nil {
		return q, fmt.Errorf("question %d: %w", id, store.NotFound(err))
	}
	return q, nil
}

// Snapshot is the state of a session's questions as who sees it, with the number of the room's
// last event it includes: sent to a listener who cannot be served what it missed. The number
// is read first: an event after it may already show in the questions, and listeners apply
// events by question, so seeing one twice changes nothing.
func Snapshot(ctx context.Context, db bun.IDB, sessionID int64, who Who) ([]byte, uint64, error) {
	seq, err := realtime.Current(ctx, db, Room(sessionID))
	if err != nil {
		return nil, 0, err
	}
	p, err := placeOf(ctx, db, sessionID)
	if err != nil {
		return nil, 0, err
	}
	st, err := SettingsOf(ctx, db, sessionID)
	if err != nil {
		return nil, 0, err
	}
	mod, err := Moderates(ctx, db, who, p.processID, sessionID)
	if err != nil {
		return nil, 0, err
	}
	qs, err := List(ctx, db, sessionID, who, mod)
	if err != nil {
		return nil, 0, err
	}
	keys := who.Keys()
	views := make([]View, len(qs))
	for i, x := range qs {
		views[i] = view(x, mod || x.OwnedBy(keys))
	}
	voted, err := votedBy(ctx, db, sessionID, keys)
	if err != nil {
		return nil, 0, err
	}
	frame, err := json.Marshal(map[string]any{"type": "snapshot", "seq": seq, "moderator": mod, "questions": views, "voted": voted,
		"state": State{Mode: p.session.QAMode, WhoAsks: st.WhoAsks, Anonymous: st.Anonymous, Closed: st.Closed}})
	return frame, seq, err
}

// List is a session's questions as who sees them, oldest first: all of them for its
// moderators (mod), else those shown and who's own.
func List(ctx context.Context, db bun.IDB, sessionID int64, who Who, mod bool) ([]Question, error) {
	var qs []Question
	q := db.NewSelect().Model(&qs).Where("q.session_id = ?", sessionID).OrderExpr("q.id")
	if !mod {
		keys := who.Keys()
		if len(keys) == 0 {
			keys = []string{"-"}
		}
		q = q.Where("(q.status IN (?) OR q.owner IN (?))", bun.List([]string{Visible, Answered}), bun.List(keys))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading the questions of session %d: %w", sessionID, err)
	}
	return qs, nil
}

// VotedBy lists the questions of a session who voted for.
func VotedBy(ctx context.Context, db bun.IDB, sessionID int64, who Who) ([]int64, error) {
	return votedBy(ctx, db, sessionID, who.Keys())
}

// votedBy lists the questions of a session the keys voted for.
func votedBy(ctx context.Context, db bun.IDB, sessionID int64, keys []string) ([]int64, error) {
	ids := []int64{}
	if len(keys) == 0 {
		return ids, nil
	}
	err := db.NewSelect().TableExpr("question_votes AS v").Column("v.question_id").Distinct().
		Join("JOIN questions AS q ON q.id = v.question_id").
		Where("q.session_id = ? AND v.voter IN (?)", sessionID, bun.List(keys)).OrderExpr("v.question_id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("reading votes: %w", err)
	}
	return ids, nil
}

// CountsOfRoom is the votes frame of a session's room for the questions keys names (none:
// all shown), for the hub's Counter; ok is false for rooms of other kinds.
func CountsOfRoom(ctx context.Context, db bun.IDB, room string, keys []string) (frame []byte, ok bool, err error) {
	rest, found := strings.CutPrefix(room, "session:")
	if !found {
		return nil, false, nil
	}
	sessionID, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return nil, true, fmt.Errorf("the room %q: %w", room, err)
	}
	var rows []struct {
		ID    int64 `bun:"id"`
		Votes int   `bun:"votes"`
	}
	q := db.NewSelect().Model((*Question)(nil)).Column("q.id", "q.votes").
		Where("q.session_id = ? AND q.status IN (?)", sessionID, bun.List([]string{Visible, Answered}))
	if len(keys) > 0 {
		ids := make([]int64, 0, len(keys))
		for _, k := range keys {
			if id, err := strconv.ParseInt(k, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		q = q.Where("q.id IN (?)", bun.List(ids))
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, true, fmt.Errorf("reading vote counts of session %d: %w", sessionID, err)
	}
	votes := make(map[string]int, len(rows))
	for _, r := range rows {
		votes[strconv.FormatInt(r.ID, 10)] = r.Votes
	}
	frame, err = json.Marshal(map[string]any{"type": "votes", "votes": votes})
	return frame, true, err
}

// Fairness is who asked and whose questions were taken: by stakeholder group and by channel,
// and how many were declined for each reason.
type Fairness struct {
	Asked    map[string]int `json:"asked_by_group"`
	Answered map[string]int `json:"answered_by_group"`
	Channels map[string]int `json:"asked_by_channel"`
	Taken    map[string]int `json:"answered_by_channel"`
	Hidden   map[string]int `json:"hidden_by_reason"`
}

// FairnessOf counts a session's questions; one merged into another counts as declined for
// being a duplicate.
func FairnessOf(ctx context.Context, db bun.IDB, sessionID int64) (Fairness, error) {
	var rows []struct {
		Group   string `bun:"stakeholder_group"`
		Channel string `bun:"channel"`
		Status  string `bun:"status"`
		Reason  string `bun:"reason"`
		N       int    `bun:"n"`
	}
	err := db.NewSelect().Model((*Question)(nil)).Column("q.stakeholder_group", "q.channel", "q.status", "q.reason").
		ColumnExpr("COUNT(*) AS n").Where("q.session_id = ?", sessionID).
		GroupExpr("q.stakeholder_group, q.channel, q.status, q.reason").Scan(ctx, &rows)
	if err != nil {
		return Fairness{}, fmt.Errorf("counting the questions of session %d: %w", sessionID, err)
	}
	f := Fairness{Asked: map[string]int{}, Answered: map[string]int{}, Channels: map[string]int{}, Taken: map[string]int{}, Hidden: map[string]int{}}
	for _, r := range rows {
		f.Asked[r.Group] += r.N
		f.Channels[r.Channel] += r.N
		switch r.Status {
		case Answered:
			f.Answered[r.Group] += r.N
			f.Taken[r.Channel] += r.N
		case Hidden:
			f.Hidden[r.Reason] += r.N
		}
	}
	return f, nil
}
