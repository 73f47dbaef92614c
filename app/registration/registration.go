// Package registration gives people their place at a forum or a capped session: the form a
// forum asks (with the organiser's own questions), places per attendance mode and per
// stakeholder quota, approval, a waitlist that promotes itself (directly or by an offer that
// expires), and the notices that go with each change. A seat is given only while the rows
// counting it are locked, so it is never given twice.
package registration

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
)

// Statuses of a registration. Pending waits for an organiser; an offer holds a seat until it
// is accepted or expires.
const (
	StatusPending    = "pending"
	StatusConfirmed  = "confirmed"
	StatusWaitlisted = "waitlisted"
	StatusOffered    = "offered"
	StatusCancelled  = "cancelled"
	StatusDeclined   = "declined"
	StatusExpired    = "expired"
)

// Statuses lists every status, in the order lists show them.
func Statuses() []string {
	return []string{StatusConfirmed, StatusOffered, StatusWaitlisted, StatusPending, StatusCancelled, StatusDeclined, StatusExpired}
}

// Active tells whether a registration in status still counts: the person is coming, waiting
// or being considered.
func Active(status string) bool {
	return status == StatusPending || status == StatusConfirmed || status == StatusWaitlisted || status == StatusOffered
}

// Attendance modes.
const (
	ModeInPerson = "in_person"
	ModeOnline   = "online"
)

// Modes lists the attendance modes.
func Modes() []string { return []string{ModeInPerson, ModeOnline} }

// Roles a person takes part in.
func Roles() []string { return []string{"participant", "expert", "speaker", "press"} }

// GenderSelfDescribed is the gender answer that the person describes in their own words.
const GenderSelfDescribed = "self_described"

// Genders offered; "" is no answer. Gender is only ever reported in aggregate.
func Genders() []string {
	return []string{"woman", "man", "non_binary", GenderSelfDescribed, "prefer_not_to_say"}
}

// Refusals of registration.
var (
	ErrNotOpen        = problem.New(problem.Conflict, "error.registration_not_open")
	ErrClosed         = problem.New(problem.Conflict, "error.registration_closed")
	ErrOver           = problem.New(problem.Conflict, "error.registration_over")
	ErrNoRegistration = problem.New(problem.Conflict, "error.registration_none")
	ErrRegistered     = problem.New(problem.Conflict, "error.registration_exists")
	ErrDeclined       = problem.New(problem.Conflict, "error.registration_declined")
	ErrNotActive      = problem.New(problem.Conflict, "error.registration_not_active")
	ErrNoOffer        = problem.New(problem.Conflict, "error.registration_no_offer")
	ErrOfferExpired   = problem.New(problem.Gone, "error.registration_offer_expired")
	ErrBadLink        = problem.New(problem.Gone, "error.registration_link")
	ErrSameMode       = problem.New(problem.Conflict, "error.registration_same_mode")
	// ErrNoBadge: online participants have no door to show a badge at.
	ErrNoBadge = problem.New(problem.NotFound, "error.registration_no_badge")
	// ErrBadgeNotYet: a badge comes with a confirmed place.
	ErrBadgeNotYet = problem.New(problem.Conflict, "error.registration_badge_not_yet")
)

// Registration is one person's place at a forum (SessionID 0) or at a capped session.
type Registration struct {
	bun.BaseModel `bun:"table:registrations"`

	ID        int64  `bun:"id,pk,autoincrement"`
	ForumID   int64  `bun:"forum_id,notnull"`
	SessionID int64  `bun:"session_id,notnull"`
	AccountID *int64 `bun:"account_id"`
	Email     string `bun:"email,notnull"`
	Name      string `bun:"name,notnull"`
	Language  string `bun:"language,notnull"` // of the notices
	Status    string `bun:"status,notnull"`
	Mode      string `bun:"mode,notnull"`
	PlaceID   *int64 `bun:"place_id"` // the places row holding the seat, while it is held
	Details
	WaitlistedAt   *time.Time `bun:"waitlisted_at"`
	Ticket         int64      `bun:"ticket,notnull"` // the place in line: lower first
	OfferExpiresAt *time.Time `bun:"offer_expires_at"`
	Code           string     `bun:"code,notnull"` // the check-in code on the badge
	LinkSalt       *string    `bun:"link_salt"`    // a guest's link is made from it (Links)
	// InviteSequence grows with each invite or cancellation mailed; with the forum's own
	// sequence it is the invite's SEQUENCE, so a calendar always takes the latest.
	InviteSequence   int        `bun:"invite_sequence,notnull"`
	EmailConfirmedAt *time.Time `bun:"email_confirmed_at"`
	CheckedInAt      *time.Time `bun:"checked_in_at"`
	RemindedAt       *time.Time `bun:"reminded_at"`
	// InviteDueAt is when the updated invite of a change to the programme goes out: the
	// changes made until then go in one message.
	InviteDueAt *time.Time `bun:"invite_due_at"`
	CreatedAt   time.Time  `bun:"created_at,notnull"`
	UpdatedAt   time.Time  `bun:"updated_at,notnull"`

	// Position is the place in line of a waitlisted registration (1 is next), read by the
	// queries that list registrations.
	Position int `bun:"-"`
}

// Details are what the form asks.
type Details struct {
	Group          string   `bun:"stakeholder_group,notnull"`
	Organisation   string   `bun:"organisation,notnull"`
	Country        string   `bun:"country,notnull"`
	Role           string   `bun:"role,notnull"`
	Languages      []string `bun:"languages,notnull,type:json"`
	Accessibility  string   `bun:"accessibility,notnull"`
	Gender         string   `bun:"gender,notnull"`
	GenderSelf     string   `bun:"gender_self,notnull"`
	PrivacyVersion string   `bun:"privacy_version,notnull"`
	ConsentNamed   bool     `bun:"consent_named,notnull"`
	Answers        Answers  `bun:"answers,notnull,type:json"`
}

// Answers are the answers to a forum's own questions, by question id (JSON keys are the ids
// written as strings). A choice is the index of the option chosen.
type Answers map[int64][]string

// Holds tells whether r holds a seat now.
func (r Registration) Holds() bool {
	return r.Status == StatusConfirmed || r.Status == StatusOffered
}

// CanCancel tells whether its holder may still cancel it.
func (r Registration) CanCancel() bool { return Active(r.Status) }

// Guest tells whether r was made without an account.
func (r Registration) Guest() bool { return r.AccountID == nil }

// Owner says who a registration belongs to: an account, or a guest holding its link.
type Owner struct {
	AccountID int64
	Name      string
	Email     string
	Language  string
}
