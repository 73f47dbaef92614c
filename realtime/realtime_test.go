package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/realtime"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// appendEvent commits one event of room in a transaction of its own.
func appendEvent(t testing.TB, db bun.IDB, room string, d realtime.Draft) realtime.Event {
	t.Helper()
	var e realtime.Event
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		e, err = realtime.Append(ctx, tx, t0, room, d)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func public(n int) realtime.Draft {
	return realtime.Draft{Public: []byte(fmt.Sprintf(`{"type":"question.created","n":%d}`, n))}
}

// frame is what a test reads of one frame.
type frame struct {
	Seq  uint64 `json:"seq"`
	Type string `json:"type"`
	N    int    `json:"n"`
}

// read takes n frames from l, or fails after a while.
func read(t *testing.T, l *realtime.Listener, n int) []frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []frame
	for len(out) < n {
		frames, err := l.Next(ctx)
		if err != nil {
			t.Fatalf("after %d of %d frames: %v", len(out), n, err)
		}
		for _, f := range frames {
			var x frame
			if err := json.Unmarshal(f, &x); err != nil {
				t.Fatalf("a frame that is not JSON: %q", f)
			}
			out = append(out, x)
		}
	}
	return out
}

func seqs(fs []frame) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, f.Seq)
	}
	return b.String()
}

func newHub(db bun.IDB, cfg realtime.Config) *realtime.Hub {
	return realtime.NewHub(db, realtime.Local{}, nil, cfg, nil)
}

// subscribe listens from the start: with nothing held, the listener is given an empty state.
func subscribe(t *testing.T, h *realtime.Hub, room string, since uint64, who realtime.Who) *realtime.Listener {
	t.Helper()
	l, complete, err := h.Subscribe(context.Background(), room, since, who)
	if err != nil {
		t.Fatal(err)
	}
	if !complete {
		l.Start(since, []byte(`{"type":"snapshot"}`))
		if got := read(t, l, 1); got[0].Type != "snapshot" {
			t.Fatalf("first frame %+v, want the snapshot", got[0])
		}
	}
	t.Cleanup(l.Close)
	return l
}

// TestNumberedFrames: an action's frame gets its number first, whatever it holds.
func TestNumberedFrames(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		e := appendEvent(t, db.DB, "s:1", realtime.Draft{Public: []byte(` {"type":"state"} `)})
		f := appendEvent(t, db.DB, "s:1", realtime.Draft{Public: []byte(`{}`)})
		g := appendEvent(t, db.DB, "s:2", public(7))
		if string(e.Public) != `{"seq":1,"type":"state"}` || string(f.Public) != `{"seq":2}` || g.Seq != 1 {
			t.Fatalf("numbered: %s %s %d", e.Public, f.Public, g.Seq)
		}
		got, err := realtime.Since(context.Background(), db.DB, "s:1", 0, 10)
		if err != nil || len(got) != 2 || string(got[1].Public) != `{"seq":2}` {
			t.Fatalf("read back: %+v %v", got, err)
		}
	})
}

// TestDeliveredInOrder: events published out of order (1, 2, 3, 5, 4) reach a listener in
// order, each once: the gap before 5 is read from live_events.
func TestDeliveredInOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		h := newHub(db.DB, realtime.Config{})
		defer h.Close()
		l := subscribe(t, h, "s:1", 0, realtime.Who{})
		var events []realtime.Event
		for i := range 5 {
			events = append(events, appendEvent(t, db.DB, "s:1", public(i)))
		}
		ctx := context.Background()
		for _, i := range []int{0, 1, 2, 4, 3, 4, 0} {
			if err := h.Publish(ctx, events[i]); err != nil {
				t.Fatal(err)
			}
		}
		if got := seqs(read(t, l, 5)); got != "1 2 3 4 5" {
			t.Fatalf("delivered %s, want 1 2 3 4 5", got)
		}
		e6 := appendEvent(t, db.DB, "s:1", public(6))
		if err := h.Publish(ctx, e6); err != nil {
			t.Fatal(err)
		}
		if got := seqs(read(t, l, 1)); got != "6" {
			t.Fatalf("then %s, want 6 alone (no duplicates)", got)
		}
	})
}

