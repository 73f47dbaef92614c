package minutes

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/validate"
)

// Report is what the IGF's reporting template asks beyond the free text: a summary of each
// presentation, who spoke, who came (counted at the door and estimated) and the gender report.
type Report struct {
	Presentations string     `json:"presentations,omitempty"` // Markdown
	Speakers      []Speaker  `json:"speakers,omitempty"`
	Attendance    Attendance `json:"attendance"`
	Gender        Gender     `json:"gender"`
}

// Speaker is one person who spoke, as the minutes name them: the programme's panel, and anyone
// else the rapporteur adds.
type Speaker struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation,omitempty"`
	Group        string `json:"group,omitempty"`
}

// Attendance is who came: Counted from the registrations (checked in at the door, or
// confirmed to attend online), by stakeholder group and mode, kept as it stood when the
// minutes were published; and the rapporteur's estimates of those who came without registering.
type Attendance struct {
	Counted              []Count `json:"counted,omitempty"`
	UnregisteredInPerson int     `json:"unregistered_in_person"`
	UnregisteredOnline   int     `json:"unregistered_online"`
}

// Count is how many of a stakeholder group came in a mode.
type Count struct {
	Group string `json:"group" bun:"stakeholder_group"`
	Mode  string `json:"mode" bun:"mode"`
	N     int    `json:"n" bun:"n"`
}

// Total is everyone who came: counted and estimated.
func (a Attendance) Total() int {
	n := a.UnregisteredInPerson + a.UnregisteredOnline
	for _, c := range a.Counted {
		n += c.N
	}
	return n
}

// ByMode is how many came in a mode, counted and estimated.
func (a Attendance) ByMode(mode string) int {
	n := a.UnregisteredOnline
	if mode == registration.ModeInPerson {
		n = a.UnregisteredInPerson
	}
	for _, c := range a.Counted {
		if c.Mode == mode {
			n += c.N
		}
	}
	return n
}

// AttendanceRow is who came of a stakeholder group ("": not said), by mode.
type AttendanceRow struct {
	Group            string
	InPerson, Online int
}

// Rows are the counted by stakeholder group, in the order of groups given (the process's), then
// any other (a group since removed, or not said).
func (a Attendance) Rows(groups []string) []AttendanceRow {
	var out []AttendanceRow
	at := map[string]int{}
	row := func(g string) *AttendanceRow {
		i, ok := at[g]
		if !ok {
			i, at[g] = len(out), len(out)
			out = append(out, AttendanceRow{Group: g})
		}
		return &out[i]
	}
	for _, g := range groups {
		row(g)
	}
	for _, c := range a.Counted {
		r := row(c.Group)
		if c.Mode == registration.ModeOnline {
			r.Online += c.N
		} else {
			r.InPerson += c.N
		}
	}
	return slices.DeleteFunc(out, func(r AttendanceRow) bool { return r.InPerson+r.Online == 0 })
}

// Women is the estimated percentage of women, or -1 when not said.
func (g Gender) Women() int {
	if g.WomenPercent == nil {
		return -1
	}
	return *g.WomenPercent
}

// Said tells whether anything of the gender report was filled in.
func (g Gender) Said() bool { return g.WomenPercent != nil || g.Raised != "" || g.Notes != "" }

// Gender is the IGF's gender report: the estimated share of women among participants, whether
// the discussion raised gender issues, and how.
type Gender struct {
	WomenPercent *int   `json:"women_percent,omitempty"`
	Raised       string `json:"raised,omitempty"` // yes, no, or "" when not said
	Notes        string `json:"notes,omitempty"`
}

// Limits of a report.
const (
	MaxSpeakers = 60
	MaxEstimate = 1000000
)

// ReportDraft is the report as the editor sends it: numbers as typed.
type ReportDraft struct {
	Presentations        string
	Speakers             []Speaker
	UnregisteredInPerson string
	UnregisteredOnline   string
	WomenPercent         string
	GenderRaised         string
	GenderNotes          string
}

// DraftOf is a report as the editor shows it again.
func DraftOf(r Report) ReportDraft {
	d := ReportDraft{Presentations: r.Presentations, Speakers: slices.Clone(r.Speakers), GenderRaised: r.Gender.Raised, GenderNotes: r.Gender.Notes}
	if n := r.Attendance.UnregisteredInPerson; n != 0 {
		d.UnregisteredInPerson = strconv.Itoa(n)
	}
	if n := r.Attendance.UnregisteredOnline; n != 0 {
		d.UnregisteredOnline = strconv.Itoa(n)
	}
	if p := r.Gender.WomenPercent; p != nil {
		d.WomenPercent = strconv.Itoa(*p)
	}
	return d
}

