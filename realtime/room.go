package realtime

import (
	"context"
	"slices"
	"sync"
	"time"
)

// room is one live room on this instance. Its lock is its own: rooms never wait on each other.
type room struct {
	name string
	hub  *Hub

	loadOnce sync.Once
	loadErr  error
	readMu   sync.Mutex // one read-back at a time: those waiting find what it read

	mu        sync.Mutex
	loading   bool             // a listener is loading it: events published meanwhile are kept
	ready     bool             // loaded: last and held are the database's
	last      uint64           // the newest number delivered here
	held      []Event          // the events up to last held for replay, oldest first, in a row
	ahead     map[uint64]Event // events that arrived before the ones between were delivered
	heardOf   uint64           // the newest number heard of
	filling   bool
	listeners map[*Listener]struct{}
	active    time.Time

	// Counts: what was touched since the last read, and a frame read but not yet sent, which
	// goes out when countEvery allows or, sooner, behind an event: one write for both.
	touched    map[string]struct{}
	all        bool // a touch named no keys: every count
	localTouch bool // a touch from this instance: the others are told at the read
	reading    bool // a read is under way or due
	lastRead   time.Time
	readFailed time.Duration // after failed reads, the wait before the next (0: none failed)
	reads      uint64        // reads started
	counts     []byte
	countsRead uint64              // the read that made counts
	countsKeys map[string]struct{} // what counts holds; nil with countsAll
	countsAll  bool
	sendTimed  bool // a timer will send them
	lastSent   time.Time
}

// load reads the room's number and recent events, once.
func (r *room) load(ctx context.Context) error {
	r.loadOnce.Do(func() {
		r.mu.Lock()
		r.loading = true
		r.mu.Unlock()
		last, err := Current(ctx, r.hub.db, r.name)
		if err != nil {
			r.loadErr = err
			return
		}
		from := uint64(0)
		if ring := uint64(r.hub.cfg.Ring); last > ring {
			from = last - ring
		}
		events, err := Since(ctx, r.hub.db, r.name, from, r.hub.cfg.Ring)
		if err != nil {
			r.loadErr = err
			return
		}
		r.mu.Lock()
		r.ready, r.last, r.heardOf = true, last, last
		for _, e := range events {
			if e.Seq <= last && (len(r.held) == 0 || e.Seq == r.held[len(r.held)-1].Seq+1) {
				r.held = append(r.held, e)
			}
		}
		// Events published while loading arrived ahead of it: those after it stand.
		r.deliverAhead()
		r.mu.Unlock()
	})
	if r.loadErr != nil {
		// A failed load is tried again by the next listener.
		r.hub.mu.Lock()
		if r.hub.rooms[r.name] == r {
			delete(r.hub.rooms, r.name)
		}
		r.hub.mu.Unlock()
	}
	return r.loadErr
}

