package registration

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Settings are a forum's registration policy; a forum without them takes no registrations.
type Settings struct {
	bun.BaseModel `bun:"table:registration_settings"`

	ForumID  int64      `bun:"forum_id,pk"`
	OpensAt  *time.Time `bun:"opens_at"`  // nil: as soon as the forum is published
	ClosesAt *time.Time `bun:"closes_at"` // nil: when the forum starts
	Approval bool       `bun:"approval,notnull"`
	// OfferHours, when above 0, turns a promotion from the waitlist into an offer the person
	// accepts within that many hours, after which it passes to the next in line.
	OfferHours int       `bun:"offer_hours,notnull"`
	MinShare   int       `bun:"min_share,notnull"` // per cent: warn when a group falls below it
	UpdatedAt  time.Time `bun:"updated_at,notnull"`
}

// Place is a row counting seats: a mode's places open to all, a stakeholder group's quota in
// that mode, or a capped session's places. Capacity nil is unlimited.
type Place struct {
	bun.BaseModel `bun:"table:registration_places"`

	ID        int64      `bun:"id,pk,autoincrement"`
	ForumID   int64      `bun:"forum_id,notnull"`
	SessionID int64      `bun:"session_id,notnull"`
	Mode      string     `bun:"mode,notnull"`
	Group     string     `bun:"stakeholder_group,notnull"`
	Capacity  *int       `bun:"capacity"`
	Taken     int        `bun:"taken,notnull"`
	ReleaseAt *time.Time `bun:"release_at"`
	Released  bool       `bun:"released,notnull"`
	Tickets   int64      `bun:"tickets,notnull"` // the last ticket of the line given (open row)
}

// Free is how many seats p has left; -1 when unlimited.
func (p Place) Free() int {
	if p.Capacity == nil {
		return -1
	}
	return *p.Capacity - p.Taken
}

// holding tells whether p is a quota still held for its group.
func (p Place) holding() bool { return p.Group != "" && !p.Released }

// Question kinds.
const (
	KindShortText = "short_text"
	KindLongText  = "long_text"
	KindSingle    = "single"
	KindMultiple  = "multiple"
)

// QuestionKinds lists the kinds of custom question.
func QuestionKinds() []string { return []string{KindShortText, KindLongText, KindSingle, KindMultiple} }

// Question is one of a forum's own questions.
type Question struct {
	bun.BaseModel `bun:"table:registration_questions"`

	ID       int64             `bun:"id,pk,autoincrement"`
	ForumID  int64             `bun:"forum_id,notnull"`
	Position int               `bun:"position,notnull"`
	Kind     string            `bun:"kind,notnull"`
	Label    translated.Text   `bun:"label,notnull,type:json"`
	Options  []translated.Text `bun:"options,notnull,type:json"`
	Required bool              `bun:"required,notnull"`
}

// Quota holds seats of a mode for one stakeholder group until ReleaseAt.
type Quota struct {
	Group     string
	Mode      string
	Seats     int
	ReleaseAt *time.Time
}

// QuestionInput is a custom question as an organiser writes it; ID 0 adds one.
type QuestionInput struct {
	ID       int64
	Kind     string
	Label    translated.Text
	Options  []translated.Text
	Required bool
}

// SettingsInput is what an organiser sets about a forum's registration. A capacity of nil is
// unlimited.
type SettingsInput struct {
	OpensAt, ClosesAt *time.Time
	Approval          bool
	OfferHours        int
	MinShare          int
	InPerson, Online  *int
	Quotas            []Quota
	Questions         []QuestionInput
}

// Codes of the settings rules.
const (
	CodeCapacity       = "error.registration_capacity"
	CodeBelowTaken     = "error.registration_below_taken"
	CodeClosesBefore   = "error.registration_closes_before"
	CodeOfferHours     = "error.registration_offer_hours"
	CodeShare          = "error.registration_share"
	CodeQuotaGroup     = "error.registration_quota_group"
	CodeQuotaMode      = "error.registration_quota_mode"
	CodeQuotaSeats     = "error.registration_quota_seats"
	CodeQuotaTwice     = "error.registration_quota_twice"
	CodeQuotaUnlimited = "error.registration_quota_unlimited"
	CodeQuestionKind   = "error.registration_question_kind"
	CodeOptions        = "error.registration_options"
	// CodeOptionLines: a language lists fewer options than another.
	CodeOptionLines = "error.registration_option_lines"
	CodeTooMany     = "error.registration_too_many"
	maxCapacity     = 1_000_000
	maxQuestions    = 30
	maxOptions      = 30
	maxOfferHours   = 24 * 14
)

