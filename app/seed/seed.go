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
	"github.com/convene/convene/app/store"
)

type stepRow struct {
	bun.BaseModel `bun:"table:seed_steps"`
	Name          string    `bun:"name,pk"`
	AppliedAt     time.Time `bun:"applied_at,notnull"`
}

// step is one named, atomic addition to the demo.
type step struct {
	name  string
	apply func(ctx context.Context, tx bun.Tx, now time.Time) error
}

func steps() []step {
	return []step{
		{"2017-encs-process", encsProcess},
	}
}

// Demo applies every step not yet recorded, each in its own transaction together with its
// record. Two instances racing apply each step once: the record's primary key decides.
func Demo(ctx context.Context, db *bun.DB, clk clock.Clock) ([]string, error) {
	var applied []string
	for _, st := range steps() {
		did := false
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			now := clk.Now()
			res, err := tx.NewInsert().Model(&stepRow{Name: st.name, AppliedAt: now}).On("CONFLICT (name) DO NOTHING").Exec(ctx)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
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

// HasDemo tells whether the demo's first step was applied.
func HasDemo(ctx context.Context, db bun.IDB) (bool, error) {
	ok, err := db.NewSelect().Model((*stepRow)(nil)).Where("name = ?", steps()[0].name).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("looking for demo data: %w", store.NotFound(err))
	}
	return ok, nil
}
