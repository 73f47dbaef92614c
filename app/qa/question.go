// Package qa is live Q&A: people in the room and online put questions to a session's panel
// and vote them up, moderators run the queue, and everybody can see whose questions were
// taken. Every change is numbered in the session's live room (realtime.Append, in the action's
// transaction) and sent to its listeners after commit; votes travel as coalesced counts.
package qa

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/validate"
)

// Question statuses: pending waits for a moderator (premoderated sessions, flagged words,
// reports); visible is on the list; answered was taken; hidden was declined, with a reason.
const (
	Pending  = "pending"
	Visible  = "visible"
	Answered = "answered"
	Hidden   = "hidden"
)

// Reasons a moderator gives for hiding a question: published, so askers and the public know
// what may be declined.
const (
	OffTopic        = "off_topic"
	Duplicate       = "duplicate"
	Offensive       = "offensive"
	PersonalData    = "personal_data"
	AlreadyAnswered = "already_answered"
)

// Reasons lists the reasons, in the order forms offer them.
func Reasons() []string {
	return []string{OffTopic, Duplicate, Offensive, PersonalData, AlreadyAnswered}
}

// Channels: where a question came from.
const (
	Online = "online"
	InRoom = "room" // spoken or written on paper in the room, added by a moderator
)

// Who may ask, per session.
const (
	AskRegistrants = "registrants" // confirmed registrants of the forum
	AskMembers     = "members"     // anyone signed in
	AskAnyone      = "anyone"      // anyone with the link (a device key)
)

// WhoAsks lists the choices.
func WhoAsks() []string { return []string{AskRegistrants, AskMembers, AskAnyone} }

// Limits of a question.
const (
	MaxBody        = 300
	maxNote        = 500
	maxReply       = 2000
	maxLabels      = 5
	reportsToCheck = 3 // reports by different people send a question back to the moderators
)

// Message codes.
const (
	CodeBody      = "error.question_body"
	CodeReason    = "error.question_reason"
	CodeWhoAsks   = "error.qa_who_asks"
	CodeMergeSelf = "error.question_merge_self"
	CodeWord      = "error.qa_word"
	CodeWords     = "error.qa_words"
)

// Refusals.
var (
	ErrOff          = problem.New(problem.Conflict, "error.qa_off")
	ErrClosed       = problem.New(problem.Conflict, "error.qa_closed")
	ErrMayNotAsk    = problem.New(problem.Forbidden, "error.qa_may_not_ask")
	ErrNotModerator = problem.New(problem.Forbidden, "error.qa_not_moderator")
	ErrNoAnonymous  = problem.New(problem.Conflict, "error.qa_no_anonymous")
	ErrVoted        = problem.New(problem.Conflict, "error.question_voted")
	ErrNotVisible   = problem.New(problem.Conflict, "error.question_not_visible")
	ErrNoDevice     = problem.New(problem.Forbidden, "error.qa_no_device")
)

// Settings are a session's Q&A rules (its mode, off, open or premoderated, is the session's).
type Settings struct {
	bun.BaseModel `bun:"table:qa_settings"`

	SessionID int64     `bun:"session_id,pk"`
	WhoAsks   string    `bun:"who_asks,notnull"`
	Anonymous bool      `bun:"anonymous,notnull"`
	Closed    bool      `bun:"closed,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// Question is one question.
type Question struct {
	bun.BaseModel `bun:"table:questions,alias:q"`

	ID         int64      `bun:"id,pk,autoincrement"`
	SessionID  int64      `bun:"session_id,notnull"`
	Body       string     `bun:"body,notnull"`
	Group      string     `bun:"stakeholder_group,notnull"`
	Channel    string     `bun:"channel,notnull"`
	Status     string     `bun:"status,notnull"`
	Anonymous  bool       `bun:"anonymous,notnull"`
	AuthorID   *int64     `bun:"author_id"`
	AuthorName string     `bun:"author_name,notnull"`
	Owner      string     `bun:"owner,notnull"` // the key that sees it pending or declined ("" none)
	Reason     string     `bun:"reason,notnull"`
	Note       string     `bun:"note,notnull"`
	Pinned     bool       `bun:"pinned,notnull"`
	Labels     []string   `bun:"labels,type:json,notnull"`
	Reply      string     `bun:"reply,notnull"`
	ReplyBy    string     `bun:"reply_by,notnull"`
	MergedInto *int64     `bun:"merged_into"`
	Votes      int        `bun:"votes,notnull"`
	Reports    int        `bun:"reports,notnull"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	UpdatedAt  time.Time  `bun:"updated_at,notnull"`
	AnsweredAt *time.Time `bun:"answered_at"`
}

// OwnedBy tells whether one of keys asked the question.
func (q Question) OwnedBy(keys []string) bool { return q.Owner != "" && slices.Contains(keys, q.Owner) }

// Shown tells whether attendees see the question.
func (q Question) Shown() bool { return q.Status == Visible || q.Status == Answered }

// Who is who acts: an account (0: none), the device key of an anonymous browser ("" none),
// and what they say of themselves when they ask.
type Who struct {
	AccountID int64
	IsAdmin   bool
	Name      string
	Device    string // the raw key from the device's cookie; only its hash is kept
	Group     string // the stakeholder group they ask as ("" unsaid)
}

// AccountKey is the key of an account's own questions and votes.
func AccountKey(id int64) string { return "a:" + strconv.FormatInt(id, 10) }

// DeviceKey is the key of an anonymous device: a hash of the key its cookie holds.
func DeviceKey(raw string) string {
	sum := sha256.Sum256([]byte("convene qa device\x00" + raw))
	return "d:" + hex.EncodeToString(sum[:16])
}

// Keys are the listener keys of w, for the live room: its account's, and its device's.
func (w Who) Keys() []string {
	var out []string
	if w.AccountID != 0 {
		out = append(out, AccountKey(w.AccountID))
	}
	if w.Device != "" {
		out = append(out, DeviceKey(w.Device))
	}
	return out
}

// voter is the key one vote or report is counted under: the account, else the device.
func (w Who) voter() (string, error) {
	switch {
	case w.AccountID != 0:
		return AccountKey(w.AccountID), nil
	case w.Device != "":
		return DeviceKey(w.Device), nil
	}
	return "", ErrNoDevice
}

// checkBody applies a question's rules: one to MaxBody characters of printable text.
func checkBody(es *validate.Errors, field, body string) string {
	body = strings.Join(strings.Fields(body), " ")
	switch {
	case body == "":
		es.Add(field, validate.Required, nil)
	case utf8.RuneCountInString(body) > MaxBody || !validate.Printable(body, false):
		es.Add(field, CodeBody, map[string]any{"Max": MaxBody})
	}
	return body
}

// flagged tells whether body holds one of words, each a word or a phrase (whole words, any
// case, with or without accents): such a question waits for a moderator even in an open session.
func flagged(body string, words []string) bool {
	text := " " + plainWords(body) + " "
	for _, w := range words {
		if w = plainWords(w); w != "" && strings.Contains(text, " "+w+" ") {
			return true
		}
	}
	return false
}

// plainWords is text as flag words compare it: lower case, without accents ("Corrupción" is
// "corrupcion"), its words one space apart.
func plainWords(text string) string {
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), strings.ToLower(text))
	if err != nil {
		folded = strings.ToLower(text)
	}
	return strings.Join(strings.FieldsFunc(folded, func(r rune) bool {
		return !(r == '-' || r == '\'' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}), " ")
}