// validate checks the input for a forum offering modes, in a process with groups and
// languages.
func (in SettingsInput) validate(modes, groups, langs []string) validate.Errors {
	var es validate.Errors
	for _, c := range []struct {
		field string
		v     *int
	}{{"capacity_in_person", in.InPerson}, {"capacity_online", in.Online}} {
		if c.v != nil && (*c.v < 0 || *c.v > maxCapacity) {
			es.Add(c.field, CodeCapacity, map[string]any{"Max": maxCapacity})
		}
	}
	if in.OpensAt != nil && in.ClosesAt != nil && !in.ClosesAt.After(*in.OpensAt) {
		es.Add("closes_at", CodeClosesBefore, nil)
	}
	if in.OfferHours < 0 || in.OfferHours > maxOfferHours {
		es.Add("offer_hours", CodeOfferHours, map[string]any{"Max": maxOfferHours})
	}
	if in.MinShare < 0 || in.MinShare > 100 {
		es.Add("min_share", CodeShare, nil)
	}
	seen := map[string]bool{}
	held := map[string]int{}
	for i, q := range in.Quotas {
		f := "quotas." + strconv.Itoa(i)
		switch {
		case !slices.Contains(groups, q.Group):
			es.Add(f+".group", CodeQuotaGroup, nil)
		case !slices.Contains(modes, q.Mode):
			es.Add(f+".mode", CodeQuotaMode, nil)
		case seen[q.Mode+"/"+q.Group]:
			es.Add(f+".group", CodeQuotaTwice, nil)
		case q.Seats < 1 || q.Seats > maxCapacity:
			es.Add(f+".seats", CodeQuotaSeats, nil)
		case in.capacity(q.Mode) == nil:
			es.Add(f+".seats", CodeQuotaUnlimited, nil)
		}
		seen[q.Mode+"/"+q.Group] = true
		held[q.Mode] += q.Seats
	}
	for m, n := range held {
		if c := in.capacity(m); c != nil && n > *c {
			es.Add("capacity_"+m, CodeQuotaSeats, nil)
		}
	}
	if len(in.Questions) > maxQuestions {
		es.Add("questions", CodeTooMany, map[string]any{"Max": maxQuestions})
	}
	for i, q := range in.Questions {
		f := "questions." + strconv.Itoa(i)
		if !slices.Contains(QuestionKinds(), q.Kind) {
			es.Add(f+".kind", CodeQuestionKind, nil)
		}
		for _, l := range langs {
			if strings.TrimSpace(q.Label[l]) == "" {
				es.Add(f+".label."+l, validate.Required, nil)
			}
		}
		for l, v := range q.Label {
			if !translated.IsLanguage(l) {
				es.Add(f+".label."+l, validate.Invalid, nil)
			} else {
				es.Text(f+".label."+l, v, 300)
			}
		}
		choice := q.Kind == KindSingle || q.Kind == KindMultiple
		switch {
		case choice && (len(q.Options) < 2 || len(q.Options) > maxOptions):
			es.Add(f+".options", CodeOptions, map[string]any{"Max": maxOptions})
		case !choice && len(q.Options) > 0:
			es.Add(f+".options", CodeOptions, map[string]any{"Max": maxOptions})
		}
		for j, o := range q.Options {
			for _, l := range langs {
				if strings.TrimSpace(o[l]) == "" {
					es.Add(f+".options."+strconv.Itoa(j)+"."+l, validate.Required, nil)
				} else {
					es.Text(f+".options."+strconv.Itoa(j)+"."+l, o[l], 200)
				}
			}
		}
	}
	return es
}

func (in SettingsInput) capacity(mode string) *int {
	if mode == ModeOnline {
		return in.Online
	}
	return in.InPerson
}
