// Package minutes is what each session said, as its rapporteur records it: a summary in the IGF's
// reporting fields and a list of inputs (key points, recommendations, concerns, commitments),
// each tagged with the strategy's objectives and axes and the stakeholder groups that raised it.
// An input's public id (the process code and its number, ENCS2017-0042) is given once and kept
// through every later version. A draft is saved whole, naming the revision it edits: two people
// editing at once get ErrConflict, never a silent overwrite.
package minutes

import (
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
)

// Statuses of minutes.
const (
	Draft     = "draft"
	Review    = "review"
	Published = "published"
)

// Kinds of input.
const (
	KeyPoint       = "key_point"
	Recommendation = "recommendation"
	Concern        = "concern"
	Commitment     = "commitment"
)

// Kinds are the kinds of input, in the order forms offer them.
func Kinds() []string { return []string{KeyPoint, Recommendation, Concern, Commitment} }

// ReviewWindow is how long, once minutes go to review, those who were there may propose
// corrections. (How long after its session minutes are due is each process's MinutesDueDays.)
const ReviewWindow = 7 * 24 * time.Hour

// Limits of what minutes hold.
const (
	MaxText   = 20000 // characters of a summary field
	MaxInput  = 2000  // characters of an input
	MaxInputs = 300
)

// Field error codes.
const (
	CodeKind  = "error.input_kind"
	CodeTopic = "error.input_topic"
	CodeGroup = "error.input_group"
	CodeQuote = "error.input_question"
	CodeDue   = "error.input_due"
	CodeCount = "error.input_count"
)

var (
	// ErrConflict: someone saved the minutes since the revision the save names.
	ErrConflict = problem.New(problem.Conflict, "error.minutes_conflict")
	// ErrNotRapporteur: who saves is neither the session's rapporteur nor its organiser.
	ErrNotRapporteur = problem.New(problem.Forbidden, "error.minutes_not_rapporteur")
	// ErrNotDraft: the minutes are past the draft (in review or published).
	ErrNotDraft = problem.New(problem.Conflict, "error.minutes_not_draft")
	// ErrNotInReview: only minutes in review are published or sent back.
	ErrNotInReview = problem.New(problem.Conflict, "error.minutes_not_in_review")
	// ErrNotPublished: only published minutes are corrected.
	ErrNotPublished = problem.New(problem.Conflict, "error.minutes_not_published")
	// ErrNotOrganiser: publishing and sending back are the organisers'.
	ErrNotOrganiser = problem.New(problem.Forbidden, "error.minutes_not_organiser")
)

// Who is whoever writes minutes, as the rules see them.
type Who struct {
	AccountID int64
	IsAdmin   bool
}

// Minutes are one session's.
type Minutes struct {
	bun.BaseModel `bun:"table:minutes,alias:m"`

	ID            int64     `bun:"id,pk,autoincrement"`
	SessionID     int64     `bun:"session_id,notnull"`
	ProcessID     int64     `bun:"process_id,notnull"`
	Status        string    `bun:"status,notnull"`
	Revision      int64     `bun:"revision,notnull"`
	Summary       string    `bun:"summary,notnull"`
	Takeaways     string    `bun:"takeaways,notnull"`
	CallsToAction string    `bun:"calls_to_action,notnull"`
	DueOn         string    `bun:"due_on,notnull"` // YYYY-MM-DD in the forum's zone
	UpdatedBy     *int64    `bun:"updated_by"`
	CreatedAt     time.Time `bun:"created_at,notnull"`
	UpdatedAt     time.Time `bun:"updated_at,notnull"`
	// Version is the newest published (0: none yet); ReviewUntil ends the window in which
	// those who were there may propose corrections.
	Version     int        `bun:"version,notnull"`
	ReviewUntil *time.Time `bun:"review_until"`
	// Editor is the token of the editor that saved last, EditorSince the revision it began
	// from (its saves since then are its own, not someone else's), EditorSeq the number of its
	// latest save.
	Editor      string `bun:"editor,notnull"`
	EditorSince int64  `bun:"editor_since,notnull"`
	EditorSeq   int64  `bun:"editor_seq,notnull"`
	Report      Report `bun:"report,type:json,notnull"`

	Inputs []Input `bun:"-"`
}

// Version is published minutes as they stood, kept whole: what the public reads, cites and
// compares.
type Version struct {
	bun.BaseModel `bun:"table:minutes_versions,alias:v"`

	MinutesID   int64     `bun:"minutes_id,pk"`
	Version     int       `bun:"version,pk"`
	Reason      string    `bun:"reason,notnull"` // a correction's
	Content     Content   `bun:"content,type:json,notnull"`
	PublishedBy *int64    `bun:"published_by"`
	PublishedAt time.Time `bun:"published_at,notnull"`
}

// Content is what a version holds.
type Content struct {
	Summary       string         `json:"summary"`
	Takeaways     string         `json:"takeaways"`
	CallsToAction string         `json:"calls_to_action"`
	Report        Report         `json:"report"`
	Inputs        []InputContent `json:"inputs"`
}

// InputContent is an input as a version holds it.
type InputContent struct {
	Number    int64    `json:"number"`
	Kind      string   `json:"kind"`
	Body      string   `json:"body"`
	Topics    []int64  `json:"topics"`
	Groups    []string `json:"groups"`
	Questions []int64  `json:"questions"`
	Speaker   string   `json:"speaker,omitempty"`
	By        string   `json:"committed_by,omitempty"`
	ByGroup   string   `json:"committed_group,omitempty"`
	Due       string   `json:"committed_due,omitempty"`
}

// Comment is an organiser's request for changes.
type Comment struct {
	bun.BaseModel `bun:"table:minutes_comments,alias:c"`

	ID        int64     `bun:"id,pk,autoincrement"`
	MinutesID int64     `bun:"minutes_id,notnull"`
	AuthorID  *int64    `bun:"author_id"`
	Body      string    `bun:"body,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Input is one thing a session said, to be answered.
type Input struct {
	bun.BaseModel `bun:"table:inputs,alias:i"`

	ID        int64     `bun:"id,pk,autoincrement"`
	ProcessID int64     `bun:"process_id,notnull"`
	MinutesID *int64    `bun:"minutes_id"`
	DraftID   *int64    `bun:"draft_id"` // heard in the public consultation on this draft (no minutes)
	Number    int64     `bun:"number,notnull"`
	Kind      string    `bun:"kind,notnull"`
	Body      string    `bun:"body,notnull"`
	Position  int       `bun:"position,notnull"`
	Speaker   string    `bun:"speaker,notnull"` // named only with their consent
	By        string    `bun:"committed_by,notnull"`
	ByGroup   string    `bun:"committed_group,notnull"`
	Due       string    `bun:"committed_due,notnull"` // YYYY-MM-DD
	Removed   bool      `bun:"removed,notnull"`
	DraftKey  string    `bun:"draft_key,notnull"` // the key the editor gave its row when it was new
	Standing  string    `bun:"standing,notnull"`  // what became of it: its newest disposition's status
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`

	Topics    []int64  `bun:"-"`
	Groups    []string `bun:"-"`
	Questions []int64  `bun:"-"`
}

// PublicID is an input's id as the public reads and cites it: the process code and its number.
func PublicID(processCode string, number int64) string {
	return fmt.Sprintf("%s-%04d", processCode, number)
}
