// Package processes holds consultation processes (e.g. a national cybersecurity strategy) and
// their topics: the strategic objectives and transversal axes that inputs are tagged with.
package processes

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Process statuses. Drafts are seen by admins only.
const (
	StatusDraft    = "draft"
	StatusOpen     = "open"
	StatusClosed   = "closed"
	StatusArchived = "archived"
)

// Statuses lists the statuses in their life order.
func Statuses() []string { return []string{StatusDraft, StatusOpen, StatusClosed, StatusArchived} }

// Topic kinds.
const (
	KindObjective = "objective"
	KindAxis      = "axis"
)

// Kinds lists the topic kinds in the order topics are shown: objectives, then axes.
func Kinds() []string { return []string{KindObjective, KindAxis} }

// StandardStakeholderGroups are the groups a process may invite; labels are stakeholder.<key>
// in the catalogs.
func StandardStakeholderGroups() []string {
	return []string{"government", "legislature", "justice", "private_sector", "civil_society", "academia",
		"technical_community", "international_organisation", "international_expert", "media", "general_public"}
}

// Message codes of the process rules (frontend/locales/*/processes.toml).
const (
	CodeCode      = "error.code"
	CodeLanguages = "error.languages"
	CodeGroups    = "error.stakeholder_groups"
	CodeStatus    = "error.status"
	CodeKind      = "error.kind"
	CodeTopicCode = "error.topic_code"
	CodeDueDays   = "error.minutes_due_days"
)

// How many days after its session minutes are due, unless a process says otherwise, and at most.
const (
	DefaultMinutesDueDays = 14
	MaxMinutesDueDays     = 120
)

// Process is one consultation.
type Process struct {
	bun.BaseModel `bun:"table:processes"`

	ID                int64           `bun:"id,pk,autoincrement"`
	Slug              string          `bun:"slug,notnull"`
	Code              string          `bun:"code,notnull"`
	Title             translated.Text `bun:"title,notnull"`
	Description       translated.Text `bun:"description,notnull"`
	GeneralObjective  translated.Text `bun:"general_objective,notnull"`
	TimeZone          string          `bun:"time_zone,notnull"`
	Languages         []string        `bun:"languages,notnull,type:json"`
	StakeholderGroups []string        `bun:"stakeholder_groups,notnull,type:json"`
	Status            string          `bun:"status,notnull"`
	// ContactEmail reaches the process's organisers: the ORGANIZER of its invites and feeds,
	// whom calendars send replies to ("" : the site's sender address).
	ContactEmail string `bun:"contact_email,notnull"`
	// MinutesDueDays is how many days after its session a session's minutes are due.
	MinutesDueDays int       `bun:"minutes_due_days,notnull"`
	CreatedAt      time.Time `bun:"created_at,notnull"`
	UpdatedAt      time.Time `bun:"updated_at,notnull"`
}

// Topic is a strategic objective or a transversal axis of a process.
type Topic struct {
	bun.BaseModel `bun:"table:topics"`

	ID          int64           `bun:"id,pk,autoincrement"`
	ProcessID   int64           `bun:"process_id,notnull"`
	Kind        string          `bun:"kind,notnull"`
	Code        string          `bun:"code,notnull"`
	Title       translated.Text `bun:"title,notnull"`
	Description translated.Text `bun:"description,notnull"`
	Position    int             `bun:"position,notnull"`
	CreatedAt   time.Time       `bun:"created_at,notnull"`
	UpdatedAt   time.Time       `bun:"updated_at,notnull"`
}

// ProcessInput is what an admin writes.
type ProcessInput struct {
	Slug, Code, TimeZone, Status         string
	ContactEmail                         string
	MinutesDueDays                       int // 0: DefaultMinutesDueDays
	Title, Description, GeneralObjective translated.Text
	Languages, StakeholderGroups         []string
}