// TestCommittedOutOfOrder: two connections write events of one room at once; the second waits
// for the first's commit (the counter row), and whichever publishes first, listeners get both
// in order.
func TestCommittedOutOfOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		h := newHub(db.DB, realtime.Config{})
		defer h.Close()
		ls := []*realtime.Listener{subscribe(t, h, "s:1", 0, realtime.Who{}), subscribe(t, h, "s:1", 0, realtime.Who{Moderator: true})}
		ctx := context.Background()
		for round := range 20 {
			first, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, err := realtime.Append(ctx, first, t0, "s:1", public(2*round))
			if err != nil {
				t.Fatal(err)
			}
			second := make(chan realtime.Event, 1)
			go func() { second <- appendEvent(t, db.DB, "s:1", public(2*round+1)) }()
			time.Sleep(time.Millisecond) // the second is (most likely) waiting on the row
			if err := first.Commit(); err != nil {
				t.Fatal(err)
			}
			b := <-second
			if b.Seq != a.Seq+1 {
				t.Fatalf("numbers %d then %d", a.Seq, b.Seq)
			}
			if err := h.Publish(ctx, b); err != nil {
				t.Fatal(err)
			}
			if err := h.Publish(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		var want []string
		for i := 1; i <= 40; i++ {
			want = append(want, fmt.Sprint(i))
		}
		for _, l := range ls {
			if got := seqs(read(t, l, 40)); got != strings.Join(want, " ") {
				t.Fatalf("delivered %s", got)
			}
		}
	})
}

// countQueries counts the queries that read live_events.
type countQueries struct{ n atomic.Int64 }

func (c *countQueries) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}
func (c *countQueries) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.Contains(e.Query, "live_events") && strings.HasPrefix(strings.TrimSpace(e.Query), "SELECT") {
		c.n.Add(1)
	}
}

// TestReplay: listeners that come back with the last number they hold are served what they
// missed: from memory, or, past it, from live_events read once for all of them; past what
// live_events keeps, they are told to take a fresh state.
func TestReplay(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		for i := range 30 {
			appendEvent(t, db.DB, "s:1", public(i))
		}
		queries := &countQueries{}
		h := newHub(db.WithQueryHook(queries), realtime.Config{Ring: 8, Queue: 64})
		defer h.Close()
		// Loaded: the last 8 held.
		l := subscribe(t, h, "s:1", 26, realtime.Who{})
		if got := seqs(read(t, l, 4)); got != "27 28 29 30" {
			t.Fatalf("from memory: %s", got)
		}
		before := queries.n.Load()
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, complete, err := h.Subscribe(ctx, "s:1", 5, realtime.Who{})
				if err != nil || !complete {
					t.Errorf("since 5: complete %v, %v", complete, err)
					return
				}
				defer l.Close()
				if got := read(t, l, 25); got[0].Seq != 6 || got[24].Seq != 30 {
					t.Errorf("since 5: %s", seqs(got))
				}
			}()
		}
		wg.Wait()
		if n := queries.n.Load() - before; n > 2 {
			t.Fatalf("50 listeners coming back read live_events %d times, want once (twice at most, racing)", n)
		}
		if err := realtime.Prune(ctx, db.DB, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		h2 := newHub(db.DB, realtime.Config{Ring: 8})
		defer h2.Close()
		if _, complete, err := h2.Subscribe(ctx, "s:1", 5, realtime.Who{}); err != nil || complete {
			t.Fatalf("past what is kept: complete %v, %v; want a fresh state", complete, err)
		}
		if _, complete, err := h2.Subscribe(ctx, "s:1", 999, realtime.Who{}); err != nil || complete {
			t.Fatalf("a number the room never had: complete %v, %v; want a fresh state", complete, err)
		}
	})
}

