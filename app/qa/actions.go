package qa

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/realtime"
)

// The actions: each checks who acts and its rules, writes its rows, and numbers the events
// listeners must see in the caller's transaction (realtime.Append); it never opens a
// transaction. Service publishes the events once it has committed.

// AskInput is a question as a form or a client frame sends it.
type AskInput struct {
	Body      string
	Anonymous bool
	// Channel is InRoom for a moderator adding a question spoken or written in the room.
	Channel string
	// Group is the stakeholder group the question is asked for (one of the process's); empty,
	// the asker's own (their registration's).
	Group string
}

// Ask puts a question to session sessionID.
func Ask(ctx context.Context, db bun.IDB, now time.Time, who Who, sessionID int64, in AskInput) (Question, []realtime.Event, error) {
	p, err := placeOf(ctx, db, sessionID)
	if err != nil {
		return Question{}, nil, err
	}
	if p.session.QAMode == forums.QAOff || p.session.QAMode == "" || p.session.Status == forums.SessionCancelled {
		return Question{}, nil, ErrOff
	}
	st, err := SettingsOf(ctx, db, sessionID)
	if err != nil {
		return Question{}, nil, err
	}
	mod, err := Moderates(ctx, db, who, p.processID, sessionID)
	if err != nil {
		return Question{}, nil, err
	}
	if st.Closed && !mod {
		return Question{}, nil, ErrClosed
	}
	var es validate.Errors
	body := checkBody(&es, "body", in.Body)
	channel, group := Online, cmp.Or(strings.TrimSpace(in.Group), who.Group)
	if in.Channel == InRoom {
		if !mod {
			return Question{}, nil, ErrNotModerator
		}
		channel = InRoom
	} else if in.Channel != "" && in.Channel != Online {
		es.Add("channel", validate.Invalid, nil)
	}
	if group != "" {
		proc, err := processes.ByID(ctx, db, p.processID)
		if err != nil {
			return Question{}, nil, err
		}
		if !slices.Contains(proc.StakeholderGroups, group) {
			es.Add("group", validate.Invalid, nil)
		}
	}
	if err := es.Err(); err != nil {
		return Question{}, nil, err
	}
	if !mod {
		ok, err := mayAsk(ctx, db, who, st, p)
		if err != nil {
			return Question{}, nil, err
		}
		if !ok {
			return Question{}, nil, ErrMayNotAsk
		}
	}
	q := Question{SessionID: sessionID, Body: body, Group: group, Channel: channel, Status: Visible, Labels: []string{},
		CreatedAt: now, UpdatedAt: now}
	switch {
	case channel == InRoom:
		// Asked aloud: nobody online owns it.
	case in.Anonymous:
		if !st.Anonymous {
			return Question{}, nil, ErrNoAnonymous
		}
		// No account: only the device that asked sees it pending or declined.
		if who.Device == "" {
			return Question{}, nil, ErrNoDevice
		}
		q.Anonymous, q.Owner = true, DeviceKey(who.Device)
	default:
		if who.AccountID == 0 {
			return Question{}, nil, ErrMayNotAsk
		}
		q.AuthorID, q.AuthorName, q.Owner = &who.AccountID, who.Name, AccountKey(who.AccountID)
	}
	if channel != InRoom {
		words, err := flagWords(ctx, db, p.processID)
		if err != nil {
			return Question{}, nil, err
		}
		if p.session.QAMode == forums.QAPremoderated || flagged(body, words) {
			q.Status = Pending
		}
	}
	if _, err := db.NewInsert().Model(&q).Exec(ctx); err != nil {
		return Question{}, nil, fmt.Errorf("asking in session %d: %w", sessionID, err)
	}
	e, err := realtime.Append(ctx, db, now, Room(sessionID), questionDraft("question.created", q, false))
	if err != nil {
		return q, nil, err
	}
	return q, []realtime.Event{e}, nil
}

// shownQuestion reads a question attendees may act on (vote, report) in an open session.
func shownQuestion(ctx context.Context, db bun.IDB, id int64) (Question, error) {
	q, err := lockQuestion(ctx, db, id)
	if err != nil {
		return q, err
	}
	if q.Status != Visible {
		return q, ErrNotVisible
	}
	st, err := SettingsOf(ctx, db, q.SessionID)
	if err != nil {
		return q, err
	}
	if st.Closed {
		return q, ErrClosed
	}
	return q, nil
}