var (
	codeRE      = regexp.MustCompile(`^[A-Z][A-Z0-9_-]{1,19}$`)
	topicCodeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,19}$`)
)

// Input is the process as an input, for an edit that changes some fields and keeps the rest.
func (p Process) Input() ProcessInput {
	return ProcessInput{Slug: p.Slug, Code: p.Code, TimeZone: p.TimeZone, Status: p.Status, ContactEmail: p.ContactEmail,
		MinutesDueDays: p.MinutesDueDays, Title: p.Title, Description: p.Description, GeneralObjective: p.GeneralObjective,
		Languages: slices.Clone(p.Languages), StakeholderGroups: slices.Clone(p.StakeholderGroups)}
}

// Normalized trims the input.
func (in ProcessInput) Normalized() ProcessInput {
	in.Slug, in.Code = strings.TrimSpace(in.Slug), strings.TrimSpace(in.Code)
	in.TimeZone, in.Status = strings.TrimSpace(in.TimeZone), strings.TrimSpace(in.Status)
	if email, ok := validate.CanonicalEmail(in.ContactEmail); ok {
		in.ContactEmail = email
	}
	if in.MinutesDueDays == 0 {
		in.MinutesDueDays = DefaultMinutesDueDays
	}
	in.Title, in.Description, in.GeneralObjective = in.Title.Trimmed(), in.Description.Trimmed(), in.GeneralObjective.Trimmed()
	if in.Slug == "" {
		in.Slug = validate.SlugFrom(in.Title.In(firstOf(in.Languages))) // a title's own address, unless one is given
	}
	return in
}

func firstOf(langs []string) string {
	if len(langs) == 0 {
		return ""
	}
	return langs[0]
}

// checkTranslated requires text in every language of the process (when required) and bounds it.
func checkTranslated(es *validate.Errors, field string, t translated.Text, langs []string, required bool, max int) {
	for _, l := range slices.Sorted(maps.Keys(t)) {
		s := t[l]
		if !translated.IsLanguage(l) {
			es.Add(field+"."+l, CodeLanguages, nil)
		} else if field == "title" {
			es.Line(field+"."+l, s, max)
		} else {
			es.LongText(field+"."+l, s, max, false)
		}
	}
	if required {
		for _, l := range t.Missing(langs) {
			if translated.IsLanguage(l) {
				es.Add(field+"."+l, validate.Required, nil)
			}
		}
	}
}

// Validate checks a normalized input.
func (in ProcessInput) Validate() validate.Errors {
	var es validate.Errors
	es.Slug("slug", in.Slug)
	switch {
	case in.Code == "":
		es.Add("code", validate.Required, nil)
	case !codeRE.MatchString(in.Code):
		es.Add("code", CodeCode, nil)
	}
	langOK := len(in.Languages) > 0
	seen := map[string]bool{}
	for _, l := range in.Languages {
		if !translated.IsLanguage(l) || seen[l] {
			langOK = false
		}
		seen[l] = true
	}
	if !langOK {
		es.Add("languages", CodeLanguages, nil)
	}
	checkTranslated(&es, "title", in.Title, in.Languages, true, 200)
	checkTranslated(&es, "description", in.Description, in.Languages, false, 20000)
	checkTranslated(&es, "general_objective", in.GeneralObjective, in.Languages, false, 5000)
	es.TimeZone("time_zone", in.TimeZone, true)
	if in.ContactEmail != "" {
		es.Email("contact_email", in.ContactEmail)
	}
	if in.MinutesDueDays < 1 || in.MinutesDueDays > MaxMinutesDueDays {
		es.Add("minutes_due_days", CodeDueDays, map[string]any{"Max": MaxMinutesDueDays})
	}
	groupsOK := len(in.StakeholderGroups) > 0
	seenGroup := map[string]bool{}
	for _, g := range in.StakeholderGroups {
		if !slices.Contains(StandardStakeholderGroups(), g) || seenGroup[g] {
			groupsOK = false
		}
		seenGroup[g] = true
	}
	if !groupsOK {
		es.Add("stakeholder_groups", CodeGroups, nil)
	}
	if !slices.Contains(Statuses(), in.Status) {
		es.Add("status", CodeStatus, nil)
	}
	return es
}

// TopicInput is what an admin writes for a topic.
type TopicInput struct {
	Kind, Code         string
	Title, Description translated.Text
}

// Normalized trims the input.
func (in TopicInput) Normalized() TopicInput {
	in.Kind, in.Code = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Code)
	in.Title, in.Description = in.Title.Trimmed(), in.Description.Trimmed()
	return in
}

// Validate checks a normalized topic against its process's languages.
func (in TopicInput) Validate(langs []string) validate.Errors {
	var es validate.Errors
	if !slices.Contains(Kinds(), in.Kind) {
		es.Add("kind", CodeKind, nil)
	}
	switch {
	case in.Code == "":
		es.Add("code", validate.Required, nil)
	case !topicCodeRE.MatchString(in.Code):
		es.Add("code", CodeTopicCode, nil)
	}
	checkTranslated(&es, "title", in.Title, langs, true, 200)
	checkTranslated(&es, "description", in.Description, langs, false, 5000)
	return es
}
