package processes

import (
	"context"
	"testing"
	"time"

	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// A unique violation that got past the checks (a concurrent writer) names the right field.
func TestTakenNamesTheColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		row := func(slug, code string) *Process {
			return &Process{Slug: slug, Code: code, Title: translated.Text{"es": "t"}, TimeZone: "UTC",
				Languages: []string{"es"}, StakeholderGroups: []string{"media"}, Status: StatusOpen, CreatedAt: now, UpdatedAt: now}
		}
		first := row("first", "FIRST")
		if _, err := db.NewInsert().Model(first).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		topic := func(code string) *Topic {
			return &Topic{ProcessID: first.ID, Kind: KindAxis, Code: code, Title: translated.Text{"es": code},
				Position: 1, CreatedAt: now, UpdatedAt: now}
		}
		if _, err := db.NewInsert().Model(topic("E1")).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			model  any
			fields []string
			want   string
		}{
			{"process slug", row("first", "OTHER"), []string{"slug", "code"}, "slug"},
			{"process code", row("other", "FIRST"), []string{"slug", "code"}, "code"},
			{"topic code", topic("E1"), []string{"code"}, "code"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.NewInsert().Model(tc.model).Exec(ctx)
				es, ok := validate.As(taken(err, tc.fields...))
				if !ok || len(es) != 1 || es[0].Field != tc.want || es[0].Code != validate.Taken {
					t.Fatalf("%v became %v, want %s taken", err, es, tc.want)
				}
			})
		}
	})
}
