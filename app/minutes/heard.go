package minutes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// Inputs heard outside minutes: the public consultation turns comments and submission points
// into inputs of the same process, numbered with the minutes' inputs and answered through the
// same dispositions, so a workshop's recommendation and a comment saying the same can be one
// input with one public answer.

// Heard is an input as organisers write it from what the consultation heard.
type Heard struct {
	Kind   string
	Body   string
	Topics []int64
	Groups []string
}

// Record numbers and stores an input of a process heard on one of its drafts, tagged, with no
// decision yet; the caller has checked who records it.
func Record(ctx context.Context, db bun.IDB, now time.Time, processID, draftID int64, in Heard) (Input, error) {
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return Input{}, err
	}
	x := Input{ProcessID: p.ID, DraftID: &draftID, Kind: in.Kind, Body: strings.TrimSpace(in.Body), Topics: dedupe(in.Topics), Groups: dedupe(in.Groups),
		Standing: Pending, CreatedAt: now, UpdatedAt: now}
	var es validate.Errors
	if !slices.Contains(Kinds(), x.Kind) {
		es.Add("kind", CodeKind, nil)
	}
	es.LongText("body", x.Body, MaxInput, true)
	var topics []int64
	if err := db.NewSelect().Table("topics").Column("id").Where("process_id = ?", p.ID).Scan(ctx, &topics); err != nil {
		return x, fmt.Errorf("reading the topics of process %d: %w", p.ID, err)
	}
	for _, t := range x.Topics {
		if !slices.Contains(topics, t) {
			es.Add("topics", CodeTopic, nil)
			break
		}
	}
	for _, g := range x.Groups {
		if !slices.Contains(p.StakeholderGroups, g) {
			es.Add("groups", CodeGroup, nil)
			break
		}
	}
	if err := es.Err(); err != nil {
		return x, err
	}
	if x.Number, err = nextNumber(ctx, db, p.ID); err != nil {
		return x, err
	}
	if _, err := db.NewInsert().Model(&x).Exec(ctx); err != nil {
		return x, fmt.Errorf("recording an input of process %d: %w", p.ID, err)
	}
	if err := tag(ctx, db, x); err != nil {
		return x, err
	}
	return x, store.ContentChanged(ctx, db)
}

// ByRef is an input of a process by its public id, not removed (problem.ErrNotFound else).
func ByRef(ctx context.Context, db bun.IDB, processID int64, ref string) (Input, error) {
	var x Input
	code, number, ok := ParseRef(ref)
	if !ok {
		return x, problem.ErrNotFound
	}
	err := db.NewSelect().Model(&x).Join("JOIN processes AS p ON p.id = i.process_id").
		Where("p.code = ? AND i.number = ? AND i.process_id = ? AND NOT i.removed", code, number, processID).Scan(ctx)
	return x, store.NotFound(err)
}

// Standing is what became of an input as a comment it came from shows it: its public id and its
// newest decision (Status pending while none).
type Standing struct {
	PublicID string
	Disposition
}

// Standings are what became of inputs by their ids.
func StandingsOf(ctx context.Context, db bun.IDB, inputIDs []int64) (map[int64]Standing, error) {
	out := map[int64]Standing{}
	if len(inputIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ID     int64  `bun:"id"`
		Code   string `bun:"code"`
		Number int64  `bun:"number"`
	}
	if err := db.NewSelect().TableExpr("inputs AS i").Join("JOIN processes AS p ON p.id = i.process_id").ColumnExpr("i.id, p.code, i.number").
		Where("i.id IN (?) AND NOT i.removed", bun.List(inputIDs)).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("the answers of inputs: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = Standing{PublicID: PublicID(r.Code, r.Number), Disposition: Disposition{Status: Pending}}
	}
	var ds []Disposition
	if err := db.NewSelect().Model(&ds).Where("d.input_id IN (?)", bun.List(inputIDs)).OrderExpr("d.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the decisions on inputs: %w", err)
	}
	if err := refer(ctx, db, ds); err != nil {
		return nil, err
	}
	for _, d := range ds {
		if a, ok := out[d.InputID]; ok {
			a.Disposition = d
			out[d.InputID] = a
		}
	}
	return out, nil
}

// HeardOn are the inputs heard on a draft (not removed), as the open data gives them, and every
// decision on them, oldest first.
func HeardOn(ctx context.Context, db bun.IDB, processID, draftID int64, code, baseURL string) ([]InputView, []OpenDisposition, error) {
	views, history := []InputView{}, []OpenDisposition{}
	var xs []Input
	if err := db.NewSelect().Model(&xs).Where("i.draft_id = ? AND i.process_id = ? AND NOT i.removed", draftID, processID).
		OrderExpr("i.number").Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("the inputs heard on draft %d: %w", draftID, err)
	}
	if len(xs) == 0 {
		return views, history, nil
	}
	codes := map[int64]string{}
	var topics []struct {
		ID   int64  `bun:"id"`
		Code string `bun:"code"`
	}
	if err := db.NewSelect().Table("topics").Column("id", "code").Where("process_id = ?", processID).Scan(ctx, &topics); err != nil {
		return nil, nil, fmt.Errorf("the topics of process %d: %w", processID, err)
	}
	for _, t := range topics {
		codes[t.ID] = t.Code
	}
	for i := range xs {
		var err error
		if xs[i].Topics, xs[i].Groups, xs[i].Questions, err = tagsOf(ctx, db, xs[i].ID); err != nil {
			return nil, nil, err
		}
		ds, err := History(ctx, db, xs[i].ID)
		if err != nil {
			return nil, nil, err
		}
		standing := Disposition{Status: Pending}
		if n := len(ds); n > 0 {
			standing = ds[n-1]
		}
		v := ViewOfContent(code, baseURL, 0, ContentOf(xs[i]), codes, standing)
		v.Draft = draftID
		views = append(views, v)
		for _, d := range ds {
			history = append(history, OpenDisposition{Input: v.ID, DispositionView: ViewOfDisposition(d)})
		}
	}
	return views, history, nil
}
