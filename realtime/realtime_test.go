package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/realtime"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func ev(room string, seq uint64) realtime.Event {
	return realtime.Event{Room: room, Seq: seq, Frame: json.RawMessage(fmt.Sprintf(`{"type":"state","seq":%d}`, seq))}
}

func seqs(events []realtime.Event) string {
	var b strings.Builder
	for i, e := range events {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, e.Seq)
	}
	return b.String()
}

// drain reads what is queued on a subscription right now.
func drain(sub *realtime.Subscription) []realtime.Event {
	var out []realtime.Event
	for {
		select {
		case e := <-sub.Events():
			out = append(out, e)
		default:
			return out
		}
	}
}

func TestReplay(t *testing.T) {
	hub := realtime.NewHub(4, 16)
	for seq := uint64(1); seq <= 6; seq++ {
		hub.Deliver(ev("s1", seq))
	}
	hub.Deliver(ev("s1", 5)) // duplicate
	cases := []struct {
		name     string
		since    uint64
		missed   string
		complete bool
	}{
		{"up to date", 6, "", true},
		{"one behind", 5, "6", true},
		{"at the edge of the buffer", 2, "3 4 5 6", true},
		{"beyond the buffer", 1, "", false},
		{"from nothing", 0, "", false},
		{"ahead of this instance", 9, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub, missed, complete, err := hub.Subscribe("s1", tc.since)
			if err != nil {
				t.Fatal(err)
			}
			defer hub.Unsubscribe(sub)
			if seqs(missed) != tc.missed || complete != tc.complete {
				t.Fatalf("missed %q complete %v, want %q %v", seqs(missed), complete, tc.missed, tc.complete)
			}
		})
	}
	if hub.Last("s1") != 6 || hub.Last("other") != 0 {
		t.Fatal("Last")
	}
	sub, missed, complete, _ := hub.Subscribe("new-room", 0)
	if len(missed) != 0 || complete {
		t.Fatal("a room without events cannot vouch for anything")
	}
	hub.Unsubscribe(sub)
}

func TestFanOutAndSlowListener(t *testing.T) {
	hub := realtime.NewHub(64, 3)
	fast, _, _, _ := hub.Subscribe("s1", 0)
	slow, _, _, _ := hub.Subscribe("s1", 0)
	other, _, _, _ := hub.Subscribe("s2", 0)
	var got []realtime.Event
	for seq := uint64(1); seq <= 5; seq++ {
		hub.Deliver(ev("s1", seq))
		got = append(got, drain(fast)...) // the fast listener keeps up; the slow one reads nothing
	}
	if seqs(got) != "1 2 3 4 5" {
		t.Fatalf("fast listener got %q", seqs(got))
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("the slow listener was not dropped")
	}
	if !errors.Is(slow.Err(), realtime.ErrSlow) || fast.Err() != nil {
		t.Fatalf("errors: slow %v fast %v", slow.Err(), fast.Err())
	}
	if len(drain(other)) != 0 {
		t.Fatal("an event leaked into another room")
	}
	// The dropped listener recovers by replay from its last sequence.
	back, missed, complete, _ := hub.Subscribe("s1", 3)
	if !complete || seqs(missed) != "4 5" {
		t.Fatalf("replay after drop: %q %v", seqs(missed), complete)
	}
	hub.Resync()
	for _, s := range []*realtime.Subscription{fast, back, other} {
		if !errors.Is(s.Err(), realtime.ErrResync) {
			t.Fatalf("after Resync: %v", s.Err())
		}
	}
	if _, missed, complete, _ := hub.Subscribe("s1", 3); complete || missed != nil {
		t.Fatal("replay survived a resync")
	}
	hub.Close()
	if _, _, _, err := hub.Subscribe("s1", 0); !errors.Is(err, realtime.ErrClosed) {
		t.Fatalf("Subscribe after Close: %v", err)
	}
}

