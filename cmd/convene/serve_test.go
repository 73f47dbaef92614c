package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store/storetest"
)

// asConvene makes the test binary run as the convene command: the servers these tests start
// are real `convene serve` processes, built from the same code without a separate build.
const asConvene = "CONVENE_TEST_AS_CONVENE"

func TestMain(m *testing.M) {
	if os.Getenv(asConvene) == "1" {
		main()
	}
	os.Exit(storetest.Main(m))
}

// convene runs the command with args on database url and returns what it printed.
func convene(t *testing.T, url string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asConvene+"=1", "CONVENE_DATABASE_URL="+url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("convene %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// server is a `convene serve` process.
type server struct {
	base string
	out  *lockedBuffer
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serve starts `convene serve` on a port of its own and waits until it is ready; it is stopped
// (and its output shown, if the test failed) when the test ends.
func serve(t *testing.T, url string, env ...string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{base: "http://" + addr, out: &lockedBuffer{}}
	cmd := exec.Command(os.Args[0], "serve", "--addr", addr)
	cmd.Env = append(os.Environ(), append(env, asConvene+"=1", "CONVENE_DATABASE_URL="+url, "CONVENE_BASE_URL="+s.base)...)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("the server at %s said:\n%s", s.base, s.out)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server at %s did not become ready: %v\n%s", s.base, err, s.out)
		}
	}
}

// frame is what the tests read of a live frame.
type frame struct {
	Type      string `json:"type"`
	Seq       uint64 `json:"seq"`
	Ref       int64  `json:"ref"`
	Code      string `json:"code"`
	Questions []struct {
		ID   int64  `json:"id"`
		Body string `json:"body"`
	} `json:"questions"`
	Question struct {
		ID   int64  `json:"id"`
		Body string `json:"body"`
	} `json:"question"`
}

// listener is a browser's live socket on a session, as an anonymous device; it checks that
// numbered frames come one after the other and keeps the questions it was shown.
type listener struct {
	t      *testing.T
	name   string
	conn   *websocket.Conn
	last   uint64
	queued []frame
	bodies map[int64]string
	order  []string // question bodies as they were created
}

func listen(t *testing.T, s *server, sessionID int64, name string) *listener {
	t.Helper()
	u := fmt.Sprintf("ws%s/sessions/%d/live", strings.TrimPrefix(s.base, "http"), sessionID)
	h := http.Header{"Origin": {s.base}, "Cookie": {"convene_qa=" + strings.Repeat(name[:1], 8) + fmt.Sprintf("%024d", time.Now().UnixNano())}}
	conn, _, err := (&websocket.Dialer{HandshakeTimeout: 5 * time.Second}).Dial(u, h)
	if err != nil {
		t.Fatalf("%s dialling %s: %v", name, u, err)
	}
	t.Cleanup(func() { conn.Close() })
	l := &listener{t: t, name: name, conn: conn, bodies: map[int64]string{}}
	if f := l.next(); f.Type != "snapshot" {
		t.Fatalf("%s: the first frame is %q, not a snapshot", name, f.Type)
	}
	return l
}

// next is the listener's next frame; a dropped connection or a number out of order fails the
// test.
func (l *listener) next() frame {
	l.t.Helper()
	for len(l.queued) == 0 {
		_ = l.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, msg, err := l.conn.ReadMessage()
		if err != nil {
			l.t.Fatalf("%s: the connection was dropped or went silent after number %d: %v", l.name, l.last, err)
		}
		for _, line := range bytes.Split(msg, []byte("\n")) {
			var f frame
			if err := json.Unmarshal(line, &f); err != nil {
				l.t.Fatalf("%s: a frame that is not JSON: %q", l.name, line)
			}
			switch {
			case f.Type == "snapshot":
				l.last = f.Seq
				for _, q := range f.Questions {
					l.bodies[q.ID] = q.Body
				}
			case f.Seq != 0:
				if f.Seq != l.last+1 {
					l.t.Fatalf("%s: number %d came after %d", l.name, f.Seq, l.last)
				}
				l.last = f.Seq
			}
			if f.Type == "question.created" {
				l.bodies[f.Question.ID] = f.Question.Body
				l.order = append(l.order, f.Question.Body)
			}
			l.queued = append(l.queued, f)
		}
	}
	f := l.queued[0]
	l.queued = l.queued[1:]
	return f
}

// ask asks body on the listener's socket and waits for its "ok".
func (l *listener) ask(ref int64, body string) {
	l.t.Helper()
	if err := l.conn.WriteJSON(map[string]any{"type": "ask", "ref": ref, "body": body, "anonymous": true}); err != nil {
		l.t.Fatalf("%s asking: %v", l.name, err)
	}
	for {
		f := l.next()
		switch {
		case f.Ref != ref:
		case f.Type == "ok":
			return
		case f.Type == "error":
			l.t.Fatalf("%s: asking %q was refused: %s", l.name, body, f.Code)
		}
	}
}

// upTo reads until the listener has seen number seq.
func (l *listener) upTo(seq uint64) {
	l.t.Helper()
	for l.last < seq || len(l.queued) > 0 {
		l.next()
	}
}

// TestTwoServersShareLiveRooms: two `convene serve` processes on different ports share one
// PostgreSQL. Questions asked on one reach the listeners of both, every number in order; then
// every connection to the database is cut, as a PostgreSQL restart does, and both servers find
// it again: questions asked on either still reach everyone, no listener is dropped, and all of
// them, and a newcomer on each server, end with the same questions.
func TestTwoServersShareLiveRooms(t *testing.T) {
	db := storetest.Open(t, storetest.Postgres)
	convene(t, db.URL, "seed", "demo")
	ctx := context.Background()
	var sessionID int64
	if err := db.NewSelect().Table("qa_settings").Column("session_id").Where("who_asks = 'anyone'").Scan(ctx, &sessionID); err != nil {
		t.Fatalf("the demo's question room: %v", err)
	}
	env := []string{"CONVENE_RATE_QUESTION=100/1m"}
	a := serve(t, db.URL, env...)
	b := serve(t, db.URL, env...)
	onA := []*listener{listen(t, a, sessionID, "asker on A"), listen(t, a, sessionID, "listener on A")}
	onB := []*listener{listen(t, b, sessionID, "asker on B"), listen(t, b, sessionID, "listener on B")}
	everyone := append(append([]*listener{}, onA...), onB...)

	var asked []string
	askOn := func(l *listener, n int) {
		for range n {
			body := fmt.Sprintf("¿Pregunta %d, hecha en %s?", len(asked)+1, l.name)
			l.ask(int64(len(asked)+1), body)
			asked = append(asked, body)
		}
	}
	// settle reads every listener up to the room's last number, and checks each was shown every
	// question asked, in the order asked.
	settle := func(when string) {
		t.Helper()
		var seq uint64
		if err := db.NewSelect().Table("live_rooms").Column("seq").Where("room = ?", fmt.Sprintf("session:%d", sessionID)).Scan(ctx, &seq); err != nil {
			t.Fatal(err)
		}
		for _, l := range everyone {
			l.upTo(seq)
			if got := strings.Join(l.order, " | "); got != strings.Join(asked, " | ") {
				t.Fatalf("%s, %s was shown\n%s\nnot\n%s", when, l.name, got, strings.Join(asked, " | "))
			}
		}
	}

	askOn(onA[0], 5)
	askOn(onB[0], 5)
	settle("before the restart")

	// What a restart does to the servers: every connection ended, idle ones in their pools
	// and those listening. The first question after it must not fail for it.
	var cut []int64
	if err := db.NewRaw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).
		Scan(ctx, &cut); err != nil || len(cut) < 2 {
		t.Fatalf("the servers' connections: %d, %v", len(cut), err)
	}
	if _, err := db.NewRaw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid IN (?)`, bun.List(cut)).Exec(ctx); err != nil {
		t.Fatalf("cutting the servers' connections: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left, err := db.NewSelect().TableExpr("pg_stat_activity").Where("pid IN (?)", bun.List(cut)).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections outlived pg_terminate_backend", left)
		}
	}
	askOn(onB[0], 5)
	askOn(onA[0], 5)
	settle("after the restart")

	want := everyone[0].bodies
	for _, l := range append(everyone, listen(t, a, sessionID, "newcomer on A"), listen(t, b, sessionID, "newcomer on B")) {
		if len(l.bodies) != len(want) {
			t.Fatalf("%s holds %d questions, %s %d", l.name, len(l.bodies), everyone[0].name, len(want))
		}
		for id, body := range want {
			if l.bodies[id] != body {
				t.Fatalf("%s holds %q as question %d, %s %q", l.name, l.bodies[id], id, everyone[0].name, body)
			}
		}
	}
}
