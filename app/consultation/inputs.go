package consultation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// CodeRef: the input named to join is not one of the process's.
const CodeRef = "error.comment_input_ref"

// InputInput is what an organiser sends to turn a comment into an input: a new input, or the
// public id of one that already says the same (a workshop's recommendation, another comment's
// input); Campaign takes the comment's whole group of copies with it.
type InputInput struct {
	minutes.Heard
	Ref      string
	Campaign bool
}

// ToInput records what a comment said as an input of the draft's process (or joins it to an
// existing one), so that its answer is given once and shown on the comment; organisers do.
func ToInput(ctx context.Context, db bun.IDB, now time.Time, who Who, commentID int64, in InputInput) (minutes.Input, error) {
	c, err := CommentByID(ctx, db, commentID)
	if err != nil {
		return minutes.Input{}, err
	}
	if c.ParentID != nil {
		return minutes.Input{}, ErrNoReplyHere
	}
	d, _, err := organised(ctx, db, who, c.DraftID)
	if err != nil {
		return minutes.Input{}, err
	}
	var x minutes.Input
	if ref := strings.TrimSpace(in.Ref); ref != "" {
		if x, err = minutes.ByRef(ctx, db, d.ProcessID, ref); errors.Is(err, problem.ErrNotFound) {
			return x, validate.Errors{{Field: "ref", Code: CodeRef, Data: map[string]any{"Ref": ref}}}
		}
	} else {
		x, err = minutes.Record(ctx, db, now, d.ProcessID, d.ID, in.Heard)
	}
	if err != nil {
		return x, err
	}
	q := db.NewUpdate().Model((*Comment)(nil)).Set("input_id = ?", x.ID)
	if in.Campaign && c.CampaignID != nil {
		q = q.Where("campaign_id = ?", *c.CampaignID)
	} else {
		q = q.Where("id = ?", c.ID)
	}
	if _, err := q.Exec(ctx); err != nil {
		return x, fmt.Errorf("linking comment %d to input %d: %w", c.ID, x.ID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return x, err
	}
	return x, record(ctx, db, now, who, "draft.input", d, map[string]any{"comment": c.ID, "input": x.Number})
}

// OfInput are the visible comments an input records, oldest first.
func OfInput(ctx context.Context, db bun.IDB, inputID int64) ([]Comment, error) {
	var cs []Comment
	if err := db.NewSelect().Model(&cs).Where("c.input_id = ? AND c.status = ?", inputID, Visible).OrderExpr("c.id").Limit(500).Scan(ctx); err != nil {
		return nil, fmt.Errorf("the comments of input %d: %w", inputID, err)
	}
	return cs, nil
}