// TestAudiences: a pending question reaches moderators and its asker only; others see its
// number alone. A question's public and full frames go to each audience.
func TestAudiences(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		h := newHub(db.DB, realtime.Config{})
		defer h.Close()
		mod := subscribe(t, h, "s:1", 0, realtime.Who{Moderator: true})
		asker := subscribe(t, h, "s:1", 0, realtime.Who{Keys: []string{"a:7", "d:xyz"}})
		other := subscribe(t, h, "s:1", 0, realtime.Who{Keys: []string{"a:8"}})
		ctx := context.Background()
		pending := appendEvent(t, db.DB, "s:1", realtime.Draft{Full: []byte(`{"type":"pending","n":1}`), Owner: "d:xyz"})
		shown := appendEvent(t, db.DB, "s:1", realtime.Draft{Public: []byte(`{"type":"public","n":2}`), Full: []byte(`{"type":"full","n":2}`)})
		if err := h.Publish(ctx, pending, shown); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			l    *realtime.Listener
			want string
		}{{"moderator", mod, "pending full"}, {"asker", asker, "pending public"}, {"another", other, "none public"}} {
			got := read(t, c.l, 2)
			if types := got[0].Type + " " + got[1].Type; types != c.want || seqs(got) != "1 2" {
				t.Errorf("%s got %s (%s), want %s", c.name, types, seqs(got), c.want)
			}
		}
		// Coming back later, each is served its own audience's frames again.
		again, complete, err := h.Subscribe(ctx, "s:1", 0+0, realtime.Who{Keys: []string{"a:8"}})
		if err != nil || complete {
			t.Fatalf("since 0: %v %v", complete, err)
		}
		again.Close()
		back, complete, err := h.Subscribe(ctx, "s:1", 0, realtime.Who{})
		if err != nil || complete {
			t.Fatal(complete, err)
		}
		back.Close()
	})
}

// TestSlowListener: a listener that lets its queue fill is dropped (ErrSlow) and the others
// get everything; it comes back with its number and is served the rest.
func TestSlowListener(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		h := newHub(db.DB, realtime.Config{Queue: 4})
		defer h.Close()
		ctx := context.Background()
		slow := subscribe(t, h, "s:1", 0, realtime.Who{})
		fast := subscribe(t, h, "s:1", 0, realtime.Who{})
		for i := range 10 {
			if err := h.Publish(ctx, appendEvent(t, db.DB, "s:1", public(i))); err != nil {
				t.Fatal(err)
			}
			if got := read(t, fast, 1); got[0].Seq != uint64(i+1) {
				t.Fatalf("the fast listener got %d", got[0].Seq)
			}
		}
		<-slow.Done()
		if slow.Err() != realtime.ErrSlow {
			t.Fatalf("the slow listener ended with %v", slow.Err())
		}
		back, complete, err := h.Subscribe(ctx, "s:1", 3, realtime.Who{})
		if err != nil || complete {
			// Seven missed is more than its queue of four: a fresh state instead.
			t.Fatalf("back after 3: complete %v, %v", complete, err)
		}
		back.Close()
		back = subscribe(t, h, "s:1", 7, realtime.Who{})
		if got := seqs(read(t, back, 3)); got != "8 9 10" {
			t.Fatalf("back after 7: %s", got)
		}
	})
}

// TestCountsCoalesced: 200 touches within a second send at most six counts frames (one every
// 200 ms, and the first at once), carrying every key touched.
func TestCountsCoalesced(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	var calls atomic.Int64
	count := func(_ context.Context, room string, keys []string) ([]byte, error) {
		calls.Add(1)
		b, _ := json.Marshal(map[string]any{"type": "votes", "keys": keys})
		return b, nil
	}
	h := realtime.NewHub(db.DB, realtime.Local{}, count, realtime.Config{}, nil)
	defer h.Close()
	l := subscribe(t, h, "s:1", 0, realtime.Who{})
	start := time.Now()
	for i := range 200 {
		h.Touch("s:1", fmt.Sprint(i%20))
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	time.Sleep(300 * time.Millisecond)
	seen := map[string]bool{}
	frames := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		got, err := l.Next(ctx)
		cancel()
		if err != nil {
			break
		}
		for _, f := range got {
			var v struct{ Keys []string }
			_ = json.Unmarshal(f, &v)
			for _, k := range v.Keys {
				seen[k] = true
			}
			frames++
		}
	}
	limit := int(elapsed/(200*time.Millisecond)) + 2
	if frames > limit || frames < 2 {
		t.Fatalf("%d counts frames for 200 touches over %v, want at most %d", frames, elapsed, limit)
	}
	if len(seen) != 20 {
		t.Fatalf("keys carried: %d of 20", len(seen))
	}
}

