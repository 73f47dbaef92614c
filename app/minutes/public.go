package minutes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store"
)

// What the public reads: published minutes only, as their versions hold them, and each
// published input with its story. Drafts and minutes in review are never read here.

// PublishedOf are a session's published minutes and their versions, oldest first
// (problem.ErrNotFound while none is published).
func PublishedOf(ctx context.Context, db bun.IDB, sessionID int64) (Minutes, []Version, error) {
	var m Minutes
	if err := db.NewSelect().Model(&m).Where("m.session_id = ? AND m.version > 0", sessionID).Scan(ctx); err != nil {
		return m, nil, fmt.Errorf("the published minutes of session %d: %w", sessionID, store.NotFound(err))
	}
	vs, err := Versions(ctx, db, m.ID)
	return m, vs, err
}

// ParseRef splits an input's public id (ENCS2017-0042) into its process code and number.
func ParseRef(ref string) (code string, number int64, ok bool) {
	i := strings.LastIndexByte(ref, '-')
	if i < 1 || len(ref) > 40 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(ref[i+1:], 10, 64)
	if err != nil || n < 1 {
		return "", 0, false
	}
	return ref[:i], n, true
}

// Published input: its row as the newest version holds it, where it was said, and its story.
type InputPage struct {
	Input
	PublicID  string
	SessionID int64
	// InVersions are the published versions that hold the input; Removed: a correction took
	// it out (its page stays, saying so).
	InVersions []int
	Standing   Disposition // Status "" : pending, nothing decided yet
	History    []Disposition
	Story      []Step
}

// Step is one moment of an input's story, oldest first.
type Step struct {
	At   time.Time
	Kind string // asked, answered, recorded, corrected, disposition
	// Body: the question asked (only one the room saw); a correction's reason.
	Body, Group string
	Version     int
	Disposition *Disposition
}

// Kinds of step.
const (
	StepAsked       = "asked"
	StepAnswered    = "answered"
	StepReviewed    = "reviewed" // a correction proposed in review was accepted
	StepRecorded    = "recorded"
	StepCorrected   = "corrected"
	StepDisposition = "disposition"
)

// InputByRef is a published input by its public id, with its story (problem.ErrNotFound when
// its minutes were never published, or no input has that id).
func InputByRef(ctx context.Context, db bun.IDB, ref string) (InputPage, error) {
	code, number, ok := ParseRef(ref)
	if !ok {
		return InputPage{}, problem.ErrNotFound
	}
	var x InputPage
	err := db.NewSelect().Model(&x.Input).Join("JOIN processes AS p ON p.id = i.process_id").
		Where("p.code = ? AND i.number = ?", code, number).Scan(ctx)
	if err != nil {
		return x, fmt.Errorf("input %s: %w", ref, store.NotFound(err))
	}
	x.PublicID = PublicID(code, number)
	if x.MinutesID == nil {
		return heardByRef(ctx, db, x)
	}
	if err := db.NewSelect().Table("minutes").Column("session_id").Where("id = ?", *x.MinutesID).Scan(ctx, &x.SessionID); err != nil {
		return x, fmt.Errorf("the minutes of input %s: %w", ref, err)
	}
	vs, err := Versions(ctx, db, *x.MinutesID)
	if err != nil {
		return x, err
	}
	if x.Story, x.InVersions = versionSteps(vs, number); len(x.InVersions) == 0 {
		return x, problem.ErrNotFound // numbered in a draft, removed before publication
	}
	if x.Removed { // its tags as the last version that held it
		last := contentOf(vs[x.InVersions[len(x.InVersions)-1]-1].Content, number)
		x.Kind, x.Body, x.Topics, x.Groups, x.Questions = last.Kind, last.Body, last.Topics, last.Groups, last.Questions
	} else if x.Topics, x.Groups, x.Questions, err = tagsOf(ctx, db, x.ID); err != nil {
		return x, err
	}
	asked, err := askedSteps(ctx, db, x.Questions)
	if err != nil {
		return x, err
	}
	var reviewed []time.Time
	if err := db.NewSelect().Model((*Proposal)(nil)).Column("answered_at").Where("input_id = ? AND status = ?", x.ID, Accepted).
		OrderExpr("answered_at").Scan(ctx, &reviewed); err != nil {
		return x, fmt.Errorf("the corrections of input %d: %w", x.ID, err)
	}
	if x.History, err = History(ctx, db, x.ID); err != nil {
		return x, err
	}
	story := asked
	for _, at := range reviewed {
		story = append(story, Step{At: at, Kind: StepReviewed})
	}
	story = append(story, x.Story...)
	for i := range x.History {
		story = append(story, Step{At: x.History[i].DecidedAt, Kind: StepDisposition, Disposition: &x.History[i]})
	}
	x.Story = story
	if n := len(x.History); n > 0 {
		x.Standing = x.History[n-1]
	}
	return x, nil
}

