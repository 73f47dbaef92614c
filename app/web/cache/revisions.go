package cache

import (
	"context"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// Revisions reads the revisions for many requests at once: a request waits for the next read
// that starts after it arrived (never one already under way, which could predate a change it
// must see), and every request waiting then shares that one read. Under load this is one
// query per round trip to the database instead of one per request.
type Revisions struct {
	db      bun.IDB
	mu      sync.Mutex
	next    *round
	reading bool
}

type round struct {
	done chan struct{}
	revs store.Revisions
	err  error
}

// NewRevisions reads the revisions of db.
func NewRevisions(db bun.IDB) *Revisions { return &Revisions{db: db} }

// Read returns the revisions as they are now, or later, never earlier.
func (r *Revisions) Read(ctx context.Context) (store.Revisions, error) {
	r.mu.Lock()
	if r.next == nil {
		r.next = &round{done: make(chan struct{})}
	}
	next := r.next
	if !r.reading {
		r.reading = true
		go r.loop()
	}
	r.mu.Unlock()
	select {
	case <-next.done:
		return next.revs, next.err
	case <-ctx.Done():
		return store.Revisions{}, ctx.Err()
	}
}

// loop runs rounds while requests wait for one.
func (r *Revisions) loop() {
	for {
		r.mu.Lock()
		next := r.next
		r.next = nil
		if next == nil {
			r.reading = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		next.revs, next.err = store.ReadRevisions(ctx, r.db)
		cancel()
		close(next.done)
	}
}