// TestCountsOfBigRooms: a room whose listeners here would be written more than CountWrites
// counts frames a second gets them less often, down to once a second; counts waiting go out
// behind the next event instead of a write of their own.
func TestCountsOfBigRooms(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	count := func(_ context.Context, room string, keys []string) ([]byte, error) {
		return json.Marshal(map[string]any{"type": "votes", "keys": keys})
	}
	// Four listeners, two counts frames a second for all of them: every two seconds, so once a
	// second, the least.
	h := realtime.NewHub(db.DB, realtime.Local{}, count, realtime.Config{CountWrites: 2}, nil)
	defer h.Close()
	var ls []*realtime.Listener
	for range 4 {
		ls = append(ls, subscribe(t, h, "s:1", 0, realtime.Who{}))
	}
	start := time.Now()
	for i := 0; time.Since(start) < 2*time.Second; i++ {
		h.Touch("s:1", fmt.Sprint(i%5))
		time.Sleep(10 * time.Millisecond)
	}
	got := drain(ls[0], 1200*time.Millisecond)
	if len(got) < 2 || len(got) > 4 {
		t.Fatalf("%d counts frames in two seconds of touches, want two to four (the first at once, then one a second)", len(got))
	}
	for _, l := range ls[1:] {
		drain(l, 10*time.Millisecond)
	}
	// Long after the last, a touch goes out at once; the next waits a second, unless an event
	// takes it along.
	h.Touch("s:1", "7")
	if got := drain(ls[1], 100*time.Millisecond); len(got) != 1 || got[0].Type != "votes" {
		t.Fatalf("a touch after a quiet while: %+v, want its counts at once", got)
	}
	h.Touch("s:1", "8")
	time.Sleep(250 * time.Millisecond)
	if err := h.Publish(context.Background(), appendEvent(t, db.DB, "s:1", public(1))); err != nil {
		t.Fatal(err)
	}
	got = drain(ls[1], 300*time.Millisecond)
	if len(got) != 2 || got[0].Type != "question.created" || got[1].Type != "votes" {
		t.Fatalf("after an event, within 300 ms: %+v, want the event and then the counts", got)
	}
}

// TestCountsRideWithEvents: in a room whose counts wait their turn, an event that goes out
// meanwhile takes along the counts read so far, in the same write, rather than a write of
// their own after it.
func TestCountsRideWithEvents(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	count := func(_ context.Context, room string, keys []string) ([]byte, error) {
		time.Sleep(30 * time.Millisecond) // a read takes a while, as the database's does
		return json.Marshal(map[string]any{"type": "votes", "keys": keys})
	}
	// One listener at one counts frame a second: counts once a second.
	h := realtime.NewHub(db.DB, realtime.Local{}, count, realtime.Config{CountWrites: 1}, nil)
	defer h.Close()
	read := make(chan struct{}, 16)
	realtime.OnCountsRead(h, func() { read <- struct{}{} })
	l := subscribe(t, h, "s:1", 0, realtime.Who{})
	h.Touch("s:1", "1")
	<-read
	if got := drain(l, 100*time.Millisecond); len(got) != 1 || got[0].Type != "votes" {
		t.Fatalf("a touch in a quiet room: %+v, want its counts at once", got)
	}
	h.Touch("s:1", "2")
	select {
	case <-read:
	case <-time.After(5 * time.Second):
		// Not read ahead: the event below finds nothing to take along.
	}
	if err := h.Publish(context.Background(), appendEvent(t, db.DB, "s:1", public(1))); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	got, err := l.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, f := range got {
		var x frame
		_ = json.Unmarshal(f, &x)
		types = append(types, x.Type)
	}
	if strings.Join(types, " ") != "question.created votes" {
		t.Fatalf("the first write after the event holds %v, want the event and the counts waiting", types)
	}
	if rest := drain(l, 1200*time.Millisecond); len(rest) != 0 {
		t.Fatalf("after the counts went with the event: %+v, want nothing more", rest)
	}
}