// Vote counts who's vote for question id, once per person (or anonymous device): a second is
// ErrVoted. Votes take no event number: the room's counts carry them (Service touches it).
func Vote(ctx context.Context, db bun.IDB, now time.Time, who Who, id int64) (Question, error) {
	voter, err := who.voter()
	if err != nil {
		return Question{}, err
	}
	q, err := shownQuestion(ctx, db, id)
	if err != nil {
		return q, err
	}
	res, err := db.NewRaw(`INSERT INTO question_votes (question_id, voter, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		id, voter, now.UTC()).Exec(ctx)
	if err != nil {
		return q, fmt.Errorf("voting for question %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return q, ErrVoted
	}
	return q, recount(ctx, db, now, &q)
}

// Unvote withdraws who's vote for question id; withdrawing none changes nothing.
func Unvote(ctx context.Context, db bun.IDB, now time.Time, who Who, id int64) (Question, error) {
	voter, err := who.voter()
	if err != nil {
		return Question{}, err
	}
	q, err := shownQuestion(ctx, db, id)
	if err != nil {
		return q, err
	}
	res, err := db.NewRaw(`DELETE FROM question_votes WHERE question_id = ? AND voter = ?`, id, voter).Exec(ctx)
	if err != nil {
		return q, fmt.Errorf("withdrawing a vote for question %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return q, nil
	}
	return q, recount(ctx, db, now, &q)
}

// recount sets a question's vote count from its votes.
func recount(ctx context.Context, db bun.IDB, now time.Time, q *Question) error {
	n, err := db.NewSelect().Table("question_votes").Where("question_id = ?", q.ID).Count(ctx)
	if err != nil {
		return fmt.Errorf("counting the votes of question %d: %w", q.ID, err)
	}
	q.Votes, q.UpdatedAt = int(n), now
	if _, err := db.NewUpdate().Model(q).Column("votes", "updated_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("recording the votes of question %d: %w", q.ID, err)
	}
	return nil
}

// Report notes that who finds question id out of place; the reports of three different people
// send it back to the moderators.
func Report(ctx context.Context, db bun.IDB, now time.Time, who Who, id int64) (Question, []realtime.Event, error) {
	reporter, err := who.voter()
	if err != nil {
		return Question{}, nil, err
	}
	q, err := shownQuestion(ctx, db, id)
	if err != nil {
		return q, nil, err
	}
	res, err := db.NewRaw(`INSERT INTO question_reports (question_id, reporter, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		id, reporter, now.UTC()).Exec(ctx)
	if err != nil {
		return q, nil, fmt.Errorf("reporting question %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return q, nil, nil // reported already: once per person
	}
	q.Reports++
	q.UpdatedAt = now
	wasShown := q.Shown()
	if q.Reports >= reportsToCheck {
		q.Status, q.Pinned = Pending, false
	}
	if _, err := db.NewUpdate().Model(&q).Column("reports", "status", "pinned", "updated_at").WherePK().Exec(ctx); err != nil {
		return q, nil, fmt.Errorf("recording a report of question %d: %w", id, err)
	}
	e, err := realtime.Append(ctx, db, now, Room(q.SessionID), questionDraft("question.updated", q, wasShown))
	if err != nil {
		return q, nil, err
	}
	return q, []realtime.Event{e}, nil
}

// Moderation kinds.
const (
	Approve = "approve" // pending or hidden: on the list
	Hide    = "hide"    // off the list, with a reason
	Answer  = "answer"  // taken
	Pin     = "pin"     // "now answering": one at a time
	Unpin   = "unpin"
	Reply   = "reply" // a written answer
	Label   = "label"
	Merge   = "merge" // into another question of the session: its votes go there
)

// Moderation is one moderator's action on a question.
type Moderation struct {
	Kind   string
	Reason string   // hide: one of Reasons
	Note   string   // hide: a word to the asker
	Reply  string   // reply
	Labels []string // label
	Into   int64    // merge
}

// Moderate applies m to question id, as who, who must moderate its session.
func Moderate(ctx context.Context, db bun.IDB, now time.Time, who Who, id int64, m Moderation) (Question, []realtime.Event, error) {
	q, err := lockQuestion(ctx, db, id)
	if err != nil {
		return q, nil, err
	}
	p, err := moderated(ctx, db, who, q.SessionID)
	if err != nil {
		return q, nil, err
	}
	wasShown := q.Shown()
	room := Room(q.SessionID)
	var events []realtime.Event
	var es validate.Errors
	switch m.Kind {
	case Approve:
		q.Status, q.Reason, q.Note, q.MergedInto = Visible, "", "", nil
	case Hide:
		if !slices.Contains(Reasons(), m.Reason) {
			es.Add("reason", CodeReason, nil)
		}
		q.Note = strings.TrimSpace(m.Note)
		es.LongText("note", q.Note, maxNote, false)
		q.Status, q.Reason, q.Pinned = Hidden, m.Reason, false
	case Answer:
		q.Status, q.Pinned, q.AnsweredAt = Answered, false, &now
	case Pin, Unpin:
		if m.Kind == Pin && !q.Shown() {
			return q, nil, ErrNotVisible
		}
		if m.Kind == Pin {
			// One question is being answered at a time.
			var others []Question
			if err := db.NewSelect().Model(&others).Where("q.session_id = ? AND q.pinned AND q.id <> ?", q.SessionID, q.ID).Scan(ctx); err != nil {
				return q, nil, fmt.Errorf("reading pinned questions: %w", err)
			}
			for _, o := range others {
				o.Pinned, o.UpdatedAt = false, now
				if _, err := db.NewUpdate().Model(&o).Column("pinned", "updated_at").WherePK().Exec(ctx); err != nil {
					return q, nil, fmt.Errorf("unpinning question %d: %w", o.ID, err)
				}
				e, err := realtime.Append(ctx, db, now, room, questionDraft("question.updated", o, o.Shown()))
				if err != nil {
					return q, nil, err
				}
				events = append(events, e)
			}
		}
		q.Pinned = m.Kind == Pin
	case Reply:
		q.Reply = strings.TrimSpace(m.Reply)
		es.LongText("reply", q.Reply, maxReply, false)
		q.ReplyBy = who.Name
		if q.Reply == "" {
			q.ReplyBy = ""
		}
	case Label:
		var labels []string
		for _, l := range m.Labels {
			if l = strings.TrimSpace(l); l != "" && !slices.Contains(labels, l) {
				es.Text("labels", l, 40)
				labels = append(labels, l)
			}
		}
		if len(labels) > maxLabels {
			es.Add("labels", validate.Invalid, nil)
		}
		q.Labels = append([]string{}, labels...)
	case Merge:
		into, err := mergeInto(ctx, db, now, &q, m.Into)
		if err != nil {
			return q, nil, err
		}
		e, err := realtime.Append(ctx, db, now, room, questionDraft("question.updated", into, into.Shown()))
		if err != nil {
			return q, nil, err
		}
		events = append(events, e)
	default:
		es.Add("action", validate.Invalid, nil)
	}
	if err := es.Err(); err != nil {
		return q, nil, err
	}
	q.UpdatedAt = now
	if _, err := db.NewUpdate().Model(&q).ExcludeColumn("id", "session_id", "created_at").WherePK().Exec(ctx); err != nil {
		return q, nil, fmt.Errorf("moderating question %d: %w", id, err)
	}
	e, err := realtime.Append(ctx, db, now, room, questionDraft("question.updated", q, wasShown))
	if err != nil {
		return q, nil, err
	}
	events = append(events, e)
	detail := map[string]any{"question": q.ID, "session_id": q.SessionID}
	if m.Kind == Hide {
		detail["reason"] = m.Reason
	}
	if m.Kind == Merge {
		detail["into"] = m.Into
	}
	return q, events, audit.Record(ctx, db, now, audit.Actor{AccountID: who.AccountID}, "question."+m.Kind, "process", fmt.Sprint(p.processID), detail)
}

// mergeInto moves q's votes to question intoID of the same session (a person who voted for
// both counts once there) and hides q as its duplicate.
func mergeInto(ctx context.Context, db bun.IDB, now time.Time, q *Question, intoID int64) (Question, error) {
	if intoID == q.ID {
		return Question{}, validate.Errors{{Field: "into", Code: CodeMergeSelf}}
	}
	into, err := lockQuestion(ctx, db, intoID)
	if err != nil || into.SessionID != q.SessionID {
		return Question{}, validate.Errors{{Field: "into", Code: validate.Invalid}}
	}
	if _, err := db.NewRaw(`INSERT INTO question_votes (question_id, voter, created_at)
		SELECT ?, voter, created_at FROM question_votes WHERE question_id = ? ON CONFLICT DO NOTHING`, into.ID, q.ID).Exec(ctx); err != nil {
		return into, fmt.Errorf("moving the votes of question %d: %w", q.ID, err)
	}
	if _, err := db.NewRaw(`DELETE FROM question_votes WHERE question_id = ?`, q.ID).Exec(ctx); err != nil {
		return into, fmt.Errorf("moving the votes of question %d: %w", q.ID, err)
	}
	if err := recount(ctx, db, now, &into); err != nil {
		return into, err
	}
	q.Votes, q.Status, q.Reason, q.Pinned, q.MergedInto = 0, Hidden, Duplicate, false, &into.ID
	return into, nil
}

// moderated is the place of a session who moderates, or ErrNotModerator.
func moderated(ctx context.Context, db bun.IDB, who Who, sessionID int64) (place, error) {
	p, err := placeOf(ctx, db, sessionID)
	if err != nil {
		return p, err
	}
	mod, err := Moderates(ctx, db, who, p.processID, sessionID)
	if err != nil {
		return p, err
	}
	if !mod {
		return p, ErrNotModerator
	}
	return p, nil
}

// SettingsInput is what organisers set of a session's Q&A.
type SettingsInput struct {
	WhoAsks   string
	Anonymous bool
	Closed    bool
}

// Configure sets a session's Q&A rules (opening or closing it too), as who, who must moderate
// it.
func Configure(ctx context.Context, db bun.IDB, now time.Time, who Who, sessionID int64, in SettingsInput) (Settings, []realtime.Event, error) {
	p, err := moderated(ctx, db, who, sessionID)
	if err != nil {
		return Settings{}, nil, err
	}
	if !slices.Contains(WhoAsks(), in.WhoAsks) {
		return Settings{}, nil, validate.Errors{{Field: "who_asks", Code: CodeWhoAsks}}
	}
	st := Settings{SessionID: sessionID, WhoAsks: in.WhoAsks, Anonymous: in.Anonymous, Closed: in.Closed, UpdatedAt: now}
	if _, err := db.NewInsert().Model(&st).On("CONFLICT (session_id) DO UPDATE").
		Set("who_asks = EXCLUDED.who_asks, anonymous = EXCLUDED.anonymous, closed = EXCLUDED.closed, updated_at = EXCLUDED.updated_at").
		Exec(ctx); err != nil {
		return st, nil, fmt.Errorf("setting the Q&A of session %d: %w", sessionID, err)
	}
	e, err := realtime.Append(ctx, db, now, Room(sessionID), stateDraft(State{Mode: p.session.QAMode, WhoAsks: st.WhoAsks,
		Anonymous: st.Anonymous, Closed: st.Closed}))
	if err != nil {
		return st, nil, err
	}
	return st, []realtime.Event{e}, audit.Record(ctx, db, now, audit.Actor{AccountID: who.AccountID}, "qa.configure", "process",
		fmt.Sprint(p.processID), map[string]any{"session_id": sessionID, "who_asks": st.WhoAsks, "anonymous": st.Anonymous, "closed": st.Closed})
}

// Limits of a process's flag words: how many, and how long each.
const (
	MaxWords    = 300
	MaxWordSize = 100
)

// SetWords replaces the words and phrases of a process that send a question to the moderators
// first (in Spanish and English alike; accents and case do not matter). The caller checks that
// actor organises the process.
func SetWords(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID int64, words []string) ([]string, error) {
	var es validate.Errors
	seen := map[string]bool{}
	out := []string{}
	for _, w := range words {
		w = strings.Join(strings.Fields(strings.ToLower(w)), " ")
		if w == "" || seen[w] {
			continue
		}
		if utf8.RuneCountInString(w) > MaxWordSize || !validate.Printable(w, false) || plainWords(w) == "" {
			es.Add("words", CodeWord, map[string]any{"Word": w, "Max": MaxWordSize})
			break
		}
		seen[w] = true
		out = append(out, w)
	}
	if len(out) > MaxWords {
		es.Add("words", CodeWords, map[string]any{"Max": MaxWords})
	}
	if err := es.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	if _, err := db.NewDelete().Table("qa_words").Where("process_id = ?", processID).Exec(ctx); err != nil {
		return nil, fmt.Errorf("clearing the flag words of process %d: %w", processID, err)
	}
	if len(out) > 0 {
		rows := make([]wordRow, len(out))
		for i, w := range out {
			rows[i] = wordRow{ProcessID: processID, Word: w}
		}
		if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return nil, fmt.Errorf("setting the flag words of process %d: %w", processID, err)
		}
	}
	return out, audit.Record(ctx, db, now, actor, "qa.words", "process", fmt.Sprint(processID), map[string]any{"words": out})
}

// wordRow is a row of qa_words.
type wordRow struct {
	bun.BaseModel `bun:"table:qa_words"`
	ProcessID     int64  `bun:"process_id"`
	Word          string `bun:"word"`
}