// subscribe adds a listener that holds the events up to since.
func (r *room) subscribe(ctx context.Context, since uint64, who Who) (*Listener, bool, error) {
	r.mu.Lock()
	oldest := r.oldestHeld()
	needOlder := since > 0 && since < r.last && oldest > since+1
	ahead := since > r.last
	r.mu.Unlock()
	if needOlder {
		if err := r.readBack(ctx, since); err != nil {
			return nil, false, err
		}
	}
	if ahead {
		// The client saw a number this instance has not delivered yet (it was on another
		// instance): that number is committed, so it is read here; a number beyond the
		// database's is none of this room's.
		cur, err := Current(ctx, r.hub.db, r.name)
		if err != nil {
			return nil, false, err
		}
		if since > cur {
			since = 0
		} else {
			r.heard(cur)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	l := newListener(r, who, r.hub.cfg.Queue)
	r.listeners[l] = struct{}{}
	r.active = r.hub.cfg.Now()
	// A listener sent a fresh state takes no counts read before it joined: they may be older.
	fresh := func() (*Listener, bool, error) {
		l.joinedAt = r.reads
		return l, false, nil
	}
	switch {
	case since == 0:
		return fresh()
	case since >= r.last:
		l.floor = since // what is still to come here, it holds already
		return l, true, nil
	case r.oldestHeld() > since+1:
		return fresh() // pruned
	}
	missed := r.held[sortSearch(r.held, since+1):]
	if len(missed) > r.hub.cfg.Queue {
		return fresh() // more than it may queue
	}
	l.floor = since
	for _, e := range missed {
		l.push(e.Seq, e.frameFor(who), nil)
	}
	return l, true, nil
}

// oldestHeld is the number of the oldest event held in memory (last+1 when none).
func (r *room) oldestHeld() uint64 {
	if len(r.held) > 0 {
		return r.held[0].Seq
	}
	return r.last + 1
}

// sortSearch is the index of the first held event numbered seq or more.
func sortSearch(held []Event, seq uint64) int {
	i, _ := slices.BinarySearchFunc(held, seq, func(e Event, seq uint64) int {
		switch {
		case e.Seq < seq:
			return -1
		case e.Seq > seq:
			return 1
		}
		return 0
	})
	return i
}

// readBack reads the events after since that memory no longer holds, once for every listener
// that needs them at the same time: the first reads, those waiting on readMu find them held.
func (r *room) readBack(ctx context.Context, since uint64) error {
	r.readMu.Lock()
	defer r.readMu.Unlock()
	r.mu.Lock()
	oldest := r.oldestHeld()
	if oldest <= since+1 {
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	limit := int(oldest - since - 1)
	if limit > r.hub.cfg.Archive {
		return nil // too far back: a fresh state instead
	}
	events, err := Since(ctx, r.hub.db, r.name, since, limit)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	oldest = r.oldestHeld()
	var keep []Event
	for _, e := range events {
		if e.Seq < oldest {
			keep = append(keep, e)
		}
	}
	if len(keep) > 0 && keep[len(keep)-1].Seq+1 == oldest {
		r.held = append(keep, r.held...)
	}
	return nil
}

// deliver takes an event committed on this instance (or read from live_events): in order, it
// goes to the listeners; ahead of a gap, it waits while the gap is read.
func (r *room) deliver(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ready {
		// Loading: the load reads the database before or after this event committed, and keeps
		// it in the second case. Nobody loading: nobody listens here.
		if r.loading {
			r.ahead[e.Seq] = e
		}
		return
	}
	r.take(e)
}

// take is deliver with the lock held.
func (r *room) take(e Event) {
	if e.Seq <= r.last {
		return
	}
	if e.Seq > r.last+1 {
		r.ahead[e.Seq] = e
		r.want(e.Seq)
		return
	}
	r.accept(e)
	r.deliverAhead()
}

// deliverAhead delivers the waiting events that now follow in order, and forgets stale ones.
func (r *room) deliverAhead() {
	for {
		e, ok := r.ahead[r.last+1]
		if !ok {
			break
		}
		delete(r.ahead, e.Seq)
		r.accept(e)
	}
	for seq := range r.ahead {
		if seq <= r.last {
			delete(r.ahead, seq)
		}
	}
	if len(r.ahead) > 0 {
		r.want(slices.Max(mapsKeys(r.ahead)))
	}
}

func mapsKeys(m map[uint64]Event) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// accept delivers the next event to every listener.
func (r *room) accept(e Event) {
	r.last = e.Seq
	r.heardOf = max(r.heardOf, e.Seq)
	r.active = r.hub.cfg.Now()
	r.held = append(r.held, e)
	if len(r.held) >= 2*r.hub.cfg.Ring+r.hub.cfg.Archive {
		// Past the bound, the oldest leave memory (at once, not one per event); a listener
		// further back has them read back once for all.
		r.held = append(r.held[:0:0], r.held[len(r.held)-r.hub.cfg.Ring:]...)
	}
	// Counts read and waiting go behind the event when CountEvery allows: each listener's
	// writer takes both in one write, where there would be two.
	var counts []byte
	var countsRead uint64
	if r.counts != nil && r.hub.cfg.Now().Sub(r.lastSent) >= r.hub.cfg.CountEvery {
		countsRead = r.countsRead
		counts = r.takeCounts()
	}
	var public, full, gap []byte
	for l := range r.listeners {
		var f []byte
		switch {
		case l.who.Moderator:
			if full == nil {
				full = e.frameFor(l.who)
			}
			f = full
		case e.Owner != "" && slices.Contains(l.who.Keys, e.Owner):
			f = e.frameFor(l.who)
		case e.Public != nil:
			public = e.Public
			f = public
		default:
			if gap == nil {
				gap = gapFrame(e.Seq)
			}
			f = gap
		}
		if !l.push(e.Seq, f, l.newer(counts, countsRead)) {
			delete(r.listeners, l)
		}
	}
}

// heard notes a number another instance committed (or the database holds): what is missing
// up to it is read from live_events.
func (r *room) heard(seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ready && seq > r.last {
		r.want(seq)
	}
}

// want starts reading the events up to seq, unless a read is under way (it goes on to seq).
func (r *room) want(seq uint64) {
	r.heardOf = max(r.heardOf, seq)
	if r.filling {
		return
	}
	r.filling = true
	go r.fill()
}

// fill reads from live_events what lies between the last event delivered and the newest heard
// of, one query for every listener of the room.
func (r *room) fill() {
	ctx := r.hub.ctx
	wait := 50 * time.Millisecond
	for {
		r.mu.Lock()
		from, to := r.last, r.heardOf
		if from >= to {
			r.filling = false
			r.mu.Unlock()
			return
		}
		r.mu.Unlock()
		events, err := Since(ctx, r.hub.db, r.name, from, int(min(to-from, 1000)))
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.hub.log.Warn("realtime: reading missed events", "room", r.name, "err", err)
			time.Sleep(wait)
			wait = min(2*wait, 5*time.Second)
			continue
		}
		r.mu.Lock()
		switch {
		case r.last != from:
			// Delivered meanwhile: what was read is checked against where the room is now.
		case len(events) == 0:
			// Heard of, yet not in the database: pruned while this instance was away.
			r.resync(r.heardOf)
			r.filling = false
			r.mu.Unlock()
			return
		case events[0].Seq > r.last+1:
			r.resync(events[0].Seq - 1)
		}
		for _, e := range events {
			if e.Seq == r.last+1 {
				r.accept(e)
			}
		}
		r.deliverAhead()
		r.mu.Unlock()
	}
}

// resync moves the room past events it cannot read: its listeners cannot be served in order
// and take a fresh state.
func (r *room) resync(to uint64) {
	r.last, r.held = to, nil
	for l := range r.listeners {
		delete(r.listeners, l)
		l.end(ErrResync)
	}
}

// countEvery is how often the room's counts may go out: CountEvery, or less often in a room
// whose listeners here would take more than CountWrites frames a second, down to once a
// second. The room's lock is held.
func (r *room) countEvery() time.Duration {
	every := time.Duration(len(r.listeners)) * time.Second / time.Duration(r.hub.cfg.CountWrites)
	return min(max(every, r.hub.cfg.CountEvery), max(time.Second, r.hub.cfg.CountEvery))
}

// touch notes counts changed for keys (none: all). They are read within CountEvery, and go
// out within countEvery of the last counts sent: alone, or sooner behind an event.
func (r *room) touch(keys []string, local bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(keys) == 0 {
		r.all = true
	}
	for _, k := range keys {
		r.touched[k] = struct{}{}
	}
	r.localTouch = r.localTouch || local
	r.readSoon()
}

// readSoon starts reading what was touched, CountEvery after the last read at the soonest.
// The room's lock is held.
func (r *room) readSoon() {
	if r.reading || (!r.all && len(r.touched) == 0) {
		return
	}
	r.reading = true
	every := max(r.hub.cfg.CountEvery, r.readFailed)
	time.AfterFunc(max(0, every-r.hub.cfg.Now().Sub(r.lastRead)), r.read)
}

// read tells the other instances once what was touched here, and reads the counts touched
// since the last sent: a fresh frame in place of the one waiting, which it covers.
func (r *room) read() {
	r.mu.Lock()
	var told, keys []string
	all := r.all || r.countsAll
	if !r.all {
		told = sortedKeys(r.touched)
	}
	if !all {
		for k := range r.countsKeys {
			r.touched[k] = struct{}{}
		}
		keys = sortedKeys(r.touched)
	}
	local, listening := r.localTouch, len(r.listeners) > 0
	r.touched, r.all, r.localTouch = map[string]struct{}{}, false, false
	r.lastRead = r.hub.cfg.Now()
	r.reads++
	read := r.reads
	r.mu.Unlock()
	ctx := r.hub.ctx
	if local {
		if err := r.hub.broker.Send(ctx, []Notice{{Room: r.name, Keys: told}}); err != nil && ctx.Err() == nil {
			r.hub.log.Warn("realtime: telling counts", "room", r.name, "err", err)
		}
	}
	var frame []byte
	var err error
	if listening && r.hub.count != nil {
		if frame, err = r.hub.count(ctx, r.name, keys); err != nil && ctx.Err() == nil {
			r.hub.log.Warn("realtime: reading counts", "room", r.name, "err", err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reading = false
	if err != nil && ctx.Err() == nil {
		// Read again what was to be read, less often while reads keep failing.
		r.all = r.all || all
		for _, k := range keys {
			r.touched[k] = struct{}{}
		}
		r.readFailed = min(2*max(r.readFailed, r.hub.cfg.CountEvery), 5*time.Second)
	} else {
		r.readFailed = 0
	}
	if frame != nil {
		r.counts, r.countsRead, r.countsAll, r.countsKeys = frame, read, all, nil
		if !all {
			r.countsKeys = make(map[string]struct{}, len(keys))
			for _, k := range keys {
				r.countsKeys[k] = struct{}{}
			}
		}
		r.sendDue()
	}
	r.readSoon() // what was touched meanwhile
	if r.hub.countsRead != nil {
		r.hub.countsRead()
	}
}

// sendDue sends the counts waiting once their turn has come, or sets a timer for then. Their
// turn comes a fifth after countEvery: counts due about when the next event goes out (votes
// and questions both steady, the counts' period as long as the questions') then ride on it,
// rather than going just before it, alone, every time.
func (r *room) sendDue() {
	if r.counts == nil {
		return
	}
	every := r.countEvery()
	if wait := every + every/5 - r.hub.cfg.Now().Sub(r.lastSent); wait > 0 {
		if !r.sendTimed {
			r.sendTimed = true
			time.AfterFunc(wait, func() {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.sendTimed = false
				r.sendDue()
			})
		}
		return
	}
	read := r.countsRead
	counts := r.takeCounts()
	for l := range r.listeners {
		if !l.push(0, l.newer(counts, read), nil) {
			delete(r.listeners, l)
		}
	}
}

// takeCounts hands out the counts waiting, as sent now. The room's lock is held.
func (r *room) takeCounts() []byte {
	counts := r.counts
	r.counts, r.countsKeys, r.countsAll, r.lastSent = nil, nil, false, r.hub.cfg.Now()
	return counts
}

func sortedKeys(m map[string]struct{}) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// leave removes a listener.
func (r *room) leave(l *Listener) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.listeners, l)
	r.active = r.hub.cfg.Now()
}

// idle tells whether the room can be freed: nobody listens and nothing happened for a while.
func (r *room) idle(now time.Time, after time.Duration) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.listeners) == 0 && !r.filling && !r.reading && now.Sub(r.active) >= after
}

// endAll ends every listener with err.
func (r *room) endAll(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for l := range r.listeners {
		delete(r.listeners, l)
		l.end(err)
	}
}
