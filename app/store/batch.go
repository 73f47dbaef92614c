package store

import (
	"fmt"
	"sync"
)

// Batcher runs calls that arrive together as one batch, as a database's group commit does:
// the first call starts a batch at once; calls arriving while it runs gather for the next. Each
// call returns when its batch has run. Writes that every request makes (a rate-limit count, a
// token's last use, a registration that locks its forum's places) then cost one statement and
// one commit per batch instead of one per request: on the 2-core machine, commits one by one
// capped registrations at about 200 a second.
type Batcher[T, R any] struct {
	// Run runs one batch and returns one result per item, in order.
	Run func(items []T) []R
	// Max is the largest batch (default 500).
	Max int

	mu      sync.Mutex
	pending []*call[T, R]
	running bool
}

type call[T, R any] struct {
	item T
	done chan result[R]
}

type result[R any] struct {
	r   R
	err error
}

// Do adds item to the next batch and waits for its result. It waits even when the caller's
// request ends: a batch is run as a whole, and a server shutting down waits for its requests,
// so no batch outlives the database. A panic in Run is every call's error.
func (b *Batcher[T, R]) Do(item T) (R, error) {
	c := &call[T, R]{item: item, done: make(chan result[R], 1)}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go b.loop()
	}
	res := <-c.done
	return res.r, res.err
}

// loop runs batches until no call waits.
func (b *Batcher[T, R]) loop() {
	for {
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		limit := b.Max
		if limit <= 0 {
			limit = 500
		}
		n := min(len(b.pending), limit)
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		b.mu.Unlock()
		items := make([]T, len(batch))
		for i, c := range batch {
			items[i] = c.item
		}
		results, err := b.runSafely(items)
		for i, c := range batch {
			if err != nil {
				c.done <- result[R]{err: err}
				continue
			}
			c.done <- result[R]{r: results[i]}
		}
	}
}

func (b *Batcher[T, R]) runSafely(items []T) (out []R, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("a batch of %d: panic: %v", len(items), v)
		}
	}()
	out = b.Run(items)
	if len(out) != len(items) {
		return nil, fmt.Errorf("a batch of %d gave %d results", len(items), len(out))
	}
	return out, nil
}
