package minutes

import (
	"time"
)

// What the API and the open data give of minutes: public ids, topic codes and stakeholder
// groups, never an account, and a speaker only as named with their consent.

// InputView is a published input.
type InputView struct {
	ID          string          `json:"id" doc:"Its public id (the process code and its number): it never changes."`
	Number      int64           `json:"number"`
	Kind        string          `json:"kind" enum:"key_point,recommendation,concern,commitment"`
	Text        string          `json:"text"`
	Topics      []string        `json:"topics" doc:"Codes of the objectives and axes it speaks to."`
	Groups      []string        `json:"stakeholder_groups" doc:"The stakeholder groups that raised it."`
	Speaker     string          `json:"speaker,omitempty" doc:"Who said it, named with their consent."`
	Commitment  *CommitmentView `json:"commitment,omitempty"`
	Questions   int             `json:"questions" doc:"How many questions of the session's Q&A it came from."`
	Session     int64           `json:"session,omitempty" doc:"The session whose minutes hold it (none for an input heard on a draft)."`
	Draft       int64           `json:"draft,omitempty" doc:"The draft whose public consultation it was heard in."`
	Disposition DispositionView `json:"disposition" doc:"What became of it: its newest decision."`
	Removed     bool            `json:"removed,omitempty" doc:"A correction took it out of the minutes."`
	URL         string          `json:"url" doc:"Its page."`
}

// CommitmentView is who committed to what, by when, and how it stands.
type CommitmentView struct {
	By       string `json:"by" doc:"The organisation that committed."`
	Group    string `json:"stakeholder_group,omitempty"`
	Due      string `json:"due,omitempty" doc:"YYYY-MM-DD."`
	Progress string `json:"progress,omitempty" enum:"not_started,in_progress,done,abandoned"`
}

// DispositionView is one decision on an input.
type DispositionView struct {
	Status     string     `json:"status" enum:"pending,adopted,partly_adopted,not_adopted,merged"`
	Rationale  string     `json:"rationale,omitempty"`
	Section    string     `json:"strategy_section,omitempty"`
	MergedInto string     `json:"merged_into,omitempty" doc:"The public id of the input it joined."`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
}

// VersionView is a published version's record.
type VersionView struct {
	Version     int       `json:"version"`
	PublishedAt time.Time `json:"published_at"`
	Reason      string    `json:"reason,omitempty" doc:"A correction's reason."`
}

// MinutesView is a session's published minutes, in one version.
type MinutesView struct {
	Session       int64         `json:"session"`
	Version       int           `json:"version"`
	PublishedAt   time.Time     `json:"published_at"`
	Summary       string        `json:"summary" doc:"Markdown."`
	Takeaways     string        `json:"takeaways" doc:"Markdown."`
	CallsToAction string        `json:"calls_to_action" doc:"Markdown."`
	Report        Report        `json:"report" doc:"Presentations, speakers, attendance and the gender report."`
	Inputs        []InputView   `json:"inputs"`
	Versions      []VersionView `json:"versions"`
	URL           string        `json:"url"`
}

// ViewOfDisposition is a decision as the public reads it (status pending when none).
func ViewOfDisposition(d Disposition) DispositionView {
	if d.Status == "" {
		return DispositionView{Status: Pending}
	}
	v := DispositionView{Status: d.Status, Rationale: d.Rationale, Section: d.Section, MergedInto: d.MergedRef}
	if !d.DecidedAt.IsZero() {
		at := d.DecidedAt.UTC()
		v.DecidedAt = &at
	}
	return v
}

// ViewOfContent is an input as a published version holds it, with its standing; codes maps
// topic ids to their codes.
func ViewOfContent(code, baseURL string, session int64, x InputContent, codes map[int64]string, d Disposition) InputView {
	v := InputView{ID: PublicID(code, x.Number), Number: x.Number, Kind: x.Kind, Text: x.Body, Topics: []string{}, Groups: nonNil(x.Groups),
		Speaker: x.Speaker, Questions: len(x.Questions), Session: session, Disposition: ViewOfDisposition(d)}
	v.URL = baseURL + "/inputs/" + v.ID
	for _, t := range x.Topics {
		if c, ok := codes[t]; ok {
			v.Topics = append(v.Topics, c)
		}
	}
	if x.Kind == Commitment {
		v.Commitment = &CommitmentView{By: x.By, Group: x.ByGroup, Due: x.Due, Progress: d.Progress}
	}
	return v
}

// ContentOf is an input row as a version would hold it.
func ContentOf(x Input) InputContent {
	return InputContent{Number: x.Number, Kind: x.Kind, Body: x.Body, Topics: nonNil(x.Topics), Groups: nonNil(x.Groups),
		Questions: nonNil(x.Questions), Speaker: x.Speaker, By: x.By, ByGroup: x.ByGroup, Due: x.Due}
}