// checkReport applies the rules to a draft's report; speakers' errors name speakers.N.field,
// N counting the rows sent (blank ones are dropped first by the form).
func checkReport(es *validate.Errors, p processes.Process, in ReportDraft) Report {
	r := Report{Presentations: in.Presentations}
	es.LongText("presentations", in.Presentations, MaxText, false)
	number := func(field, s string, max int) int {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > max {
			es.Add(field, validate.Invalid, nil)
			return 0
		}
		return n
	}
	r.Attendance.UnregisteredInPerson = number("unregistered_in_person", in.UnregisteredInPerson, MaxEstimate)
	r.Attendance.UnregisteredOnline = number("unregistered_online", in.UnregisteredOnline, MaxEstimate)
	if strings.TrimSpace(in.WomenPercent) != "" {
		pct := number("women_percent", in.WomenPercent, 100)
		if !es.Has("women_percent") {
			r.Gender.WomenPercent = &pct
		}
	}
	switch in.GenderRaised {
	case "", "yes", "no":
		r.Gender.Raised = in.GenderRaised
	default:
		es.Add("gender_raised", validate.Invalid, nil)
	}
	r.Gender.Notes = strings.TrimSpace(in.GenderNotes)
	es.LongText("gender_notes", r.Gender.Notes, MaxInput, false)
	if len(in.Speakers) > MaxSpeakers {
		es.Add("speakers", CodeCount, map[string]any{"Max": MaxSpeakers})
		return r
	}
	for i, sp := range in.Speakers {
		field := func(name string) string { return fmt.Sprintf("speakers.%d.%s", i, name) }
		sp = Speaker{Name: strings.TrimSpace(sp.Name), Organisation: strings.TrimSpace(sp.Organisation), Group: sp.Group}
		if sp.Name == "" {
			es.Add(field("name"), validate.Required, nil)
		}
		es.Line(field("name"), sp.Name, 200)
		es.Line(field("organisation"), sp.Organisation, 200)
		if sp.Group != "" && !slices.Contains(p.StakeholderGroups, sp.Group) {
			es.Add(field("group"), CodeGroup, nil)
		}
		r.Speakers = append(r.Speakers, sp)
	}
	return r
}

// Counted is who came to a session, from its registrations: those checked in at the door and
// those confirmed to attend online, by stakeholder group and mode. A session with places of its
// own counts its own registrations; any other counts its forum's.
func Counted(ctx context.Context, db bun.IDB, sessionID int64) ([]Count, error) {
	s, err := forums.SessionByID(ctx, db, sessionID)
	if err != nil {
		return nil, err
	}
	var own bool
	if own, err = db.NewSelect().Model((*registration.Registration)(nil)).Where("session_id = ?", sessionID).Exists(ctx); err != nil {
		return nil, fmt.Errorf("the registrations of session %d: %w", sessionID, err)
	}
	q := db.NewSelect().Model((*registration.Registration)(nil)).ColumnExpr("stakeholder_group, mode, COUNT(*) AS n").
		Where("forum_id = ?", s.ForumID).
		Where("((mode = ? AND checked_in_at IS NOT NULL) OR (mode = ? AND status = ?))", registration.ModeInPerson, registration.ModeOnline, registration.StatusConfirmed).
		GroupExpr("stakeholder_group, mode").OrderExpr("stakeholder_group, mode")
	if own {
		q = q.Where("session_id = ?", sessionID)
	} else {
		q = q.Where("session_id = 0")
	}
	var out []Count
	if err := q.Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("counting who came to session %d: %w", sessionID, err)
	}
	return out, nil
}

// ProgrammeSpeakers are a session's panel as its programme names it: what new minutes begin with.
func ProgrammeSpeakers(ctx context.Context, db bun.IDB, sessionID int64) ([]Speaker, error) {
	var sps []forums.Speaker
	if err := db.NewSelect().Model(&sps).Where("session_id = ?", sessionID).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the speakers of session %d: %w", sessionID, err)
	}
	out := make([]Speaker, len(sps))
	for i, sp := range sps {
		out[i] = Speaker{Name: sp.Name, Organisation: sp.Affiliation, Group: sp.Group}
	}
	return out, nil
}
