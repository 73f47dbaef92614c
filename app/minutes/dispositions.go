package minutes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// What became of an input.
const (
	Pending        = "pending"
	Adopted        = "adopted"
	PartlyAdopted  = "partly_adopted"
	NotAdopted     = "not_adopted"
	MergedInto     = "merged"
	ProgressNone   = ""
	NotStarted     = "not_started"
	InProgress     = "in_progress"
	Done           = "done"
	Abandoned      = "abandoned"
	maxSectionSize = 200
)

// Dispositions are what may become of an input, in the order forms offer them.
func Dispositions() []string {
	return []string{Pending, Adopted, PartlyAdopted, NotAdopted, MergedInto}
}

// Progresses are how a commitment stands.
func Progresses() []string { return []string{NotStarted, InProgress, Done, Abandoned} }

// Field error codes of a disposition.
const (
	CodeDisposition = "error.disposition"
	CodeMergeInto   = "error.disposition_merge"
	CodeProgress    = "error.disposition_progress"
)

// Disposition is one decision on an input; the newest is its standing.
type Disposition struct {
	bun.BaseModel `bun:"table:input_dispositions,alias:d"`

	ID         int64     `bun:"id,pk,autoincrement"`
	InputID    int64     `bun:"input_id,notnull"`
	Status     string    `bun:"status,notnull"`
	Rationale  string    `bun:"rationale,notnull"` // public
	Section    string    `bun:"section,notnull"`   // the strategy's section that answers it
	MergedInto *int64    `bun:"merged_into"`
	Progress   string    `bun:"progress,notnull"` // a commitment's
	DecidedBy  *int64    `bun:"decided_by"`
	DecidedAt  time.Time `bun:"decided_at,notnull"`
	// MergedRef is the public id of the input it was merged into.
	MergedRef string `bun:"-"`
}

// DispositionInput is a decision as an organiser sends it.
type DispositionInput struct {
	Status     string
	Rationale  string
	Section    string
	MergedInto int64 // the input's id, for MergedInto
	Progress   string
}

// Dispose records what became of an input of published minutes: a status with its public
// rationale (required but for pending) and the strategy's section, the input it was merged
// into, a commitment's progress. Each decision is kept; the organisers of the input's process
// decide.
func Dispose(ctx context.Context, db bun.IDB, now time.Time, who Who, inputID int64, in DispositionInput) (Disposition, error) {
	var x Input
	if err := store.ForUpdate(db.NewSelect().Model(&x).Where("i.id = ? AND NOT i.removed", inputID), db).Scan(ctx); err != nil {
		return Disposition{}, fmt.Errorf("input %d: %w", inputID, store.NotFound(err))
	}
	if err := mayOrganise(ctx, db, who, x.ProcessID); err != nil {
		return Disposition{}, err
	}
	var m Minutes
	if x.MinutesID != nil {
		if err := db.NewSelect().Model(&m).Where("m.id = ?", *x.MinutesID).Scan(ctx); err != nil {
			return Disposition{}, fmt.Errorf("the minutes of input %d: %w", inputID, err)
		}
		if m.Status != Published {
			return Disposition{}, ErrNotPublished
		}
	}
	var es validate.Errors
	d := Disposition{InputID: x.ID, Status: in.Status, Rationale: strings.TrimSpace(in.Rationale), Section: strings.TrimSpace(in.Section),
		Progress: in.Progress, DecidedAt: now}
	if !slices.Contains(Dispositions(), d.Status) {
		es.Add("status", CodeDisposition, nil)
	}
	es.LongText("rationale", d.Rationale, MaxInput, d.Status != Pending)
	es.Line("section", d.Section, maxSectionSize)
	if d.Status == MergedInto {
		into, err := db.NewSelect().Model((*Input)(nil)).Where("id = ? AND process_id = ? AND NOT removed", in.MergedInto, x.ProcessID).Exists(ctx)
		if err != nil {
			return d, fmt.Errorf("checking input %d: %w", in.MergedInto, err)
		}
		if !into || in.MergedInto == x.ID {
			es.Add("merged_into", CodeMergeInto, nil)
		}
		d.MergedInto = &in.MergedInto
	}
	if d.Progress != ProgressNone && (x.Kind != Commitment || !slices.Contains(Progresses(), d.Progress)) {
		es.Add("progress", CodeProgress, nil)
	}
	if err := es.Err(); err != nil {
		return d, err
	}
	if who.AccountID != 0 {
		d.DecidedBy = &who.AccountID
	}
	if _, err := db.NewInsert().Model(&d).Exec(ctx); err != nil {
		return d, fmt.Errorf("recording what became of input %d: %w", x.ID, err)
	}
	if _, err := db.NewUpdate().Model((*Input)(nil)).Set("standing = ?", d.Status).Where("id = ?", x.ID).Exec(ctx); err != nil {
		return d, fmt.Errorf("recording the standing of input %d: %w", x.ID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return d, err
	}
	m.ProcessID = x.ProcessID
	return d, record(ctx, db, now, who, "minutes.dispose", m, map[string]any{"input": x.Number, "status": d.Status})
}

// History is every decision on an input, oldest first; the last is its standing (none:
// pending).
func History(ctx context.Context, db bun.IDB, inputID int64) ([]Disposition, error) {
	var ds []Disposition
	if err := db.NewSelect().Model(&ds).Where("d.input_id = ?", inputID).OrderExpr("d.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("what became of input %d: %w", inputID, err)
	}
	return ds, refer(ctx, db, ds)
}

// refer fills the public ids of the inputs decisions merged theirs into.
func refer(ctx context.Context, db bun.IDB, ds []Disposition) error {
	for i := range ds {
		if ds[i].MergedInto == nil {
			continue
		}
		var ref struct {
			Code   string `bun:"code"`
			Number int64  `bun:"number"`
		}
		if err := db.NewSelect().TableExpr("inputs AS i").Join("JOIN processes AS p ON p.id = i.process_id").ColumnExpr("p.code, i.number").
			Where("i.id = ?", *ds[i].MergedInto).Scan(ctx, &ref); err != nil {
			return fmt.Errorf("input %d: %w", *ds[i].MergedInto, err)
		}
		ds[i].MergedRef = PublicID(ref.Code, ref.Number)
	}
	return nil
}

// Standings are what became of each input of minutes, by input number: the newest decision
// (inputs with none are pending).
func Standings(ctx context.Context, db bun.IDB, minutesID int64) (map[int64]Disposition, error) {
	var rows []struct {
		Disposition
		Number int64 `bun:"number"`
	}
	if err := db.NewSelect().Model(&rows).ModelTableExpr("input_dispositions AS d").Join("JOIN inputs AS i ON i.id = d.input_id").
		ColumnExpr("d.*, i.number").Where("i.minutes_id = ?", minutesID).OrderExpr("d.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("what became of the inputs of minutes %d: %w", minutesID, err)
	}
	out := make(map[int64]Disposition, len(rows))
	for _, r := range rows {
		out[r.Number] = r.Disposition
	}
	return out, nil
}
