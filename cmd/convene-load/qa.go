package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/translated"
)

// qaSetup adds to the demo process a published forum with one session open for questions from
// anyone (anonymous devices), and prints the session's id.
func qaSetup(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("qa-setup", flag.ContinueOnError)
	dbURL := fs.String("db", "", "the database (postgres://... or sqlite:PATH)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, p, err := demoProcess(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	clk := clock.System{}
	zone, err := clock.Zone("America/Mexico_City")
	if err != nil {
		return err
	}
	today := clk.Now().In(zone).Format(time.DateOnly)
	var sessionID int64
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		sys, now := audit.Actor{}, clk.Now()
		f, err := forums.Create(ctx, tx, now, sys, p.ID, forums.Input{Slug: fmt.Sprintf("bench-qa-%d", now.Unix()), Format: forums.FormatVirtual,
			OnlineURL: "https://meet.example.org/bench", TimeZone: "America/Mexico_City", StartsOn: today, EndsOn: today,
			Title: translated.Text{"es": "Plenaria de carga", "en": "Load plenary"}})
		if err != nil {
			return err
		}
		s, err := forums.CreateSession(ctx, tx, now, sys, forums.Effects{}, p.ID, f.ID, forums.SessionInput{Kind: forums.KindPlenary,
			QAMode: forums.QAOpen, Start: today + "T00:00", End: today + "T23:59", Title: translated.Text{"es": "Plenaria", "en": "Plenary"}})
		if err != nil {
			return err
		}
		if _, err := forums.Publish(ctx, tx, now, sys, p.ID, f.ID); err != nil {
			return err
		}
		sessionID = s.ID
		_, err = tx.NewInsert().Model(&qa.Settings{SessionID: s.ID, WhoAsks: qa.AskAnyone, Anonymous: true, UpdatedAt: now}).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Println(sessionID)
	return nil
}

// listener is one load-generating connection.
type listener struct {
	id     int
	conn   *websocket.Conn
	wmu    sync.Mutex
	last   uint64
	voted  map[int64]bool
	stop   chan struct{} // a stalled listener waits for it (the end of the run)
	stalls bool
	cookie string
	gone   chan struct{} // closed when its reader returns
	away   atomic.Bool   // closed on purpose: not a disconnect
	frames int64
	votes  int64
	msgs   int64 // websocket messages: several frames written at once arrive as one
	// arrivals are the questions it was sent, and how long after they were asked; its reader's
	// alone until the run ends.
	arrivals []arrival
}

// arrival is a question reaching a listener.
type arrival struct {
	body  string
	after time.Duration
}

// qaStats gathers what every listener saw.
type qaStats struct {
	latencies   []time.Duration // question asked → a listener has it, every listener, every question
	perQuestion map[string]time.Duration
	lost, dup   atomic.Int64
	disconnects atomic.Int64
}

// qaRun drives a session's room: n listeners across the given addresses, a question every
// 1/qps seconds and votes at vps, for the duration; it prints what DESIGN.md's figures ask.
func qaRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("qa", flag.ContinueOnError)
	bases := fs.String("base", "http://127.0.0.1:8080", "the server's addresses, comma-separated (listeners are spread across them)")
	origin := fs.String("origin", "", "the Origin to send (the server's CONVENE_BASE_URL; default: each listener's address)")
	session := fs.Int64("session", 0, "the session's id (convene-load qa-setup)")
	n := fs.Int("listeners", 1000, "listeners")
	qps := fs.Float64("questions", 1, "questions a second")
	vps := fs.Float64("votes", 200, "votes a second")
	dur := fs.Duration("duration", 30*time.Second, "how long to ask and vote")
	stall := fs.Float64("stall", 0, "the share of listeners that stop reading (0.01: one in a hundred)")
	pid := fs.Int("pid", 0, "the server's process id, for its memory per connection (one instance)")
	connectRate := fs.Int("connect-rate", 1000, "connections opened a second")
	again := fs.Int("reconnect", 0, "after the run, drop this many listeners at once, ask three questions, and bring them back with their last number")
	if err := fs.Parse(args); err != nil {
		return err
	}
	addrs := strings.Split(*bases, ",")
	rssBefore, goBefore := rss(*pid), goMemory(addrs[0])
	st := &qaStats{perQuestion: map[string]time.Duration{}}
	ids := &questionIDs{reporter: 1} // listener 0 stalls when any do
	sent := sync.Map{}               // body → when asked
	var wg sync.WaitGroup
	listeners := make([]*listener, *n)
	start := time.Now()
	ready := make(chan struct{}, *n)
	done := make(chan struct{})
	tick := time.NewTicker(time.Second / time.Duration(max(*connectRate, 1)))
	for i := range *n {
		<-tick.C
		base := addrs[i%len(addrs)]
		u := "ws" + strings.TrimPrefix(base, "http") + fmt.Sprintf("/sessions/%d/live", *session)
		org := *origin
		if org == "" {
			org = base // each instance's own address is its CONVENE_BASE_URL
		}
		h := http.Header{"Origin": {org}, "Cookie": {fmt.Sprintf("convene_qa=load-device-%08d-%d", i, start.UnixNano())}}
		conn, _, err := (&websocket.Dialer{HandshakeTimeout: 30 * time.Second}).DialContext(ctx, u, h)
		if err != nil {
			return fmt.Errorf("listener %d: %w", i, err)
		}
		l := &listener{id: i, conn: conn, voted: map[int64]bool{}, stop: done, cookie: h.Get("Cookie"), gone: make(chan struct{})}
		listeners[i] = l
		stalls := *stall > 0 && i%int(1 / *stall) == 0
		l.stalls = stalls
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(l.gone)
			l.read(ctx, st, &sent, ids, ready, stalls)
		}()
	}
	tick.Stop()
	for range *n {
		select {
		case <-ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	connected := time.Since(start)
	time.Sleep(2 * time.Second) // let the server settle before its memory is read
	rssAfter, goAfter := rss(*pid), goMemory(addrs[0])
	fmt.Printf("connected %d listeners in %v", *n, connected.Round(time.Millisecond))
	if *pid != 0 {
		fmt.Printf("; server memory %.1f KiB per connection (RSS %d → %d MiB)", float64(rssAfter-rssBefore)/1024/float64(*n), rssBefore>>20, rssAfter>>20)
	}
	if goBefore != nil && goAfter != nil {
		// The first server's own view, over its share of the listeners: what the runtime holds
		// (heap in use, goroutine stacks) and goroutines, per connection.
		mine := float64(*n) / float64(len(addrs))
		per := func(name string) float64 { return (goAfter[name] - goBefore[name]) / mine }
		fmt.Printf("\nfirst server, per connection: heap in use %.1f KiB, stacks %.1f KiB, %.2f goroutines",
			per("go_memstats_heap_inuse_bytes")/1024, per("go_memstats_stack_inuse_bytes")/1024, per("go_goroutines"))
	}
	fmt.Println()

	// Questions and votes, for the duration.
	runStart := time.Now()
	runBefore, ownBefore := goMemory(addrs[0]), ownCPU()
	runCtx, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	var drivers sync.WaitGroup
	drivers.Add(2)
	go func() {
		defer drivers.Done()
		t := time.NewTicker(time.Duration(float64(time.Second) / *qps))
		defer t.Stop()
		for k := 0; ; k++ {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
			}
			asker := reading(listeners)
			body := fmt.Sprintf("q-%d-%d", k, time.Now().UnixNano())
			sent.Store(body, time.Now())
			asker.send(map[string]any{"type": "ask", "body": body, "anonymous": true, "ref": k})
		}
	}()
	go func() {
		defer drivers.Done()
		if *vps <= 0 {
			return
		}
		t := time.NewTicker(time.Duration(float64(time.Second) / *vps))
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
			}
			q := ids.pick()
			if q == 0 {
				continue
			}
			l := reading(listeners)
			if l.voted[q] {
				continue
			}
			l.voted[q] = true
			l.send(map[string]any{"type": "vote", "id": q})
		}
	}()
	drivers.Wait()
	time.Sleep(3 * time.Second) // the last events arrive
	elapsed := *dur + 3*time.Second
	if runAfter := goMemory(addrs[0]); runBefore != nil && runAfter != nil {
		// What the first server spent on the run: its share of the cores, and its collections.
		d := func(name string) float64 { return runAfter[name] - runBefore[name] }
		fmt.Printf("first server during the run: CPU %.1f s (%.0f%% of one core), %.0f garbage collections\n",
			d("process_cpu_seconds_total"), 100*d("process_cpu_seconds_total")/time.Since(runStart).Seconds(), d("go_gc_duration_seconds_count"))
	}
	// The generator's own, on the same cores: with ten thousand readers, most of what is spent.
	own := ownCPU() - ownBefore
	fmt.Printf("the generator during the run: CPU %.1f s (%.0f%% of one core)\n", own.Seconds(), 100*own.Seconds()/time.Since(runStart).Seconds())
	if *again > 0 {
		reconnect(ctx, listeners, min(*again, *n-1), *session, *origin, addrs)
	}
	close(done)
	for _, l := range listeners {
		_ = l.conn.Close()
	}
	wg.Wait()

	for _, l := range listeners {
		for _, a := range l.arrivals {
			st.latencies = append(st.latencies, a.after)
			st.perQuestion[a.body] = max(st.perQuestion[a.body], a.after)
		}
	}
	slices.Sort(st.latencies)
	var lastListener []time.Duration
	for _, d := range st.perQuestion {
		lastListener = append(lastListener, d)
	}
	slices.Sort(lastListener)
	var frames, votes, msgs int64
	for _, l := range listeners {
		frames += atomic.LoadInt64(&l.frames)
		votes += atomic.LoadInt64(&l.votes)
		msgs += atomic.LoadInt64(&l.msgs)
	}
	fmt.Printf("questions %d; deliveries %d; ask → listener p50 %v p95 %v p99 %v max %v\n", len(st.perQuestion), len(st.latencies),
		pct(st.latencies, 50), pct(st.latencies, 95), pct(st.latencies, 99), pct(st.latencies, 100))
	fmt.Printf("ask → last listener, per question: p50 %v p99 %v max %v\n", pct(lastListener, 50), pct(lastListener, 99), pct(lastListener, 100))
	if len(addrs) > 1 {
		// Each instance's own last listener: where a question was asked matters less than how
		// soon the others hear of it.
		for k, addr := range addrs {
			last := map[string]time.Duration{}
			for _, l := range listeners {
				if l.id%len(addrs) == k {
					for _, a := range l.arrivals {
						last[a.body] = max(last[a.body], a.after)
					}
				}
			}
			var ds []time.Duration
			for _, d := range last {
				ds = append(ds, d)
			}
			slices.Sort(ds)
			fmt.Printf("  on %s: last listener p50 %v p99 %v\n", addr, pct(ds, 50), pct(ds, 99))
		}
	}
	perSecond := func(v int64) float64 { return float64(v) / float64(*n) / elapsed.Seconds() }
	fmt.Printf("frames per listener per second %.2f (of them vote counts %.2f), in %.2f messages\n",
		perSecond(frames), perSecond(votes), perSecond(msgs))
	fmt.Printf("lost events %d, duplicated %d, disconnects %d\n", st.lost.Load(), st.dup.Load(), st.disconnects.Load())
	// Every listener that read throughout should end on the room's newest number.
	var newest uint64
	counted, behind := 0, 0
	for _, l := range listeners {
		if !l.stalls && !l.away.Load() {
			newest = max(newest, l.last)
			counted++
		}
	}
	for _, l := range listeners {
		if !l.stalls && !l.away.Load() && l.last < newest {
			behind++
		}
	}
	fmt.Printf("at the end: %d listeners, newest number %d, %d behind it\n", counted, newest, behind)
	return nil
}

