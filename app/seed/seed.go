// Package seed loads the demo data. Demo data is a list of named steps, each applied once and
// recorded in seed_steps, so a database seeded by an earlier version gains what later versions
// add, and running it again changes nothing.
package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
)

// Step names, as recorded in seed_steps: never rename one, or databases seeded under the old
// name would get the step a second time.
const (
	stepENCS         = "2017-encs-process"
	stepIGF          = "2017-igf-open-forum"
	stepUpcoming     = "upcoming-forums"
	stepRegistration = "registration-open"
	stepIGFRoom      = "2017-igf-room"
	stepQuestions    = "questions"
	stepMinutes      = "2017-igf-minutes"
	stepDraft        = "strategy-draft"
)

type stepRow struct {
	bun.BaseModel `bun:"table:seed_steps"`
	Name          string    `bun:"name,pk"`
	AppliedAt     time.Time `bun:"applied_at,notnull"`
}

// step is one named, atomic addition to the demo. apply runs inside the step's transaction.
type step struct {
	name  string
	apply func(ctx context.Context, tx bun.IDB, now time.Time) error
}

// steps lists the demo in the order it is applied; new steps go at the end.
func steps() []step {
	return []step{
		{stepENCS, encsProcess},
		{stepIGF, igfOpenForum},
		{stepUpcoming, upcomingForums},
		{stepRegistration, openRegistration},
		{stepIGFRoom, igfRoomToo},
		{stepQuestions, demoQuestions},
		{stepMinutes, demoMinutes},
		{stepDraft, demoDraft},
	}
}

// Demo applies every step not yet recorded, each in its own transaction together with its
// record, and returns the names of those it applied. Two instances racing apply each step
// once: the record is inserted first, so the seed_steps primary key makes the second wait for
// the first and then find the step done.
func Demo(ctx context.Context, db *bun.DB, clk clock.Clock) ([]string, error) {
	var applied []string
	for _, st := range steps() {
		did := false
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			now := clk.Now()
			res, err := tx.NewInsert().Model(&stepRow{Name: st.name, AppliedAt: now}).
				On("CONFLICT (name) DO NOTHING").Exec(ctx)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil || n == 0 {
				return err
			}
			did = true
			return st.apply(ctx, tx, now)
		})
		if err != nil {
			return applied, fmt.Errorf("demo step %s: %w", st.name, err)
		}
		if did {
			applied = append(applied, st.name)
		}
	}
	return applied, nil
}

// HasDemo tells whether the demo's first step (its process) was applied.
func HasDemo(ctx context.Context, db bun.IDB) (bool, error) {
	ok, err := db.NewSelect().Model((*stepRow)(nil)).Where("name = ?", steps()[0].name).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for demo data: %w", err)
	}
	return ok, nil
}
