// Package monitoring is the process dashboard, the strategy's axis of measuring and monitoring:
// who took part (by stakeholder group, mode, country and gender, in aggregate only), what was
// heard (inputs by objective and axis), whose input was taken (objective × stakeholder group:
// heard, and the share adopted), what became of inputs and commitments, and which minutes are
// late. It reads what the other capabilities wrote and counts what the open data publishes.
package monitoring

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/minutes"
)

// Count is how many of something there are.
type Count struct {
	Key string `bun:"k"`
	N   int    `bun:"n"`
}

// Cell is what one stakeholder group said about one objective, and how much of it was taken
// (adopted or partly adopted).
type Cell struct {
	Heard, Taken int
}

// Share is the percentage of heard inputs taken, rounded.
func (c Cell) Share() int {
	if c.Heard == 0 {
		return 0
	}
	return (200*c.Taken + c.Heard) / (2 * c.Heard)
}

// Dashboard is a process's figures.
type Dashboard struct {
	Participants                      int
	ByGroup, ByMode, ByCountry, ByGen []Count
	Inputs                            int
	ByTopic                           []Count // topic code → inputs
	ByKind                            []Count
	ByStanding                        []Count
	Commitments                       []Count // by progress ("" not recorded)
	Decisions                         []Count // month (YYYY-MM) → decisions recorded
	Objectives, Axes, Groups          []string
	Matrix                            map[string]map[string]int  // objective → axis → inputs
	Coverage                          map[string]map[string]Cell // objective → group → cell
	MinutesPublished, MinutesOverdue  int
}