// TestCountsReadAgainAfterAFailure: counts whose read failed are read again, not forgotten
// until the next vote on the same question.
func TestCountsReadAgainAfterAFailure(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	var calls atomic.Int64
	count := func(_ context.Context, room string, keys []string) ([]byte, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("the database is away")
		}
		return json.Marshal(map[string]any{"type": "votes", "keys": keys})
	}
	h := realtime.NewHub(db.DB, realtime.Local{}, count, realtime.Config{}, slog.New(slog.DiscardHandler))
	defer h.Close()
	l := subscribe(t, h, "s:1", 0, realtime.Who{})
	h.Touch("s:1", "5")
	got := drain(l, time.Second)
	if len(got) != 1 || got[0].Type != "votes" || calls.Load() != 2 {
		t.Fatalf("after a failed read: %+v in %d reads, want the counts from a second read", got, calls.Load())
	}
}

// heldFirstRead is a hub whose first counts read, once under way (started closes), waits until
// release closes.
func heldFirstRead(t *testing.T, db *storetest.DB) (h *realtime.Hub, started, release chan struct{}) {
	started, release = make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	count := func(_ context.Context, room string, keys []string) ([]byte, error) {
		if first.CompareAndSwap(false, true) {
			close(started)
			<-release
		}
		return json.Marshal(map[string]any{"type": "votes", "keys": keys})
	}
	h = realtime.NewHub(db.DB, realtime.Local{}, count, realtime.Config{}, nil)
	t.Cleanup(h.Close)
	return h, started, release
}

// TestCountsNoOlderThanAListenersState: counts read while a listener joined may predate the
// state it is sent on joining, so they go only to the listeners that were there before.
func TestCountsNoOlderThanAListenersState(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	h, started, release := heldFirstRead(t, db)
	early := subscribe(t, h, "s:1", 0, realtime.Who{})
	h.Touch("s:1", "1")
	<-started
	late := subscribe(t, h, "s:1", 0, realtime.Who{}) // it reads the room's state now
	close(release)
	if got := drain(early, 300*time.Millisecond); len(got) != 1 || got[0].Type != "votes" {
		t.Fatalf("the listener there before the read: %+v, want its counts", got)
	}
	if got := drain(late, 300*time.Millisecond); len(got) != 0 {
		t.Fatalf("the listener that joined during the read: %+v, want nothing older than its state", got)
	}
}

// TestCountsReachAListenerBackWithItsNumber: a listener that comes back with its number and is
// served what it missed gets no fresh state, so counts read while it came back are its to have.
func TestCountsReachAListenerBackWithItsNumber(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	h, started, release := heldFirstRead(t, db)
	early := subscribe(t, h, "s:1", 0, realtime.Who{})
	if err := h.Publish(context.Background(), appendEvent(t, db.DB, "s:1", public(1))); err != nil {
		t.Fatal(err)
	}
	drain(early, 100*time.Millisecond)
	h.Touch("s:1", "1")
	<-started
	back := subscribe(t, h, "s:1", 1, realtime.Who{}) // it holds number 1: nothing to send it but what comes
	close(release)
	if got := drain(back, 300*time.Millisecond); len(got) != 1 || got[0].Type != "votes" {
		t.Fatalf("the listener back with its number: %+v, want the counts read meanwhile", got)
	}
}

// drain reads what l is sent until nothing comes for wait.
func drain(l *realtime.Listener, wait time.Duration) []frame {
	var out []frame
	for {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		got, err := l.Next(ctx)
		cancel()
		if err != nil {
			return out
		}
		for _, f := range got {
			var x frame
			_ = json.Unmarshal(f, &x)
			out = append(out, x)
		}
	}
}

