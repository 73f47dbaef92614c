package store_test

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
)

// TestServerKey: the first instance generates the key, every later one reads the same.
func TestServerKey(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		a, err := store.ServerKey(ctx, db.DB)
		if err != nil || len(a) != 32 {
			t.Fatalf("first key: %x %v", a, err)
		}
		b, err := store.ServerKey(ctx, db.DB)
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("second key %x differs from %x (%v)", b, a, err)
		}
	})
}

// TestHit: a window counts from a key's first request; requests at once are each counted
// once; the window's end starts a new count; the sweep removes ended windows.
func TestHit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
		start := clk.Now()
		limits := &store.Limits{DB: db.DB}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var counts []int
		for i := range 40 {
			wg.Go(func() {
				key := "k"
				if i%2 == 1 {
					key = "other"
				}
				hits, _, err := limits.Hit(context.Background(), key, clk.Now(), time.Minute)
				if err != nil {
					t.Error(err)
				}
				if key == "k" {
					mu.Lock()
					counts = append(counts, hits)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		// Hits at once, however batched, are each counted once: 1 to 20 with no repeat.
		slices.Sort(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Fatalf("counts of hits at once: %v", counts)
			}
		}
		clk.Advance(30 * time.Second)
		hits, resets, err := limits.Hit(context.Background(), "k", clk.Now(), time.Minute)
		if err != nil || hits != 21 || !resets.Equal(start.Add(time.Minute)) {
			t.Fatalf("21st hit: %d, resets %v, %v", hits, resets, err)
		}
		if hits, _, _ := limits.Hit(context.Background(), "third", clk.Now(), time.Minute); hits != 1 {
			t.Fatalf("another key counted with the first: %d", hits)
		}
		clk.Advance(31 * time.Second)
		hits, resets, err = limits.Hit(context.Background(), "k", clk.Now(), time.Minute)
		if err != nil || hits != 1 || !resets.Equal(clk.Now().Add(time.Minute)) {
			t.Fatalf("a new window: %d, resets %v, %v", hits, resets, err)
		}
		clk.Advance(2 * time.Minute)
		if err := store.SweepRateLimits(ctx, db.DB, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.NewSelect().Table("rate_limits").Count(ctx); n != 0 {
			t.Fatalf("%d counts left after the sweep", n)
		}
	})
}
