package consultation

import (
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/translated"
)

// Draft is a strategy's text open for comment: its published versions and its comment period.
type Draft struct {
	bun.BaseModel `bun:"table:drafts,alias:d"`

	ID        int64           `bun:"id,pk,autoincrement"`
	ProcessID int64           `bun:"process_id,notnull"`
	Title     translated.Text `bun:"title,notnull"`
	Summary   translated.Text `bun:"summary,notnull"`
	OpensAt   *time.Time      `bun:"opens_at"`
	ClosesAt  *time.Time      `bun:"closes_at"`
	Version   int             `bun:"version,notnull"` // the newest published; 0 none yet
	CreatedAt time.Time       `bun:"created_at,notnull"`
	UpdatedAt time.Time       `bun:"updated_at,notnull"`
}

// Where a draft's comment period stands.
const (
	PeriodUnset   = "unset"   // no dates yet: read only
	PeriodComing  = "coming"  // opens later
	PeriodOpen    = "open"    // comments, supports and marks are taken
	PeriodClosed  = "closed"  // read only
	PeriodNoDraft = "nodraft" // no version published yet
)

// Period tells where the comment period stands at now.
func (d Draft) Period(now time.Time) string {
	switch {
	case d.Version == 0:
		return PeriodNoDraft
	case d.OpensAt == nil || d.ClosesAt == nil:
		return PeriodUnset
	case now.Before(*d.OpensAt):
		return PeriodComing
	case now.Before(*d.ClosesAt):
		return PeriodOpen
	}
	return PeriodClosed
}

// Version is one published text of a draft.
type Version struct {
	bun.BaseModel `bun:"table:draft_versions,alias:v"`

	DraftID     int64     `bun:"draft_id,pk"`
	Number      int       `bun:"number,pk"`
	Body        string    `bun:"body,notnull"`
	Note        string    `bun:"note,notnull"` // what changed, in the organisers' words
	PublishedBy *int64    `bun:"published_by"`
	PublishedAt time.Time `bun:"published_at,notnull"`
}

// Comment statuses.
const (
	Visible = "visible"
	Hidden  = "hidden"
)

// Reasons a moderator gives for hiding a comment: published, so authors and the public know
// what may be hidden.
const (
	OffTopic     = "off_topic"
	Offensive    = "offensive"
	PersonalData = "personal_data"
	Spam         = "spam"
	Illegal      = "illegal"
)

// Reasons lists the reasons, in the order forms offer them.
func Reasons() []string { return []string{OffTopic, Offensive, PersonalData, Spam, Illegal} }

// Marks a reader puts on a paragraph.
const (
	Agree    = "agree"
	Disagree = "disagree"
	Pass     = "pass"
)

// Marks lists the marks, in the order forms offer them.
func Marks() []string { return []string{Agree, Disagree, Pass} }

// Comment is one comment on a draft (a paragraph of it, or the whole: paragraph 0) or a reply
// to one (ParentID set; its place is its parent's).
type Comment struct {
	bun.BaseModel `bun:"table:draft_comments,alias:c"`

	ID       int64  `bun:"id,pk,autoincrement"`
	DraftID  int64  `bun:"draft_id,notnull"`
	ParentID *int64 `bun:"parent_id"`
	// Where it was made: the version, the paragraph and the passage quoted in it.
	Version   int    `bun:"version,notnull"`
	Paragraph int    `bun:"paragraph,notnull"`
	Quote     string `bun:"quote,notnull"`
	Before    string `bun:"quote_before,notnull"`
	After     string `bun:"quote_after,notnull"`
	// Where it stands in the newest version (AtParagraph 0 and state orphaned: nowhere), and the
	// last place it had, from which the next version is searched.
	AtVersion     int     `bun:"at_version,notnull"`
	AtParagraph   int     `bun:"at_paragraph,notnull"`
	AtState       string  `bun:"at_state,notnull"`
	AtScore       float64 `bun:"at_score,notnull"`
	FromVersion   int     `bun:"from_version,notnull"`
	FromParagraph int     `bun:"from_paragraph,notnull"`

	Body        string     `bun:"body,notnull"`
	Group       string     `bun:"stakeholder_group,notnull"`
	AuthorID    *int64     `bun:"author_id"`
	AuthorName  string     `bun:"author_name,notnull"`
	Status      string     `bun:"status,notnull"`
	Reason      string     `bun:"reason,notnull"`
	Note        string     `bun:"note,notnull"` // the moderator's, shown with the reason
	ModeratedAt *time.Time `bun:"moderated_at"`
	Supports    int        `bun:"supports,notnull"`
	Flags       int        `bun:"flags,notnull"`
	CampaignID  *int64     `bun:"campaign_id"`
	// SubmissionID: a point of a formal submission, in its organisation's name.
	SubmissionID *int64    `bun:"submission_id"`
	InputID      *int64    `bun:"input_id"`
	CreatedAt    time.Time `bun:"created_at,notnull"`
}

// Confirmed is the state of a fuzzy place an organiser confirmed or chose.
const Confirmed = "confirmed"

// OwnedBy tells whether the account wrote the comment.
func (c Comment) OwnedBy(accountID int64) bool {
	return accountID != 0 && c.AuthorID != nil && *c.AuthorID == accountID
}

// Limits.
const (
	MaxComment = 3000
	MaxQuote   = 500
	maxContext = 40 // characters kept on each side of a quote
	maxNote    = 500
	maxBody    = 400_000
	maxTitle   = 200
	maxSummary = 2000
)

// Message codes of field errors.
const (
	CodeQuote     = "error.comment_quote"
	CodeParagraph = "error.comment_paragraph"
	CodeGroup     = "error.comment_group"
	CodeReason    = "error.comment_reason"
	CodeMark      = "error.paragraph_mark"
	CodeBody      = "error.draft_body"
	CodePeriod    = "error.draft_period"
	CodeSameText  = "error.draft_same_text"
)

// Refusals.
var (
	ErrNotOpen      = problem.New(problem.Conflict, "error.draft_not_open")
	ErrNotOrganiser = problem.New(problem.Forbidden, "error.draft_not_organiser")
	ErrNotModerator = problem.New(problem.Forbidden, "error.draft_not_moderator")
	ErrOldVersion   = problem.New(problem.Conflict, "error.draft_old_version")
	ErrNoReplyHere  = problem.New(problem.Conflict, "error.comment_no_reply")
	ErrOwnComment   = problem.New(problem.Conflict, "error.comment_own")
	ErrNotFuzzy     = problem.New(problem.Conflict, "error.comment_not_fuzzy")
)

// Who acts: an account (every consultation action needs one), whether an admin, and the name
// their comments carry.
type Who struct {
	AccountID int64
	IsAdmin   bool
	Name      string
}

func validMark(m string) bool { return slices.Contains(Marks(), m) }
