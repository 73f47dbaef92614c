// Package monitoring is the process dashboard, the strategy's axis of measuring and monitoring:
// who took part (by stakeholder group, mode, country and gender, in aggregate only), what was
// heard (inputs by objective and axis), whose input was taken (objective × stakeholder group:
// heard, and the share adopted), what became of inputs and commitments, and which minutes are
// late. It reads what the other capabilities wrote and counts what the open data publishes.
package monitoring

import (
	"context"
	"fmt"
	"maps"
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
	People
	Heard
	MinutesPublished, MinutesOverdue int
}

// People is who takes part: confirmed places at the process's forums, in totals.
type People struct {
	Participants                      int
	ByGroup, ByMode, ByCountry, ByGen []Count
}

// Heard is what the published minutes hold; it changes only when content does.
type Heard struct {
	Inputs                   int
	ByTopic                  []Count // topic code → inputs
	ByKind                   []Count
	ByStanding               []Count
	Commitments              []Count // by progress ("" not recorded)
	Decisions                []Count // month (YYYY-MM) → decisions recorded
	Objectives, Axes, Groups []string
	Matrix                   map[string]map[string]int  // objective → axis → inputs
	Coverage                 map[string]map[string]Cell // objective → group → cell
}

// sorted lists counts by key.
func sorted(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, Count{Key: k, N: m[k]})
	}
	return out
}