// heardByRef fills an input heard in the public consultation: its tags and decisions (the
// caller shows the draft it was heard on, and whether that is public).
func heardByRef(ctx context.Context, db bun.IDB, x InputPage) (InputPage, error) {
	if x.DraftID == nil || x.Removed {
		return x, problem.ErrNotFound
	}
	var err error
	if x.Topics, x.Groups, x.Questions, err = tagsOf(ctx, db, x.ID); err != nil {
		return x, err
	}
	if x.History, err = History(ctx, db, x.ID); err != nil {
		return x, err
	}
	for i := range x.History {
		x.Story = append(x.Story, Step{At: x.History[i].DecidedAt, Kind: StepDisposition, Disposition: &x.History[i]})
	}
	if n := len(x.History); n > 0 {
		x.Standing = x.History[n-1]
	}
	return x, nil
}

// versionSteps are the versions that recorded, changed or removed input number, and the
// versions holding it.
func versionSteps(vs []Version, number int64) ([]Step, []int) {
	var steps []Step
	var in []int
	var prev *InputContent
	for _, v := range vs {
		c := contentOf(v.Content, number)
		switch {
		case c != nil && prev == nil && len(in) == 0:
			steps = append(steps, Step{At: v.PublishedAt, Kind: StepRecorded, Version: v.Version})
		case c != nil && (prev == nil || !sameInput(*c, *prev)), c == nil && prev != nil:
			steps = append(steps, Step{At: v.PublishedAt, Kind: StepCorrected, Version: v.Version, Body: v.Reason})
		}
		if c != nil {
			in = append(in, v.Version)
		}
		prev = c
	}
	return steps, in
}

func contentOf(c Content, number int64) *InputContent {
	for i := range c.Inputs {
		if c.Inputs[i].Number == number {
			return &c.Inputs[i]
		}
	}
	return nil
}

// askedSteps are the questions an input came from, asked and answered: their text only when
// the room saw them, and never their askers' names.
func askedSteps(ctx context.Context, db bun.IDB, ids []int64) ([]Step, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var qs []qa.Question
	if err := db.NewSelect().Model(&qs).Where("q.id IN (?)", bun.List(ids)).OrderExpr("q.created_at, q.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the questions of an input: %w", err)
	}
	var steps []Step
	for _, q := range qs {
		s := Step{At: q.CreatedAt, Kind: StepAsked, Group: q.Group}
		if q.Shown() {
			s.Body = q.Body
		}
		steps = append(steps, s)
		if q.Status == qa.Answered && q.AnsweredAt != nil {
			steps = append(steps, Step{At: *q.AnsweredAt, Kind: StepAnswered})
		}
	}
	return steps, nil
}

// tagsOf are one input's topics, groups and questions.
func tagsOf(ctx context.Context, db bun.IDB, inputID int64) (topics []int64, groups []string, questions []int64, err error) {
	if err = db.NewSelect().Table("input_topics").Column("topic_id").Where("input_id = ?", inputID).OrderExpr("topic_id").Scan(ctx, &topics); err != nil {
		return nil, nil, nil, fmt.Errorf("the topics of input %d: %w", inputID, err)
	}
	if err = db.NewSelect().Table("input_groups").Column("stakeholder_group").Where("input_id = ?", inputID).OrderExpr("stakeholder_group").
		Scan(ctx, &groups); err != nil {
		return nil, nil, nil, fmt.Errorf("the groups of input %d: %w", inputID, err)
	}
	if err = db.NewSelect().Table("input_questions").Column("question_id").Where("input_id = ?", inputID).OrderExpr("question_id").
		Scan(ctx, &questions); err != nil {
		return nil, nil, nil, fmt.Errorf("the questions of input %d: %w", inputID, err)
	}
	return topics, groups, questions, nil
}

// PublishedVersion is the newest published version of a session's minutes (0: none published).
func PublishedVersion(ctx context.Context, db bun.IDB, sessionID int64) (int, error) {
	var v []int
	if err := db.NewSelect().Table("minutes").Column("version").Where("session_id = ?", sessionID).Scan(ctx, &v); err != nil {
		return 0, fmt.Errorf("the minutes of session %d: %w", sessionID, err)
	}
	if len(v) == 0 {
		return 0, nil
	}
	return v[0], nil
}
