package gcpace

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	p := Policy{Ceiling: 256 << 20, MinPercent: 35, MaxPercent: 400}
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400},
		{20 << 20, 400},  // little live: five times it, as GOGC=400
		{64 << 20, 300},  // up to the ceiling
		{128 << 20, 100}, // the ceiling
		{180 << 20, 42},  // ten thousand connections: a third over them
		{400 << 20, 35},  // past the ceiling: the least growth
		{256 << 20, 35},  // at it
		{1 << 20, 400},   // capped
		{200 << 20, 35},  // (256-200)/200 = 28%: raised to the least
	} {
		if got := p.Percent(c.live); got != c.want {
			t.Errorf("live %d MiB: GOGC %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// TestStartFollowsCollections: after a collection with a large live heap, GOGC is the
// policy's for it; once that heap is garbage, the next collections raise it again.
func TestStartFollowsCollections(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	gogc := func() int {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return int(s[0].Value.Uint64())
	}
	p := Policy{Ceiling: 64 << 20, MinPercent: 35, MaxPercent: 400}
	Start(p)
	live := make([][]byte, 96)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	waitFor := func(what string, ok func(int) bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(gogc()); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: GOGC is %d", what, gogc())
			}
			runtime.GC()
		}
	}
	waitFor("96 MiB live, past a 64 MiB ceiling", func(n int) bool { return n == 35 })
	runtime.KeepAlive(live)
	live = nil
	waitFor("the 96 MiB gone", func(n int) bool { return n > 100 })
}