// Of counts a process's figures; heard, when given, stands for CountHeard's.
func Of(ctx context.Context, db bun.IDB, now time.Time, processID int64, heard func() (Heard, error)) (Dashboard, error) {
	var d Dashboard
	var err error
	if d.People, err = CountPeople(ctx, db, processID); err != nil {
		return d, err
	}
	if heard == nil {
		heard = func() (Heard, error) { return CountHeard(ctx, db, processID) }
	}
	if d.Heard, err = heard(); err != nil {
		return d, err
	}
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

// CountPeople counts who takes part in a process.
func CountPeople(ctx context.Context, db bun.IDB, processID int64) (People, error) {
	var d People
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
	return d, nil
}

// CountHeard counts what a process heard, in its published minutes and on its published
// drafts: every input read, so its figures are worth keeping until the content changes.
func CountHeard(ctx context.Context, db bun.IDB, processID int64) (Heard, error) {
	d := Heard{Matrix: map[string]map[string]int{}, Coverage: map[string]map[string]Cell{}}
	// Published inputs, as the open data lists them: those of the process's published minutes
	// (a hundred or so ids) at forums the public sees, so that each count reads the inputs
	// through their minutes' index instead of joining every input to its session and forum.
	// Inputs heard on the process's published drafts count too, as the explorer and the open
	// data list them.
	minutesIDs := db.NewSelect().TableExpr("minutes AS m").Column("m.id").Join("JOIN sessions AS s ON s.id = m.session_id").
		Join("JOIN forums AS f ON f.id = s.forum_id").Where("m.process_id = ? AND m.version > 0 AND f.status <> 'draft'", processID)
	draftIDs := db.NewSelect().TableExpr("drafts AS dr").Column("dr.id").Where("dr.process_id = ? AND dr.version > 0", processID)
	published := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("(i.minutes_id IN (?) OR i.draft_id IN (?)) AND NOT i.removed", minutesIDs, draftIDs)
	}
	var byKindStanding []struct {
		Kind     string `bun:"kind"`
		Standing string `bun:"standing"`
		N        int    `bun:"n"`
	}
	if err := published(db.NewSelect().TableExpr("inputs AS i")).ColumnExpr("i.kind, i.standing, COUNT(*) AS n").
		GroupExpr("i.kind, i.standing").Scan(ctx, &byKindStanding); err != nil {
		return d, fmt.Errorf("counting the inputs of process %d: %w", processID, err)
	}
	kinds, standings := map[string]int{}, map[string]int{}
	for _, r := range byKindStanding {
		kinds[r.Kind] += r.N
		standings[r.Standing] += r.N
		d.Inputs += r.N
	}
	d.ByKind, d.ByStanding = sorted(kinds), sorted(standings)
	if err := published(db.NewSelect().TableExpr("inputs AS i")).Join("JOIN input_topics AS it ON it.input_id = i.id").
		Join("JOIN topics AS t ON t.id = it.topic_id").ColumnExpr("t.code AS k, COUNT(*) AS n").GroupExpr("t.code").OrderExpr("t.code").
		Scan(ctx, &d.ByTopic); err != nil {
		return d, fmt.Errorf("counting the inputs of process %d by topic: %w", processID, err)
	}
	// A commitment's progress is its newest decision's.
	var progress []Count
	if err := published(db.NewSelect().TableExpr("inputs AS i")).
		Join("JOIN input_dispositions AS d ON d.input_id = i.id AND d.id = (SELECT MAX(d2.id) FROM input_dispositions AS d2 WHERE d2.input_id = i.id)").
		ColumnExpr("d.progress AS k, COUNT(*) AS n").Where("i.kind = ?", minutes.Commitment).GroupExpr("d.progress").Scan(ctx, &progress); err != nil {
		return d, fmt.Errorf("counting the commitments of process %d: %w", processID, err)
	}
	recorded := map[string]int{"": kinds[minutes.Commitment]}
	for _, c := range progress {
		recorded[c.Key] += c.N
		recorded[""] -= c.N
	}
	if recorded[""] == 0 {
		delete(recorded, "")
	}
	d.Commitments = sorted(recorded)
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
	// Objective × axis, and objective × group with how much was taken, counted by the database.
	var matrix []struct {
		Objective string `bun:"objective"`
		Axis      string `bun:"axis"`
		N         int    `bun:"n"`
	}
	if err := published(db.NewSelect().TableExpr("inputs AS i")).
		Join("JOIN input_topics AS io ON io.input_id = i.id").Join("JOIN topics AS o ON o.id = io.topic_id AND o.kind = 'objective'").
		Join("JOIN input_topics AS ia ON ia.input_id = i.id").Join("JOIN topics AS a ON a.id = ia.topic_id AND a.kind = 'axis'").
		ColumnExpr("o.code AS objective, a.code AS axis, COUNT(*) AS n").GroupExpr("o.code, a.code").Scan(ctx, &matrix); err != nil {
		return d, fmt.Errorf("counting the inputs of process %d by objective and axis: %w", processID, err)
	}
	for _, r := range matrix {
		if d.Matrix[r.Objective] == nil {
			d.Matrix[r.Objective] = map[string]int{}
		}
		d.Matrix[r.Objective][r.Axis] = r.N
	}
	var coverage []struct {
		Objective string `bun:"objective"`
		Group     string `bun:"stakeholder_group"`
		Heard     int    `bun:"heard"`
		Taken     int    `bun:"taken"`
	}
	if err := published(db.NewSelect().TableExpr("inputs AS i")).
		Join("JOIN input_topics AS io ON io.input_id = i.id").Join("JOIN topics AS o ON o.id = io.topic_id AND o.kind = 'objective'").
		Join("JOIN input_groups AS ig ON ig.input_id = i.id").
		ColumnExpr("o.code AS objective, ig.stakeholder_group, COUNT(*) AS heard").
		ColumnExpr("SUM(CASE WHEN i.standing IN (?, ?) THEN 1 ELSE 0 END) AS taken", minutes.Adopted, minutes.PartlyAdopted).
		GroupExpr("o.code, ig.stakeholder_group").Scan(ctx, &coverage); err != nil {
		return d, fmt.Errorf("counting whose inputs process %d took: %w", processID, err)
	}
	for _, r := range coverage {
		if d.Coverage[r.Objective] == nil {
			d.Coverage[r.Objective] = map[string]Cell{}
		}
		d.Coverage[r.Objective][r.Group] = Cell{Heard: r.Heard, Taken: r.Taken}
		if !slices.Contains(d.Groups, r.Group) {
			d.Groups = append(d.Groups, r.Group)
		}
	}
	if err := db.NewSelect().Table("topics").Column("code").Where("process_id = ? AND kind = 'objective'", processID).OrderExpr("position").
		Scan(ctx, &d.Objectives); err != nil {
		return d, err
	}
	if err := db.NewSelect().Table("topics").Column("code").Where("process_id = ? AND kind = 'axis'", processID).OrderExpr("position").
		Scan(ctx, &d.Axes); err != nil {
		return d, err
	}
	slices.Sort(d.Groups)
	return d, nil
}
