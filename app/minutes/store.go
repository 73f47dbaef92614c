package minutes

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store"
)

// OfSession are a session's minutes with their inputs (ErrNotFound when none were begun).
func OfSession(ctx context.Context, db bun.IDB, sessionID int64) (Minutes, error) {
	var m Minutes
	if err := db.NewSelect().Model(&m).Where("m.session_id = ?", sessionID).Scan(ctx); err != nil {
		return m, fmt.Errorf("the minutes of session %d: %w", sessionID, store.NotFound(err))
	}
	var err error
	m.Inputs, err = inputsOf(ctx, db, m.ID, false)
	return m, err
}

// inputsOf are the inputs of minutes, in order, with their tags; removed ones too when all.
func inputsOf(ctx context.Context, db bun.IDB, minutesID int64, all bool) ([]Input, error) {
	var inputs []Input
	q := db.NewSelect().Model(&inputs).Where("i.minutes_id = ?", minutesID).OrderExpr("i.removed, i.position")
	if !all {
		q = q.Where("NOT i.removed")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("the inputs of minutes %d: %w", minutesID, err)
	}
	if len(inputs) == 0 {
		return inputs, nil
	}
	at := make(map[int64]*Input, len(inputs))
	for i := range inputs {
		at[inputs[i].ID] = &inputs[i]
	}
	return inputs, loadTags(ctx, db, at)
}

// loadTags fills the topics, groups and questions of the inputs at their ids.
func loadTags(ctx context.Context, db bun.IDB, at map[int64]*Input) error {
	if len(at) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(at))
	for id := range at {
		ids = append(ids, id)
	}
	var topics []struct {
		InputID int64 `bun:"input_id"`
		TopicID int64 `bun:"topic_id"`
	}
	if err := db.NewSelect().Table("input_topics").Column("input_id", "topic_id").Where("input_id IN (?)", bun.List(ids)).
		OrderExpr("topic_id").Scan(ctx, &topics); err != nil {
		return fmt.Errorf("the topics of inputs: %w", err)
	}
	for _, t := range topics {
		at[t.InputID].Topics = append(at[t.InputID].Topics, t.TopicID)
	}
	var groups []struct {
		InputID int64  `bun:"input_id"`
		Group   string `bun:"stakeholder_group"`
	}
	if err := db.NewSelect().Table("input_groups").Column("input_id", "stakeholder_group").Where("input_id IN (?)", bun.List(ids)).
		OrderExpr("stakeholder_group").Scan(ctx, &groups); err != nil {
		return fmt.Errorf("the groups of inputs: %w", err)
	}
	for _, g := range groups {
		at[g.InputID].Groups = append(at[g.InputID].Groups, g.Group)
	}
	var questions []struct {
		InputID    int64 `bun:"input_id"`
		QuestionID int64 `bun:"question_id"`
	}
	if err := db.NewSelect().Table("input_questions").Column("input_id", "question_id").Where("input_id IN (?)", bun.List(ids)).
		OrderExpr("question_id").Scan(ctx, &questions); err != nil {
		return fmt.Errorf("the questions of inputs: %w", err)
	}
	for _, q := range questions {
		at[q.InputID].Questions = append(at[q.InputID].Questions, q.QuestionID)
	}
	return nil
}

// Candidate is a question of the session offered to the rapporteur as an input.
type Candidate struct {
	QuestionID int64
	Body       string
	Group      string
	Votes      int
	Answered   bool
	Reply      string
	Imported   bool // an input of these minutes came from it already
}

// Candidates are the session's questions a rapporteur may import as inputs: those answered,
// then those approved and left unanswered, the most voted first in each. Pending, declined and
// merged questions are not offered: the minutes record what the room heard.
func Candidates(ctx context.Context, db bun.IDB, m Minutes) ([]Candidate, error) {
	qs, err := qa.List(ctx, db, m.SessionID, qa.Who{}, true)
	if err != nil {
		return nil, err
	}
	var imported []int64
	if err := db.NewSelect().TableExpr("input_questions AS iq").Join("JOIN inputs AS i ON i.id = iq.input_id").
		Column("iq.question_id").Where("i.minutes_id = ? AND NOT i.removed", m.ID).Scan(ctx, &imported); err != nil {
		return nil, fmt.Errorf("the questions imported into minutes %d: %w", m.ID, err)
	}
	var out []Candidate
	for _, q := range qs {
		if !q.Shown() || q.MergedInto != nil {
			continue
		}
		out = append(out, Candidate{QuestionID: q.ID, Body: q.Body, Group: q.Group, Votes: q.Votes, Answered: q.Status == qa.Answered,
			Reply: q.Reply, Imported: slices.Contains(imported, q.ID)})
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if a.Answered != b.Answered {
			if a.Answered {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.Votes, a.Votes)
	})
	return out, nil
}
