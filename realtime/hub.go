// Package realtime fans events out to the listeners of a room (a live session) on this
// instance, with the room's sequence numbers, a replay buffer for clients that reconnect, and
// bounded per-listener queues so one slow client never delays the others. A Broker carries
// events between instances. It knows nothing of Q&A rules and writes nothing to the database:
// the capability that changes the database assigns the sequence number and publishes after
// commit.
package realtime

import (
	"encoding/json"
	"errors"
	"sync"
)

// Event is one message for a room. Frame is the JSON object clients receive, encoded once by
// the publisher however many listeners there are.
type Event struct {
	Room  string          `json:"room"`
	Seq   uint64          `json:"seq"`
	Frame json.RawMessage `json:"frame"`
}

// Why a subscription ended.
var (
	// ErrSlow: the listener's queue was full; it should reconnect and replay.
	ErrSlow = errors.New("realtime: listener too slow, dropped")
	// ErrResync: events may have been lost (the broker reconnected); take a fresh snapshot.
	ErrResync = errors.New("realtime: events may be missing, resync")
	// ErrClosed: the hub is shutting down.
	ErrClosed = errors.New("realtime: hub closed")
)

// Hub holds the rooms of this instance.
type Hub struct {
	replay int // events kept per room for replay
	queue  int // events one listener may have waiting

	mu     sync.Mutex
	rooms  map[string]*room
	closed bool
}

type room struct {
	last   uint64
	recent []Event // ring of the last events, oldest first once full
	start  int     // index of the oldest event in recent
	subs   map[*Subscription]struct{}
}

// NewHub keeps replay events per room and lets each listener have queue events waiting.
func NewHub(replay, queue int) *Hub {
	return &Hub{replay: max(replay, 1), queue: max(queue, 1), rooms: map[string]*room{}}
}

// Subscription is one listener of one room.
type Subscription struct {
	room   string
	events chan Event
	done   chan struct{}
	err    error
	once   sync.Once
}

// Events delivers the room's events in order. Read Done too: it closes when the hub drops the
// subscription, after which Err says why.
func (s *Subscription) Events() <-chan Event { return s.events }

// Done closes when the subscription ends.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err says why the subscription ended (nil while it runs or after Unsubscribe).
func (s *Subscription) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

func (s *Subscription) end(err error) {
	s.once.Do(func() {
		s.err = err
		close(s.done)
	})
}

func (h *Hub) roomLocked(name string) *room {
	r := h.rooms[name]
	if r == nil {
		r = &room{subs: map[*Subscription]struct{}{}}
		h.rooms[name] = r
	}
	return r
}

// Subscribe adds a listener to room. The listener has state up to sequence since (from an
// earlier connection): missed holds the buffered events after it. complete is false when this
// hub cannot vouch for the gap (the buffer does not reach back that far, the hub has seen no
// event of the room since it started or resynced, or the client is ahead of it); the caller
// then sends a fresh snapshot from the database, which is the truth. Events delivered after
// this call arrive on the subscription, so subscribing before reading a snapshot loses nothing.
func (h *Hub) Subscribe(roomName string, since uint64) (sub *Subscription, missed []Event, complete bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, false, ErrClosed
	}
	r := h.roomLocked(roomName)
	ordered := r.ordered()
	complete = r.last > 0 && since <= r.last && (since == r.last || (len(ordered) > 0 && ordered[0].Seq <= since+1))
	for _, e := range ordered {
		if e.Seq > since {
			missed = append(missed, e)
		}
	}
	if !complete {
		missed = nil
	}
	sub = &Subscription{room: roomName, events: make(chan Event, h.queue), done: make(chan struct{})}
	r.subs[sub] = struct{}{}
	return sub, missed, complete, nil
}

// Last returns the newest sequence number this instance has seen in room.
func (h *Hub) Last(roomName string) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.rooms[roomName]; r != nil {
		return r.last
	}
	return 0
}

// Unsubscribe removes a listener.
func (h *Hub) Unsubscribe(sub *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.rooms[sub.room]; r != nil {
		delete(r.subs, sub)
	}
	sub.end(nil)
}

// Deliver hands an event to the room's listeners. Events at or below the room's last sequence
// are duplicates and dropped. A listener whose queue is full is dropped with ErrSlow instead of
// holding up the others; it recovers by reconnecting with its last sequence.
func (h *Hub) Deliver(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	r := h.roomLocked(e.Room)
	if e.Seq <= r.last {
		return
	}
	r.last = e.Seq
	if len(r.recent) < h.replay {
		r.recent = append(r.recent, e)
	} else {
		r.recent[r.start] = e
		r.start = (r.start + 1) % len(r.recent)
	}
	for sub := range r.subs {
		select {
		case sub.events <- e:
		default:
			delete(r.subs, sub)
			sub.end(ErrSlow)
		}
	}
}

// Resync drops every listener with ErrResync and forgets the replay buffers: after a broker
// reconnect, events may have been lost, so every client must take a fresh snapshot.
func (h *Hub) Resync() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name, r := range h.rooms {
		for sub := range r.subs {
			sub.end(ErrResync)
		}
		delete(h.rooms, name)
	}
}

// Close ends every subscription with ErrClosed.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, r := range h.rooms {
		for sub := range r.subs {
			sub.end(ErrClosed)
		}
	}
	h.rooms = map[string]*room{}
}

// ordered returns the buffered events oldest first.
func (r *room) ordered() []Event {
	out := make([]Event, 0, len(r.recent))
	out = append(out, r.recent[r.start:]...)
	return append(out, r.recent[:r.start]...)
}