// reconnect drops k listeners at once, asks three questions while they are away, and brings
// them back with the last number each had: each should be served what it missed (replay), not
// a fresh snapshot, within 15 s.
func reconnect(ctx context.Context, listeners []*listener, k int, session int64, origin string, addrs []string) {
	var away []*listener
	for _, l := range listeners[1:] {
		if len(away) == k {
			break
		}
		if l.id%100 == 0 {
			continue // it may be a stalled one
		}
		l.away.Store(true)
		_ = l.conn.Close()
		away = append(away, l)
	}
	for _, l := range away {
		<-l.gone
	}
	stay := listeners[len(listeners)-1]
	for i := range 3 {
		stay.send(map[string]any{"type": "ask", "body": fmt.Sprintf("while away %d", i), "anonymous": true})
	}
	time.Sleep(time.Second)
	target := stay.last
	start := time.Now()
	var replayed, snapshots, recovered atomic.Int64
	var mu sync.Mutex
	var times []time.Duration
	sem := make(chan struct{}, 500)
	var wg sync.WaitGroup
	for _, l := range away {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			base := addrs[l.id%len(addrs)]
			u := "ws" + strings.TrimPrefix(base, "http") + fmt.Sprintf("/sessions/%d/live?since=%d", session, l.last)
			org := origin
			if org == "" {
				org = base
			}
			conn, _, err := (&websocket.Dialer{HandshakeTimeout: 15 * time.Second}).DialContext(ctx, u, http.Header{"Origin": {org}, "Cookie": {l.cookie}})
			if err != nil {
				return
			}
			defer conn.Close()
			last, first := l.last, true
			_ = conn.SetReadDeadline(start.Add(15 * time.Second))
			for last < target {
				_, msg, err := conn.ReadMessage()
				if err != nil {
					return
				}
				for _, line := range bytes.Split(msg, []byte("\n")) {
					var f struct {
						Type string `json:"type"`
						Seq  uint64 `json:"seq"`
					}
					if json.Unmarshal(line, &f) != nil {
						continue
					}
					if first && (f.Type == "snapshot" || f.Seq != 0) {
						first = false
						if f.Type == "snapshot" {
							snapshots.Add(1)
						} else {
							replayed.Add(1)
						}
					}
					if f.Seq > last {
						last = f.Seq
					}
				}
			}
			recovered.Add(1)
			mu.Lock()
			times = append(times, time.Since(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(times)
	fmt.Printf("reconnected %d at once: %d caught up within 15 s (%.1f%%), %d by replay, %d by snapshot; caught up p50 %v p99 %v\n",
		len(away), recovered.Load(), 100*float64(recovered.Load())/float64(max(len(away), 1)), replayed.Load(), snapshots.Load(),
		pct(times, 50), pct(times, 99))
}

func (l *listener) send(v map[string]any) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	_ = l.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_ = l.conn.WriteJSON(v)
}

// reading picks a listener at random among those that read: who asks or votes has the page
// working, and a page that works reads; stalled listeners stand for frozen tabs and lost
// phones, which neither read nor send.
func reading(listeners []*listener) *listener {
	for {
		if l := listeners[rand.IntN(len(listeners))]; !l.stalls {
			return l
		}
	}
}

// votesFrame is how a counts frame begins.
var votesFrame = []byte(`{"type":"votes",`)

// read takes the listener's frames until its connection ends, checking their numbers and
// noting when each question arrived (in the listener's own list: a lock shared by ten
// thousand readers would add its waits to what is measured). A stalled listener reads its
// snapshot, then nothing.

func (l *listener) read(ctx context.Context, st *qaStats, sent *sync.Map, ids *questionIDs, ready chan<- struct{}, stalls bool) {
	first := true
	var buf bytes.Buffer // reused: the generator shares the server's cores, so it makes little garbage
	for {
		_, r, err := l.conn.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		msg := buf.Bytes()
		if err != nil {
			if ctx.Err() == nil && !l.away.Load() && !errors.Is(err, websocket.ErrCloseSent) && !websocket.IsCloseError(err, websocket.CloseNormalClosure) &&
				!strings.Contains(err.Error(), "use of closed") {
				st.disconnects.Add(1)
			}
			return
		}
		now := time.Now()
		atomic.AddInt64(&l.msgs, 1)
		for len(msg) > 0 {
			line := msg
			if i := bytes.IndexByte(msg, '\n'); i >= 0 {
				line, msg = msg[:i], msg[i+1:]
			} else {
				msg = nil
			}
			// Counts frames are most of what arrives and carry no number: counted unparsed, so
			// that the generator, on the server's machine, takes less of its CPU.
			if bytes.HasPrefix(line, votesFrame) {
				atomic.AddInt64(&l.frames, 1)
				atomic.AddInt64(&l.votes, 1)
				continue
			}
			// So are numbered frames, but for their number and, in a new question, its text:
			// decoding ten thousand copies of each question was a fifth of the generator's CPU.
			if seq, body, ok := scanNumbered(line); ok && l.id != ids.reporter {
				atomic.AddInt64(&l.frames, 1)
				l.sequence(st, seq)
				if body != nil {
					if at, ok := sent.Load(string(body)); ok {
						l.arrivals = append(l.arrivals, arrival{string(body), now.Sub(at.(time.Time))})
					}
				}
				continue
			}
			var f struct {
				Type     string `json:"type"`
				Seq      uint64 `json:"seq"`
				Question struct {
					ID   int64  `json:"id"`
					Body string `json:"body"`
				} `json:"question"`
			}
			if err := json.Unmarshal(line, &f); err != nil {
				continue
			}
			atomic.AddInt64(&l.frames, 1)
			switch {
			case f.Type == "snapshot":
				l.last = f.Seq
			case f.Type == "votes":
				atomic.AddInt64(&l.votes, 1)
			case f.Seq != 0:
				l.sequence(st, f.Seq)
			}
			if f.Type == "question.created" {
				if l.id == ids.reporter {
					ids.add(f.Question.ID)
				}
				if at, ok := sent.Load(f.Question.Body); ok {
					d := now.Sub(at.(time.Time))
					l.arrivals = append(l.arrivals, arrival{f.Question.Body, d})
				}
			}
		}
		if first {
			first = false
			ready <- struct{}{}
			if stalls {
				<-l.stop
				return
			}
		}
	}
}

// sequence checks a numbered frame's number against the last one the listener had.
func (l *listener) sequence(st *qaStats, seq uint64) {
	switch {
	case seq == l.last+1:
	case seq <= l.last:
		st.dup.Add(1)
	default:
		st.lost.Add(int64(seq - l.last - 1))
	}
	l.last = max(l.last, seq)
}

// Numbered frames begin with their number; a new question's has its text after "body".
var (
	seqPrefix   = []byte(`{"seq":`)
	createdType = []byte(`"type":"question.created"`)
	bodyField   = []byte(`"body":"`)
)

// scanNumbered reads a numbered frame's number and, when it tells of a new question, the
// question's text (the generator's own, which needs no unescaping), without decoding it; ok
// is false for any other frame.
func scanNumbered(line []byte) (seq uint64, body []byte, ok bool) {
	rest, found := bytes.CutPrefix(line, seqPrefix)
	if !found {
		return 0, nil, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	seq, err := strconv.ParseUint(string(rest[:end]), 10, 64)
	if err != nil || seq == 0 {
		return 0, nil, false
	}
	if !bytes.Contains(rest, createdType) {
		return seq, nil, true
	}
	_, after, found := bytes.Cut(rest, bodyField)
	if !found {
		return 0, nil, false
	}
	text, _, found := bytes.Cut(after, []byte(`"`))
	if !found || bytes.IndexByte(text, '\\') >= 0 {
		return 0, nil, false
	}
	return seq, text, true
}

// questionIDs are the questions asked so far, for voters to pick from.
type questionIDs struct {
	reporter int // the listener that notes them: one that reads
	mu       sync.Mutex
	ids      []int64
}

func (q *questionIDs) pick() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ids) == 0 {
		return 0
	}
	// Mostly the newest: a room votes on what it has just read.
	return q.ids[max(0, len(q.ids)-1-rand.IntN(min(len(q.ids), 5)))]
}

func (q *questionIDs) add(id int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ids = append(q.ids, id)
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := (len(ds)*p + 99) / 100
	return ds[min(max(i-1, 0), len(ds)-1)].Round(time.Millisecond)
}

// goMemory is the Go runtime's and the process's figures a server publishes on /metrics
// (answered on loopback), or nil when it does not answer.
func goMemory(base string) map[string]float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
			continue
		}
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			out[name] = v
		}
	}
	return out
}

// ownCPU is the CPU time this process has used, user and system.
func ownCPU() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// rss is a process's resident memory, from /proc (0 when unknown).
func rss(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
