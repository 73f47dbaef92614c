package seed_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestDemoIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		if has, _ := seed.HasDemo(ctx, db.DB); has {
			t.Fatal("an empty database has the demo")
		}
		applied, err := seed.Demo(ctx, db.DB, clk)
		if err != nil || len(applied) != 1 {
			t.Fatalf("first run: %v %v", applied, err)
		}
		again, err := seed.Demo(ctx, db.DB, clk)
		if err != nil || len(again) != 0 {
			t.Fatalf("second run applied %v (%v)", again, err)
		}
		p, err := processes.BySlug(ctx, db.DB, "encs-2017")
		if err != nil {
			t.Fatal(err)
		}
		if p.Code != "ENCS2017" || p.TimeZone != "America/Mexico_City" || p.Title["es"] == "" || p.Title["en"] == "" || len(p.StakeholderGroups) != 11 {
			t.Fatalf("process %+v", p)
		}
		topics, err := processes.Topics(ctx, db.DB, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, tp := range topics {
			kinds[tp.Kind]++
			if tp.Title["es"] == "" || tp.Title["en"] == "" || tp.Description["es"] == "" || tp.Description["en"] == "" {
				t.Errorf("topic %s lacks a language", tp.Code)
			}
		}
		if kinds[processes.KindObjective] != 5 || kinds[processes.KindAxis] != 8 {
			t.Fatalf("kinds %v, want 5 objectives and 8 axes", kinds)
		}
		if topics[0].Title["en"] != "Society and rights" || topics[12].Title["en"] != "Measuring and monitoring" {
			t.Fatalf("order: first %q, last %q", topics[0].Title["en"], topics[12].Title["en"])
		}
	})
}

func TestDemoConcurrentRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := seed.Demo(ctx, db.DB, clk); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		n, err := db.NewSelect().Table("processes").Count(ctx)
		if err != nil || n != 1 {
			t.Fatalf("%d processes after concurrent seeding (%v)", n, err)
		}
	})
}
