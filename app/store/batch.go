package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Batcher runs calls that arrive together as one batch, as a database's group commit does:
// the first call starts a batch at once; calls arriving while it runs gather for the next. Each
// call returns when its batch has run. Reads and writes that every request makes (its API
// token, a rate-limit count, a registration that locks its forum's places) then cost one
// statement (and one commit) per batch instead of one per request: on the 2-core machine,
// commits one by one capped registrations at about 200 a second.
//
// A batch runs on the goroutine of one of its callers, the leader, which hands the next batch
// to the first caller waiting for it: no goroutine is started per batch, and none has to grow
// its stack again for the database driver's deep calls (starting one per batch cost a
// registration run about 3% of its CPU).
type Batcher[T, R any] struct {
	// Run runs one batch and returns one result per item, in order. Its context carries the
	// leader's values (request id, logger) but not its cancellation: the batch is the other
	// callers' too. It ends after Timeout.
	Run func(ctx context.Context, items []T) []R
	// Max is the largest batch (default 500).
	Max int
	// Timeout bounds a batch (default 30 s).
	Timeout time.Duration

	mu      sync.Mutex
	pending []*call[T, R]
	running bool
}

type call[T, R any] struct {
	ctx  context.Context
	item T
	done chan result[R]
}

// result is a call's outcome, or the word that the call leads the next batch.
type result[R any] struct {
	r    R
	err  error
	lead bool
}

// Do adds item to the next batch and waits for its result. It waits even when ctx ends: a
// batch is run as a whole, and a server shutting down waits for its requests, so no batch
// outlives the database. A panic in Run is every call's error.
func (b *Batcher[T, R]) Do(ctx context.Context, item T) (R, error) {
	c := &call[T, R]{ctx: ctx, item: item, done: make(chan result[R], 1)}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	lead := !b.running
	b.running = true
	b.mu.Unlock()
	if lead {
		b.lead()
	}
	res := <-c.done
	if res.lead {
		b.lead()
		res = <-c.done
	}
	return res.r, res.err
}

// lead runs the batch at the head of the line, whose first call is the leader's own, answers
// its calls, and hands the lead to the first call still waiting, if any.
func (b *Batcher[T, R]) lead() {
	b.mu.Lock()
	n := min(len(b.pending), b.max())
	batch := make([]*call[T, R], n)
	copy(batch, b.pending)
	// The calls taken are dropped from the line's array too, so that finished calls and their
	// results do not stay reachable through it.
	b.pending = b.pending[:copy(b.pending, b.pending[n:])]
	clear(b.pending[len(b.pending):cap(b.pending)])
	b.mu.Unlock()
	items := make([]T, len(batch))
	for i, c := range batch {
		items[i] = c.item
	}
	timeout := b.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), timeout)
	defer cancel()
	results, err := b.runSafely(ctx, items)
	for i, c := range batch {
		if err != nil {
			c.done <- result[R]{err: err}
			continue
		}
		c.done <- result[R]{r: results[i]}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		b.running = false
		return
	}
	b.pending[0].done <- result[R]{lead: true}
}

func (b *Batcher[T, R]) max() int {
	if b.Max <= 0 {
		return 500
	}
	return b.Max
}

func (b *Batcher[T, R]) runSafely(ctx context.Context, items []T) (out []R, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("a batch of %d: panic: %v", len(items), v)
		}
	}()
	out = b.Run(ctx, items)
	if len(out) != len(items) {
		return nil, fmt.Errorf("a batch of %d gave %d results", len(items), len(out))
	}
	return out, nil
}
