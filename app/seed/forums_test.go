package seed_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store/storetest"
)

// TestDemoForums: the demo's forums show every format: the IGF 2017 open forum in Geneva as it
// was, and forums dated from the day of seeding (a session open now, a virtual workshop with
// international experts, a hybrid session, a two-day forum in Mexico City in several rooms),
// every session tagged with objectives or axes. A database seeded by an earlier version gains
// them on the next run.
func TestDemoForums(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := newClock()
		if _, err := seed.Demo(ctx, db.DB, clk); err != nil {
			t.Fatal(err)
		}
		// As if seeded before the forums existed: the next run adds them again.
		if _, err := db.NewDelete().Table("forums").Where("1 = 1").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.NewDelete().Table("seed_steps").Where("name <> '2017-encs-process'").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		applied, err := seed.Demo(ctx, db.DB, clk)
		if err != nil || !slices.Equal(applied, []string{"2017-igf-open-forum", "upcoming-forums", "registration-open", "2017-igf-room", "questions", "2017-igf-minutes", "strategy-draft"}) {
			t.Fatalf("an earlier demo gains %v (%v)", applied, err)
		}
		p, err := processes.BySlug(ctx, db.DB, "encs-2017")
		if err != nil {
			t.Fatal(err)
		}
		// The IGF open forum's questions are its record, answered and closed; the question room
		// open all week has questions waiting, with votes.
		var byStatus []struct {
			Status string `bun:"status"`
			N      int    `bun:"n"`
			Votes  int    `bun:"votes"`
		}
		if err := db.NewSelect().Table("questions").Column("status").ColumnExpr("COUNT(*) AS n, SUM(votes) AS votes").
			GroupExpr("status").OrderExpr("status").Scan(ctx, &byStatus); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(byStatus) != "[{answered 4 37} {visible 4 21}]" {
			t.Fatalf("demo questions by status: %v", byStatus)
		}
		list, err := forums.List(ctx, db.DB, p.ID, true)
		if err != nil || len(list) != 4 {
			t.Fatalf("forums: %d %v", len(list), err)
		}
		formats := map[string]bool{}
		live := 0
		for _, f := range list {
			formats[f.Format] = true
			if f.Status != forums.StatusPublished {
				t.Errorf("%s is %s", f.Slug, f.Status)
			}
			sessions, err := forums.Programme(ctx, db.DB, f.ID)
			if err != nil || len(sessions) == 0 {
				t.Fatalf("%s has no sessions (%v)", f.Slug, err)
			}
			for _, s := range sessions {
				if len(s.TopicIDs) == 0 {
					t.Errorf("%s: %q has no objectives or axes", f.Slug, s.Title["es"])
				}
				if !s.StartsAt.After(clk.Now()) && s.EndsAt.After(clk.Now()) {
					live++
				}
			}
			switch f.Slug {
			case "igf-2017-open-forum":
				s := sessions[0]
				if f.TimeZone != "Europe/Zurich" || s.Title["en"] != "Mexico: Identifying best practices on cybersecurity through cooperation" ||
					!s.StartsAt.Equal(time.Date(2017, 12, 17, 16, 0, 0, 0, time.UTC)) || !s.EndsAt.Equal(time.Date(2017, 12, 17, 17, 0, 0, 0, time.UTC)) {
					t.Errorf("the IGF open forum: %+v %+v", f, s)
				}
				if s.Room != "Sala de conferencias" {
					t.Errorf("the IGF open forum was held in a room of the Palais des Nations, not %q", s.Room)
				}
			case "foro-cdmx":
				rooms, _ := forums.Rooms(ctx, db.DB, f.ID)
				if len(rooms) < 3 || f.StartsOn == f.EndsOn || len(sessions) < 5 {
					t.Errorf("the Mexico City forum: %d rooms, %s to %s, %d sessions", len(rooms), f.StartsOn, f.EndsOn, len(sessions))
				}
			default:
				if f.StartsOn < clk.Now().Add(-24*time.Hour).Format("2006-01-02") {
					t.Errorf("%s starts %s, before the day of seeding", f.Slug, f.StartsOn)
				}
			}
		}
		if !formats[forums.FormatInPerson] || !formats[forums.FormatVirtual] || !formats[forums.FormatHybrid] {
			t.Errorf("formats: %v", formats)
		}
		if live != 1 {
			t.Errorf("%d sessions are on now, want 1 to try live questions in", live)
		}
	})
}
