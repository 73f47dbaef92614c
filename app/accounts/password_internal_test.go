package accounts

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHasherBoundsConcurrency: with two slots taken, a third hash waits (and gives up with
// its context) instead of running.
func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(2, ProductionCost())
	ctx := context.Background()
	for range 2 {
		if err := h.acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(short, "a third password"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third hash: %v, want it to wait for a slot", err)
	}
	h.release()
	if _, err := h.Hash(ctx, "now there is room"); err != nil {
		t.Fatal(err)
	}
}
