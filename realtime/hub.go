package realtime

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// Counter makes a room's counts frame (unnumbered, e.g. {"type":"votes",...}) for the keys
// whose counts changed (none: all of them), read from the database.
type Counter func(ctx context.Context, room string, keys []string) ([]byte, error)

// Config sets a hub's sizes and times; zero values take the defaults.
type Config struct {
	Ring       int           // events kept in memory per room for replay (1024)
	Archive    int           // events read back from live_events per room, at most (20000)
	Queue      int           // frames one listener may leave waiting (512)
	CountEvery time.Duration // a room's counts frames at most this often (200 ms: five a second)
	// CountWrites bounds the counts frames a room's listeners are written a second on this
	// instance (5,000): past CountWrites×CountEvery listeners (1,000), counts come less often
	// (at 2,500, twice a second), down to once a second (from 5,000), so votes do not crowd
	// out questions. Counts read meanwhile ride on the next event instead, in the same write,
	// if it comes within a fifth more of that.
	CountWrites int
	Idle        time.Duration // a room without listeners is freed after this (2 min)
	Keep        time.Duration // events older than this are pruned from live_events (30 min)
	Now         func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Ring <= 0 {
		c.Ring = 1024
	}
	if c.Archive <= 0 {
		c.Archive = 20000
	}
	if c.Queue <= 0 {
		c.Queue = 512
	}
	if c.CountEvery <= 0 {
		c.CountEvery = 200 * time.Millisecond
	}
	if c.CountWrites <= 0 {
		c.CountWrites = 5000
	}
	if c.Idle <= 0 {
		c.Idle = 2 * time.Minute
	}
	if c.Keep <= 0 {
		c.Keep = 30 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Hub holds this instance's rooms. Publish and Touch are what capabilities call after their
// transaction commits; Subscribe is what a connection calls.
type Hub struct {
	db     bun.IDB
	broker Broker
	count  Counter
	cfg    Config
	log    *slog.Logger

	mu     sync.Mutex
	rooms  map[string]*room
	closed bool
	ctx    context.Context // the hub's own work (reads, counts) runs under it
	stop   context.CancelFunc
	// countsRead, when set (by tests, before any touch), is told each time a room has read
	// its counts and holds them.
	countsRead func()
}

// NewHub makes a hub reading db, telling other instances through broker (Local for one
// instance), and making counts frames with count (nil: counts are not sent).
func NewHub(db bun.IDB, broker Broker, count Counter, cfg Config, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Hub{db: db, broker: broker, count: count, cfg: cfg.withDefaults(), log: log, rooms: map[string]*room{}, ctx: ctx, stop: stop}
}

// room returns the named room, making it when create is set (nil otherwise when absent).
func (h *Hub) room(name string, create bool) *room {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	r := h.rooms[name]
	if r == nil && create {
		r = &room{name: name, hub: h, listeners: map[*Listener]struct{}{}, ahead: map[uint64]Event{},
			touched: map[string]struct{}{}, active: h.cfg.Now()}
		h.rooms[name] = r
	}
	return r
}

// Publish delivers events committed by this instance to its listeners and tells the other
// instances their numbers. Call it after the transaction that appended them has committed.
// The others are told while this instance delivers, not after: their listeners would
// otherwise wait for this instance's, and for the notice's round trip besides.
func (h *Hub) Publish(ctx context.Context, events ...Event) error {
	notices := make([]Notice, 0, len(events))
	for _, e := range events {
		notices = append(notices, Notice{Room: e.Room, Seq: e.Seq})
	}
	told := make(chan error, 1)
	go func() { told <- h.broker.Send(ctx, notices) }()
	for _, e := range events {
		if r := h.room(e.Room, false); r != nil {
			r.deliver(e)
		}
	}
	return <-told
}

// Touch says that counts of room changed for keys (a vote, say). Listeners get one counts frame
// for all the touches of a moment, at most once per CountEvery, on every instance.
func (h *Hub) Touch(room string, keys ...string) {
	if r := h.room(room, true); r != nil {
		r.touch(keys, true)
	}
}

// Subscribe adds a listener to room. since is the last number the client holds (0: none). When
// complete, what it missed is already queued on the listener; otherwise the caller reads the
// room's state with its number and hands it to Listener.Start. Either way nothing delivered
// after this call is lost.
func (h *Hub) Subscribe(ctx context.Context, roomName string, since uint64, who Who) (*Listener, bool, error) {
	r := h.room(roomName, true)
	if r == nil {
		return nil, false, ErrClosed
	}
	if err := r.load(ctx); err != nil {
		return nil, false, err
	}
	return r.subscribe(ctx, since, who)
}

// Listeners counts the listeners of room on this instance.
func (h *Hub) Listeners(room string) int {
	r := h.room(room, false)
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.listeners)
}

// Notice is what the broker hands the hub from another instance.
func (h *Hub) Notice(n Notice) {
	if n.Seq == 0 {
		if r := h.room(n.Room, false); r != nil {
			r.touch(n.Keys, false)
		}
		return
	}
	if r := h.room(n.Room, false); r != nil {
		r.heard(n.Seq)
	}
}

// Reconnected catches every room up from live_events after the broker lost its connection:
// notices sent meanwhile are gone, the events are not. Listeners stay connected.
func (h *Hub) Reconnected() {
	h.mu.Lock()
	rooms := make([]*room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		cur, err := Current(h.ctx, h.db, r.name)
		if err != nil {
			h.log.Warn("realtime: catching up", "room", r.name, "err", err)
			continue
		}
		r.heard(cur)
		r.touch(nil, false) // counts may have changed unheard
	}
}

// Run listens to the other instances, frees idle rooms and prunes old events until ctx ends,
// then ends every listener.
func (h *Hub) Run(ctx context.Context) error {
	defer h.Close()
	done := make(chan error, 1)
	go func() { done <- h.broker.Listen(ctx, h) }()
	t := time.NewTicker(min(h.cfg.Idle/2, time.Minute))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-done
			return nil
		case err := <-done:
			if ctx.Err() == nil && err != nil {
				return err
			}
			<-ctx.Done()
			return nil
		case <-t.C:
			h.sweep(ctx)
		}
	}
}

// sweep frees rooms idle past Idle and prunes events older than Keep.
func (h *Hub) sweep(ctx context.Context) {
	now := h.cfg.Now()
	h.mu.Lock()
	for name, r := range h.rooms {
		if r.idle(now, h.cfg.Idle) {
			delete(h.rooms, name)
		}
	}
	h.mu.Unlock()
	if err := Prune(ctx, h.db, now.Add(-h.cfg.Keep)); err != nil && ctx.Err() == nil {
		h.log.Warn("realtime: pruning", "err", err)
	}
}

// Sweep runs one sweep now (tests move the clock).
func (h *Hub) Sweep(ctx context.Context) { h.sweep(ctx) }

// Rooms counts the rooms held in memory.
func (h *Hub) Rooms() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.rooms)
}

// Close ends every listener with ErrClosed.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	rooms := h.rooms
	h.rooms = map[string]*room{}
	h.mu.Unlock()
	h.stop()
	for _, r := range rooms {
		r.endAll(ErrClosed)
	}
}