// TestIdleRoomsFreed: a room nobody listens to and where nothing happened is freed.
func TestIdleRoomsFreed(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	var now atomic.Int64
	now.Store(t0.UnixNano())
	h := newHub(db.DB, realtime.Config{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer h.Close()
	l := subscribe(t, h, "s:1", 0, realtime.Who{})
	subscribe(t, h, "s:2", 0, realtime.Who{})
	l.Close()
	now.Add(int64(3 * time.Minute))
	h.Sweep(context.Background())
	if n := h.Rooms(); n != 1 {
		t.Fatalf("%d rooms held, want 1 (the one listened to)", n)
	}
}

// twoInstances makes two hubs on one PostgreSQL database, each with its own broker connection,
// and waits until both listen.
func twoInstances(t *testing.T, db *storetest.DB) (a, b *realtime.Hub, dbB *bun.DB) {
	t.Helper()
	other, err := store.Open(context.Background(), db.URL, store.Options{MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	listening := make(chan struct{}, 16)
	mk := func(d *bun.DB) *realtime.Hub {
		h := realtime.NewHub(d, &realtime.Postgres{DB: d, Channel: "live_" + strings.ReplaceAll(t.Name(), "/", "_"), Logger: quiet(),
			Ping: 200 * time.Millisecond, Listening: func() { listening <- struct{}{} }}, nil, realtime.Config{}, nil)
		wg.Add(1)
		go func() { defer wg.Done(); _ = h.Run(ctx) }()
		return h
	}
	a, b = mk(db.DB), mk(other)
	for range 2 {
		select {
		case <-listening:
		case <-time.After(10 * time.Second):
			t.Fatal("the brokers did not start listening")
		}
	}
	return a, b, other
}

// TestAcrossInstances: two instances on one PostgreSQL publish events of one room at once;
// listeners on each get every event, in order, once.
func TestAcrossInstances(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.Postgres)
	a, b, dbB := twoInstances(t, db)
	la, lb := subscribe(t, a, "s:1", 0, realtime.Who{}), subscribe(t, b, "s:1", 0, realtime.Who{})
	var wg sync.WaitGroup
	for _, side := range []struct {
		h  *realtime.Hub
		db bun.IDB
	}{{a, db.DB}, {b, dbB}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := side.h.Publish(context.Background(), appendEvent(t, side.db, "s:1", public(i))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	var want []string
	for i := 1; i <= 100; i++ {
		want = append(want, fmt.Sprint(i))
	}
	for name, l := range map[string]*realtime.Listener{"a": la, "b": lb} {
		if got := seqs(read(t, l, 100)); got != strings.Join(want, " ") {
			t.Fatalf("instance %s delivered %s", name, got)
		}
	}
}

// TestBrokerReconnects: when an instance's listening connection dies, its listeners stay
// connected and get what was published meanwhile, in order, once it listens again.
func TestBrokerReconnects(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.Postgres)
	a, b, _ := twoInstances(t, db)
	lb := subscribe(t, b, "s:1", 0, realtime.Who{})
	ctx := context.Background()
	if err := a.Publish(ctx, appendEvent(t, db.DB, "s:1", public(1))); err != nil {
		t.Fatal(err)
	}
	read(t, lb, 1)
	// End every listening connection of this database (both instances').
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'`); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 20; i++ {
		if err := a.Publish(ctx, appendEvent(t, db.DB, "s:1", public(i))); err != nil {
			t.Fatal(err)
		}
	}
	if got := read(t, lb, 19); got[0].Seq != 2 || got[18].Seq != 20 || lb.Err() != nil {
		t.Fatalf("after the reconnect: %s (%v)", seqs(got), lb.Err())
	}
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// BenchmarkFanOut: one room of 10,000 listeners, each drained by a writer of its own as a
// connection's would be; an op is one event published until the last listener has it.
func BenchmarkFanOut(b *testing.B) {
	db := storetest.Open(b, storetest.SQLite)
	h := newHub(db.DB, realtime.Config{})
	defer h.Close()
	const n = 10000
	var got sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range n {
		l, complete, err := h.Subscribe(ctx, "s:1", 0, realtime.Who{})
		if err != nil || complete {
			b.Fatal(err)
		}
		l.Start(0, []byte(`{}`))
		go func() {
			for {
				frames, err := l.Next(ctx)
				if err != nil {
					return
				}
				for _, f := range frames {
					if len(f) > 2 {
						got.Done()
					}
				}
			}
		}()
	}
	events := make([]realtime.Event, b.N)
	for i := range events {
		events[i] = realtime.Event{Room: "s:1", Seq: uint64(i + 1), Public: []byte(fmt.Sprintf(`{"seq":%d,"type":"q"}`, i+1))}
	}
	b.ResetTimer()
	for _, e := range events {
		got.Add(n)
		if err := h.Publish(ctx, e); err != nil {
			b.Fatal(err)
		}
		got.Wait()
	}
}