// TestConcurrentDelivery runs a publisher per room and the rooms' listeners all at once (under
// -race in CI): every listener that keeps up sees every event of its room, in order, and none
// of another room's. Publishers of different rooms share the hub, so a hub that let them race
// would lose, reorder or cross events (one publisher behind one lock could never show it).
func TestConcurrentDelivery(t *testing.T) {
	hub := realtime.NewHub(1024, 1024)
	const rooms, listeners, events = 4, 8, 300
	var wg sync.WaitGroup
	errs := make(chan error, rooms*listeners)
	for r := range rooms {
		room := fmt.Sprintf("s%d", r)
		for range listeners {
			sub, _, _, _ := hub.Subscribe(room, 0)
			wg.Go(func() {
				var want uint64 = 1
				for want <= events {
					select {
					case e := <-sub.Events():
						if e.Room != room || e.Seq != want {
							errs <- fmt.Errorf("room %s: got %s/%d, want %d", room, e.Room, e.Seq, want)
							return
						}
						want++
					case <-sub.Done():
						errs <- sub.Err()
						return
					}
				}
			})
		}
	}
	start := make(chan struct{})
	var publishers sync.WaitGroup
	for r := range rooms {
		publishers.Go(func() {
			<-start
			for seq := uint64(1); seq <= events; seq++ {
				hub.Deliver(ev(fmt.Sprintf("s%d", r), seq))
			}
		})
	}
	close(start)
	publishers.Wait()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestLocalBroker(t *testing.T) {
	hub := realtime.NewHub(8, 8)
	sub, _, _, _ := hub.Subscribe("s1", 0)
	b := realtime.Local{Hub: hub}
	if err := b.Publish(context.Background(), ev("s1", 1)); err != nil {
		t.Fatal(err)
	}
	if got := drain(sub); seqs(got) != "1" {
		t.Fatalf("got %q", seqs(got))
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// waitFor reads sub until an event with seq arrives.
func waitFor(t *testing.T, sub *realtime.Subscription, seq uint64) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-sub.Events():
			if e.Seq == seq {
				return
			}
		case <-sub.Done():
			t.Fatalf("subscription ended waiting for %d: %v", seq, sub.Err())
		case <-deadline:
			t.Fatalf("event %d did not arrive", seq)
		}
	}
}

// TestPostgresBrokerAcrossInstances runs two "instances" (two hubs, two listeners) on one
// database: an event published by one reaches both. Killing a listener's connection makes that
// hub resync its clients and then deliver again.
func TestPostgresBrokerAcrossInstances(t *testing.T) {
	db := storetest.Open(t, storetest.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	channel := fmt.Sprintf("convene_test_%d", time.Now().UnixNano())
	hubs := []*realtime.Hub{realtime.NewHub(16, 16), realtime.NewHub(16, 16)}
	listening := make(chan int, 8)
	brokers := make([]*realtime.Postgres, 2)
	for i, h := range hubs {
		brokers[i] = &realtime.Postgres{DB: db.DB, Channel: channel, Logger: quiet(), Ping: 200 * time.Millisecond,
			Listening: func() { listening <- i }}
		go func() { _ = brokers[i].Run(ctx, h) }()
	}
	// The listeners resync when they connect; subscribe after both are up.
	waitListening(t, listening, 0, 1)
	subs := make([]*realtime.Subscription, 2)
	for i, h := range hubs {
		subs[i], _, _, _ = h.Subscribe("s1", 0)
	}
	if err := brokers[0].Publish(ctx, ev("s1", 1)); err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		waitFor(t, s, 1)
	}
	big := realtime.Event{Room: "s1", Seq: 2, Frame: json.RawMessage(`"` + strings.Repeat("x", 8000) + `"`)}
	if err := brokers[0].Publish(ctx, big); !errors.Is(err, realtime.ErrTooLarge) {
		t.Fatalf("oversized event: %v", err)
	}
	// Kill the second instance's listening connection.
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()
		AND pid = (SELECT max(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%')`); err != nil {
		t.Fatal(err)
	}
	resynced := -1
	deadline := time.After(10 * time.Second)
	for resynced < 0 {
		for i, s := range subs {
			if errors.Is(s.Err(), realtime.ErrResync) {
				resynced = i
			}
		}
		select {
		case <-deadline:
			t.Fatal("no hub resynced after its listener was killed")
		case <-time.After(20 * time.Millisecond):
		}
	}
	waitListening(t, listening, resynced)
	again, _, _, _ := hubs[resynced].Subscribe("s1", 0)
	if err := brokers[0].Publish(ctx, ev("s1", 3)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, again, 3)
}

// waitListening waits until each of the brokers has (re)connected its listener.
func waitListening(t *testing.T, listening <-chan int, brokers ...int) {
	t.Helper()
	want := map[int]bool{}
	for _, b := range brokers {
		want[b] = true
	}
	deadline := time.After(10 * time.Second)
	for len(want) > 0 {
		select {
		case b := <-listening:
			delete(want, b)
		case <-deadline:
			t.Fatalf("brokers %v did not listen", want)
		}
	}
}

// BenchmarkDeliver measures fan-out of one event to many listeners on this instance.
func BenchmarkDeliver(b *testing.B) {
	for _, listeners := range []int{100, 10000} {
		b.Run(fmt.Sprint(listeners), func(b *testing.B) {
			hub := realtime.NewHub(256, b.N+1)
			subs := make([]*realtime.Subscription, listeners)
			for i := range subs {
				subs[i], _, _, _ = hub.Subscribe("s1", 0)
			}
			e := ev("s1", 0)
			b.ResetTimer()
			for i := range b.N {
				e.Seq = uint64(i + 1)
				hub.Deliver(e)
			}
		})
	}
}
