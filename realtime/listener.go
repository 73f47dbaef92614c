package realtime

import (
	"context"
	"errors"
	"sync"
)

// Why a listener ended.
var (
	// ErrSlow: the listener let too many frames wait; it reconnects and is served what it
	// missed.
	ErrSlow = errors.New("realtime: listener too slow, dropped")
	// ErrResync: its room lost events it cannot read back; it reconnects for a fresh snapshot.
	ErrResync = errors.New("realtime: events lost, resync")
	// ErrClosed: the hub is shutting down.
	ErrClosed = errors.New("realtime: hub closed")
)

// queued is a frame waiting to be written, with its number (0: unnumbered counts).
type queued struct {
	seq   uint64
	frame []byte
}

// Listener is one connection listening to one room. Its frames wait in a bounded queue that
// one writer drains (Next), all at once: a slow client never holds up the room, and one that
// lets the queue fill is dropped (ErrSlow) and recovers by reconnecting with its last number.
type Listener struct {
	room *room
	who  Who
	max  int

	mu    sync.Mutex
	queue []queued
	floor uint64 // numbered frames at or below it are not sent: the listener has them
	// joinedAt is the room's count of counts reads when a listener sent a fresh state joined:
	// a read started before then may be older than that state, and is not sent to it.
	joinedAt uint64
	wake     chan struct{}
	done     chan struct{}
	err      error
	ended    bool
	notify   func() // Notify's
}

func newListener(r *room, who Who, max int) *Listener {
	return &Listener{room: r, who: who, max: max, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// push queues a frame numbered seq (0: unnumbered) and, right behind it, counts (nil: none),
// so that the writer takes both in one write; or it drops the listener when its queue is full.
// The room's lock is held.
func (l *Listener) push(seq uint64, frame, counts []byte) bool {
	l.mu.Lock()
	if seq != 0 && seq <= l.floor {
		frame = nil // it has it
	}
	n := 0
	if frame != nil {
		n++
	}
	if counts != nil {
		n++
	}
	if l.ended || n == 0 {
		l.mu.Unlock()
		return true
	}
	if len(l.queue)+n > l.max {
		l.mu.Unlock()
		l.end(ErrSlow)
		return false
	}
	wasEmpty := len(l.queue) == 0
	if frame != nil {
		l.queue = append(l.queue, queued{seq, frame})
	}
	if counts != nil {
		l.queue = append(l.queue, queued{0, counts})
	}
	notify := l.notify
	l.mu.Unlock()
	l.signal(notify, wasEmpty)
	return true
}

// newer is counts, the frame of the room's read number read, unless that read started before
// the listener joined (then nil). The room's lock is held.
func (l *Listener) newer(counts []byte, read uint64) []byte {
	if read <= l.joinedAt {
		return nil
	}
	return counts
}

// signal wakes the listener's writer: through Ready, and through its Notify function when the
// queue was empty (a writer woken before has not taken it yet).
func (l *Listener) signal(notify func(), wasEmpty bool) {
	select {
	case l.wake <- struct{}{}:
	default:
	}
	if notify != nil && wasEmpty {
		notify()
	}
}

// Notify has fn called whenever frames wait where none did, and when the listener ends: a
// writer that runs only while there is something to write starts then (one called now, if
// frames wait already). fn runs under the room's lock: it must only start or wake a writer.
func (l *Listener) Notify(fn func()) {
	l.mu.Lock()
	l.notify = fn
	waiting := len(l.queue) > 0 || l.ended
	l.mu.Unlock()
	if waiting {
		fn()
	}
}

// Start puts a snapshot of the room, as of number seq, before everything queued, and drops the
// queued frames it already holds: a listener that could not be served what it missed (Subscribe
// said so) is sent the state instead.
func (l *Listener) Start(seq uint64, snapshot []byte) {
	l.mu.Lock()
	kept := make([]queued, 0, len(l.queue)+1)
	kept = append(kept, queued{0, snapshot})
	for _, q := range l.queue {
		if q.seq == 0 || q.seq > seq {
			kept = append(kept, q)
		}
	}
	l.queue, l.floor = kept, max(l.floor, seq)
	notify := l.notify
	l.mu.Unlock()
	l.signal(notify, true)
}

// Next waits for frames and returns every one queued, oldest first. It returns the reason the
// listener ended once its queue is empty, or ctx's error.
func (l *Listener) Next(ctx context.Context) ([][]byte, error) {
	for {
		l.mu.Lock()
		if len(l.queue) > 0 {
			out := make([][]byte, len(l.queue))
			for i, q := range l.queue {
				out[i] = q.frame
			}
			l.queue = l.queue[:0]
			l.mu.Unlock()
			return out, nil
		}
		ended, err := l.ended, l.err
		l.mu.Unlock()
		if ended {
			return nil, err
		}
		select {
		case <-l.wake:
		case <-l.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Ready signals that frames may be waiting (Take them); a writer selects on it beside its own
// timers, with no context to make per wait.
func (l *Listener) Ready() <-chan struct{} { return l.wake }

// Take returns every frame queued, oldest first (none: nil), or, once the listener has ended
// and its queue is empty, why it ended.
func (l *Listener) Take() ([][]byte, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) > 0 {
		out := make([][]byte, len(l.queue))
		for i, q := range l.queue {
			out[i] = q.frame
		}
		l.queue = l.queue[:0]
		return out, false, nil
	}
	return nil, l.ended, l.err
}

// Done closes when the listener ends; Err then says why.
func (l *Listener) Done() <-chan struct{} { return l.done }

// Err is why the listener ended: ErrSlow, ErrResync, ErrClosed, or nil after Close.
func (l *Listener) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Close stops listening.
func (l *Listener) Close() {
	l.room.leave(l)
	l.end(nil)
}

// end marks the listener ended; what is queued is still handed out, for a clean close.
func (l *Listener) end(err error) {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return
	}
	l.ended, l.err = true, err
	if err != nil {
		l.queue = l.queue[:0] // it reconnects and is served from its last number
	}
	close(l.done)
	notify := l.notify
	l.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// Send queues a frame for this listener alone (an answer to what its client sent: an error,
// an acknowledgement), behind what is queued already, through the same one writer.
func (l *Listener) Send(frame []byte) bool {
	return l.push(0, frame, nil)
}