// Of counts a process's figures.
func Of(ctx context.Context, db bun.IDB, now time.Time, processID int64) (Dashboard, error) {
	d := Dashboard{Matrix: map[string]map[string]int{}, Coverage: map[string]map[string]Cell{}}
	// Confirmed places at the process's public forums (one per person and forum).
	people := func(column string, out *[]Count) error {
		return db.NewSelect().TableExpr("registrations AS r").Join("JOIN forums AS f ON f.id = r.forum_id").
			ColumnExpr("r."+column+" AS k, COUNT(*) AS n").
			Where("f.process_id = ? AND f.status <> 'draft' AND r.session_id = 0 AND r.status = 'confirmed'", processID).
			GroupExpr("r."+column).OrderExpr("n DESC, k").Scan(ctx, out)
	}
	for column, out := range map[string]*[]Count{"stakeholder_group": &d.ByGroup, "mode": &d.ByMode, "country": &d.ByCountry, "gender": &d.ByGen} {
		if err := people(column, out); err != nil {
			return d, fmt.Errorf("counting the participants of process %d: %w", processID, err)
		}
	}
	for _, c := range d.ByGroup {
		d.Participants += c.N
	}
	// Published inputs, as the open data lists them.
	published := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("JOIN minutes AS m ON m.id = i.minutes_id").Join("JOIN sessions AS s ON s.id = m.session_id").
			Join("JOIN forums AS f ON f.id = s.forum_id").
			Where("i.process_id = ? AND NOT i.removed AND m.version > 0 AND f.status <> 'draft'", processID)
	}
	for _, c := range []struct {
		expr string
		join string
		out  *[]Count
	}{
		{"i.kind", "", &d.ByKind},
		{"i.standing", "", &d.ByStanding},
		{"t.code", "JOIN input_topics AS it ON it.input_id = i.id JOIN topics AS t ON t.id = it.topic_id", &d.ByTopic},
	} {
		q := published(db.NewSelect().TableExpr("inputs AS i")).ColumnExpr(c.expr + " AS k, COUNT(*) AS n").GroupExpr(c.expr).OrderExpr("k")
		if c.join != "" {
			q = q.Join(c.join)
		}
		if err := q.Scan(ctx, c.out); err != nil {
			return d, fmt.Errorf("counting the inputs of process %d: %w", processID, err)
		}
	}
	for _, c := range d.ByKind {
		d.Inputs += c.N
	}
	var progress []Count
	if err := published(db.NewSelect().TableExpr("inputs AS i")).
		ColumnExpr("COALESCE((SELECT d.progress FROM input_dispositions AS d WHERE d.input_id = i.id ORDER BY d.id DESC LIMIT 1), '') AS k, COUNT(*) AS n").
		Where("i.kind = ?", minutes.Commitment).GroupExpr("k").OrderExpr("k").Scan(ctx, &progress); err != nil {
		return d, fmt.Errorf("counting the commitments of process %d: %w", processID, err)
	}
	d.Commitments = progress
	var decided []time.Time
	if err := published(db.NewSelect().TableExpr("input_dispositions AS d").Join("JOIN inputs AS i ON i.id = d.input_id")).
		Column("d.decided_at").OrderExpr("d.decided_at").Scan(ctx, &decided); err != nil {
		return d, fmt.Errorf("the decisions of process %d: %w", processID, err)
	}
	for _, at := range decided {
		month := at.UTC().Format("2006-01")
		if n := len(d.Decisions); n > 0 && d.Decisions[n-1].Key == month {
			d.Decisions[n-1].N++
		} else {
			d.Decisions = append(d.Decisions, Count{Key: month, N: 1})
		}
	}
	// Each input's objectives, axes and groups, for the matrix and the coverage.
	var tags []struct {
		Input    int64  `bun:"input_id"`
		Code     string `bun:"code"`
		Kind     string `bun:"kind"`
		Standing string `bun:"standing"`
	}
	if err := published(db.NewSelect().TableExpr("inputs AS i")).Join("JOIN input_topics AS it ON it.input_id = i.id").
		Join("JOIN topics AS t ON t.id = it.topic_id").ColumnExpr("i.id AS input_id, t.code, t.kind, i.standing").
		Scan(ctx, &tags); err != nil {
		return d, fmt.Errorf("the topics of process %d's inputs: %w", processID, err)
	}
	var groups []struct {
		Input int64  `bun:"input_id"`
		Group string `bun:"stakeholder_group"`
	}
	if err := published(db.NewSelect().TableExpr("inputs AS i")).Join("JOIN input_groups AS ig ON ig.input_id = i.id").
		ColumnExpr("i.id AS input_id, ig.stakeholder_group").Scan(ctx, &groups); err != nil {
		return d, fmt.Errorf("the groups of process %d's inputs: %w", processID, err)
	}
	objectives, axes, groupsOf := map[int64][]string{}, map[int64][]string{}, map[int64][]string{}
	taken := map[int64]bool{}
	for _, t := range tags {
		if t.Kind == "objective" {
			objectives[t.Input] = append(objectives[t.Input], t.Code)
		} else {
			axes[t.Input] = append(axes[t.Input], t.Code)
		}
		taken[t.Input] = t.Standing == minutes.Adopted || t.Standing == minutes.PartlyAdopted
	}
	for _, g := range groups {
		groupsOf[g.Input] = append(groupsOf[g.Input], g.Group)
	}
	if err := db.NewSelect().Table("topics").Column("code").Where("process_id = ? AND kind = 'objective'", processID).OrderExpr("position").
		Scan(ctx, &d.Objectives); err != nil {
		return d, err
	}
	if err := db.NewSelect().Table("topics").Column("code").Where("process_id = ? AND kind = 'axis'", processID).OrderExpr("position").
		Scan(ctx, &d.Axes); err != nil {
		return d, err
	}
	for input, objs := range objectives {
		for _, o := range objs {
			for _, a := range axes[input] {
				if d.Matrix[o] == nil {
					d.Matrix[o] = map[string]int{}
				}
				d.Matrix[o][a]++
			}
			for _, g := range groupsOf[input] {
				if d.Coverage[o] == nil {
					d.Coverage[o] = map[string]Cell{}
				}
				c := d.Coverage[o][g]
				c.Heard++
				if taken[input] {
					c.Taken++
				}
				d.Coverage[o][g] = c
				if !slices.Contains(d.Groups, g) {
					d.Groups = append(d.Groups, g)
				}
			}
		}
	}
	slices.Sort(d.Groups)
	rows, err := minutes.Overview(ctx, db, now, processID)
	if err != nil {
		return d, err
	}
	for _, r := range rows {
		if r.Version > 0 {
			d.MinutesPublished++
		}
		if r.Overdue {
			d.MinutesOverdue++
		}
	}
	return d, nil
}
