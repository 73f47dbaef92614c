package qa

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/convene/convene/realtime"
)

// Room is the live room of a session's questions.
func Room(sessionID int64) string { return "session:" + strconv.FormatInt(sessionID, 10) }

// View is a question as listeners see it. Reason and Note (why it was declined) go to
// moderators and its asker; Reports to moderators and the asker alike.
type View struct {
	ID         int64      `json:"id"`
	Body       string     `json:"body"`
	Group      string     `json:"group,omitempty"`
	Channel    string     `json:"channel"`
	Status     string     `json:"status"`
	Author     string     `json:"author,omitempty"` // "" when anonymous
	Pinned     bool       `json:"pinned,omitempty"`
	Labels     []string   `json:"labels,omitempty"`
	Reply      string     `json:"reply,omitempty"`
	ReplyBy    string     `json:"reply_by,omitempty"`
	MergedInto *int64     `json:"merged_into,omitempty"`
	Votes      int        `json:"votes"`
	CreatedAt  time.Time  `json:"created_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	Note       string     `json:"note,omitempty"`
	Reports    int        `json:"reports,omitempty"`
}

// ViewOf is q as attendees (full false) or moderators and its asker (full) see it.
func ViewOf(q Question, full bool) View { return view(q, full) }

// view is q as attendees (full false) or moderators and its asker (full) see it.
func view(q Question, full bool) View {
	v := View{ID: q.ID, Body: q.Body, Group: q.Group, Channel: q.Channel, Status: q.Status, Pinned: q.Pinned, Labels: q.Labels,
		Reply: q.Reply, ReplyBy: q.ReplyBy, MergedInto: q.MergedInto, Votes: q.Votes, CreatedAt: q.CreatedAt, AnsweredAt: q.AnsweredAt}
	if !q.Anonymous {
		v.Author = q.AuthorName
	}
	if full {
		v.Reason, v.Note, v.Reports = q.Reason, q.Note, q.Reports
	}
	return v
}

// questionDraft is the event of a question created or changed: attendees see it when it is
// shown, and are told it went when it no longer is; moderators and its asker see all of it.
func questionDraft(kind string, q Question, wasShown bool) realtime.Draft {
	full, _ := json.Marshal(map[string]any{"type": kind, "question": view(q, true)})
	d := realtime.Draft{Full: full, Owner: q.Owner}
	switch {
	case q.Shown():
		d.Public, _ = json.Marshal(map[string]any{"type": kind, "question": view(q, false)})
	case wasShown:
		d.Public, _ = json.Marshal(map[string]any{"type": "question.removed", "id": q.ID, "merged_into": q.MergedInto})
	}
	return d
}

// stateDraft is the event of a change to the session's Q&A rules.
func stateDraft(st State) realtime.Draft {
	b, _ := json.Marshal(map[string]any{"type": "state", "state": st})
	return realtime.Draft{Public: b}
}

// State is what a page needs of a session's Q&A rules.
type State struct {
	Mode      string `json:"mode"` // the session's: off, open, premoderated
	WhoAsks   string `json:"who_asks"`
	Anonymous bool   `json:"anonymous"`
	Closed    bool   `json:"closed"`
}
