// Package gcpace sets, after every garbage collection, how far the heap may grow before the
// next (GOGC) from what is live. A fixed GOGC serves one load and fails another: at five
// times the live heap (GOGC=400) a room registering at once is not slowed by collections, but
// ten thousand live-Q&A connections, each holding memory for as long as it lives, would make
// the heap five times theirs; at twice it (the default), registration's p99 rose fourfold on
// SQLite. So the heap may grow to Ceiling (room for bursts while little is live), by no more
// than MaxPercent and no less than MinPercent of what is live.
package gcpace

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// Policy is how far the heap may grow between collections.
type Policy struct {
	Ceiling    uint64 // bytes the heap may reach before a collection, while live memory allows
	MinPercent int    // the least growth, in percent of the live heap
	MaxPercent int    // the most
}

// Default is the server's: 192 MiB; from 35% to 400% of the live heap.
var Default = Policy{Ceiling: 192 << 20, MinPercent: 35, MaxPercent: 400}

// Percent is the GOGC for a live heap of live bytes.
func (p Policy) Percent(live uint64) int {
	if live == 0 {
		return p.MaxPercent
	}
	pct := p.MinPercent
	if p.Ceiling > live {
		pct = int(min((p.Ceiling-live)*100/live, uint64(p.MaxPercent)))
	}
	return max(pct, p.MinPercent)
}

// Start sets GOGC by p now and after every collection, for the life of the process. It takes
// no goroutine: a finalizer, run after each collection, sets it and arms the next.
func Start(p Policy) {
	(&pacer{policy: p, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}, set: -1}).pace()
}

type pacer struct {
	policy Policy
	sample []metrics.Sample
	set    int // the GOGC set last
}

// sentinel is what the finalizer is set on: big enough not to share a tiny-allocator block
// (whose finalizers may never run).
type sentinel struct {
	p *pacer
	_ [16]byte
}

func (p *pacer) pace() {
	metrics.Read(p.sample)
	if p.sample[0].Value.Kind() == metrics.KindUint64 {
		// Small changes are left alone: the live heap moves a little at every collection.
		if pct := p.policy.Percent(p.sample[0].Value.Uint64()); p.set < 0 || abs(pct-p.set) > p.set/20 {
			debug.SetGCPercent(pct)
			p.set = pct
		}
	}
	runtime.SetFinalizer(&sentinel{p: p}, func(s *sentinel) { s.p.pace() })
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
