package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// liveClient is one live Q&A socket, as a page's script holds it.
type liveClient struct {
	t     *testing.T
	conn  *websocket.Conn
	last  uint64 // the last number received
	queue []liveFrame
	ref   int64
}

// liveFrame is what tests read of a server frame.
type liveFrame struct {
	Type      string    `json:"type"`
	Seq       uint64    `json:"seq"`
	Ref       int64     `json:"ref"`
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Question  qa.View   `json:"question"`
	Questions []qa.View `json:"questions"`
	Votes     map[string]int
}

// dialLive opens the live socket of session id as c, from the number since (0: a snapshot).
func dialLive(t *testing.T, d *demoSite, c *client, id int64, since uint64) *liveClient {
	t.Helper()
	u := fmt.Sprintf("ws%s/sessions/%d/live", strings.TrimPrefix(d.base, "http"), id)
	if since > 0 {
		u += fmt.Sprintf("?since=%d", since)
	}
	conn, resp, err := (&websocket.Dialer{Jar: c.http.Jar, HandshakeTimeout: 5 * time.Second}).Dial(u, http.Header{"Origin": {d.base}})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dialling %s: %v (%d)", u, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return &liveClient{t: t, conn: conn, last: since}
}

// next reads the next frame, checking that numbered frames come one after the other.
func (lc *liveClient) next() liveFrame {
	lc.t.Helper()
	for {
		f, ok := lc.pending()
		if ok {
			return f
		}
		_ = lc.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, msg, err := lc.conn.ReadMessage()
		if err != nil {
			lc.t.Fatalf("reading a frame: %v", err)
		}
		for _, line := range strings.Split(string(msg), "\n") {
			var f liveFrame
			if err := json.Unmarshal([]byte(line), &f); err != nil {
				lc.t.Fatalf("a frame that is not JSON: %q", line)
			}
			switch {
			case f.Type == "snapshot":
				lc.last = f.Seq
			case f.Seq != 0:
				if f.Seq != lc.last+1 {
					lc.t.Fatalf("frame %d after %d: lost or out of order", f.Seq, lc.last)
				}
				lc.last = f.Seq
			}
			lc.queue = append(lc.queue, f)
		}
	}
}

func (lc *liveClient) pending() (liveFrame, bool) {
	if len(lc.queue) == 0 {
		return liveFrame{}, false
	}
	f := lc.queue[0]
	lc.queue = lc.queue[1:]
	return f, true
}

// until reads frames until one of type kind (skipping others), and returns it.
func (lc *liveClient) until(kind string) liveFrame {
	lc.t.Helper()
	for {
		if f := lc.next(); f.Type == kind {
			return f
		}
	}
}

// send sends a client frame and returns the server's answer to it (ok or error).
func (lc *liveClient) send(v map[string]any) liveFrame {
	lc.t.Helper()
	lc.ref++
	v["ref"] = lc.ref
	if err := lc.conn.WriteJSON(v); err != nil {
		lc.t.Fatal(err)
	}
	var others []liveFrame
	defer func() { lc.queue = append(others, lc.queue...) }() // read later, in order
	for {
		f := lc.next()
		if (f.Type == "ok" || f.Type == "error") && f.Ref == lc.ref {
			return f
		}
		others = append(others, f)
	}
}

// TestLiveQuestions: over the live socket, a premoderated session's question reaches the
// moderator and its asker only until approved; participants cannot moderate; a second vote is
// refused; a hidden question leaves attendees' lists; every listener gets every number in order;
// one that comes back with its last number is sent what it missed; an anonymous device asks
// without an account.
func TestLiveQuestions(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		s, modC := qaSession(t, d, forums.QAPremoderated)
		ana, luis := d.client(), d.client()
		d.user("ana@example.org", false)
		d.user("luis@example.org", false)
		ana.signIn("ana@example.org")
		luis.signIn("luis@example.org")
		mod, asker, other := dialLive(t, d, modC, s.ID, 0), dialLive(t, d, ana, s.ID, 0), dialLive(t, d, luis, s.ID, 0)
		for _, lc := range []*liveClient{mod, asker, other} {
			if f := lc.next(); f.Type != "snapshot" {
				t.Fatalf("first frame %q, want the snapshot", f.Type)
			}
		}
		ok := asker.send(map[string]any{"type": "ask", "body": "¿Cómo participa la sociedad civil?"})
		if ok.Type != "ok" || ok.ID == 0 {
			t.Fatalf("asking: %+v", ok)
		}
		if f := mod.until("question.created"); f.Question.Status != qa.Pending || f.Question.Body == "" {
			t.Fatalf("the moderator got %+v", f)
		}
		if f := other.next(); f.Type != "none" {
			t.Fatalf("another attendee got %q of a pending question, want its number alone", f.Type)
		}
		if f := other.send(map[string]any{"type": "approve", "id": ok.ID}); f.Code != "qa_not_moderator" {
			t.Fatalf("a participant approving: %+v", f)
		}
		if f := mod.send(map[string]any{"type": "approve", "id": ok.ID}); f.Type != "ok" {
			t.Fatalf("approving: %+v", f)
		}
		if f := other.until("question.updated"); f.Question.Status != qa.Visible {
			t.Fatalf("after approval: %+v", f)
		}
		if f := other.send(map[string]any{"type": "vote", "id": ok.ID}); f.Type != "ok" {
			t.Fatalf("voting: %+v", f)
		}
		if f := other.send(map[string]any{"type": "vote", "id": ok.ID}); f.Code != "question_voted" {
			t.Fatalf("a second vote: %+v", f)
		}
		if f := other.until("votes"); f.Votes[fmt.Sprint(ok.ID)] != 1 {
			t.Fatalf("votes: %+v", f.Votes)
		}
		// The attendee goes away; the question is hidden meanwhile; back with its number, it is
		// told the question went, in order.
		back := other.last
		other.conn.Close()
		if f := mod.send(map[string]any{"type": "hide", "id": ok.ID, "reason": "off_topic", "note": "Otra mesa"}); f.Type != "ok" {
			t.Fatalf("hiding: %+v", f)
		}
		again := dialLive(t, d, luis, s.ID, back)
		if f := again.next(); f.Type != "question.removed" || f.ID != ok.ID {
			t.Fatalf("back after %d: %+v, want the question removed", back, f)
		}
		f := asker.until("question.updated")
		for f.Question.Status != qa.Hidden {
			f = asker.until("question.updated")
		}
		if f.Question.Reason != "off_topic" || f.Question.Note != "Otra mesa" {
			t.Fatalf("the asker is not told why: %+v", f.Question)
		}
		// A device without an account asks, when the session lets anyone ask.
		if f := mod.send(map[string]any{"type": "configure", "who_asks": "anyone", "anonymous": true}); f.Type != "ok" {
			t.Fatalf("configuring: %+v", f)
		}
		visitor := d.client()
		u, _ := url.Parse(d.base)
		visitor.http.Jar.SetCookies(u, []*http.Cookie{{Name: "convene_qa", Value: "a-device-key-of-twenty-four", Path: "/"}})
		anon := dialLive(t, d, visitor, s.ID, 0)
		anon.next()
		if f := anon.send(map[string]any{"type": "ask", "body": "¿Y los datos personales?", "anonymous": true}); f.Type != "ok" {
			t.Fatalf("an anonymous device asking: %+v", f)
		}
		var stored qa.Question
		if err := db.NewSelect().Model(&stored).Where("q.body LIKE ? AND q.session_id = ?", "%datos personales%", s.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if stored.AuthorID != nil || stored.AuthorName != "" || !strings.HasPrefix(stored.Owner, "d:") {
			t.Fatalf("an anonymous question stored with %v %q %q", stored.AuthorID, stored.AuthorName, stored.Owner)
		}
		// A draft forum's session has no socket for people who do not run its process.
		draft, err := d.app.Forums.Create(ctx, audit.Actor{}, d.processID, forums.Input{Slug: "borrador-en-vivo", Format: forums.FormatVirtual,
			OnlineURL: "https://meet.example.org/b", TimeZone: "America/Mexico_City", StartsOn: d.cdmx.StartsOn, EndsOn: d.cdmx.StartsOn,
			Title: translated.Text{"es": "Borrador", "en": "Draft"}})
		if err != nil {
			t.Fatal(err)
		}
		hidden, err := d.app.Forums.CreateSession(ctx, audit.Actor{}, d.processID, draft.ID, forums.SessionInput{Kind: forums.KindPanel,
			QAMode: forums.QAOpen, Start: d.cdmx.StartsOn + "T10:00", End: d.cdmx.StartsOn + "T11:00", Title: translated.Text{"es": "Oculta", "en": "Hidden"}})
		if err != nil {
			t.Fatal(err)
		}
		if conn, resp, err := (&websocket.Dialer{Jar: luis.http.Jar}).Dial(fmt.Sprintf("ws%s/sessions/%d/live", strings.TrimPrefix(d.base, "http"), hidden.ID),
			http.Header{"Origin": {d.base}}); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
			if conn != nil {
				conn.Close()
			}
			t.Fatalf("a draft's socket: %v", err)
		}
		// Plain requests and other origins get no socket.
		r := d.client().get(fmt.Sprintf("/sessions/%d/live", s.ID))
		if r.status != http.StatusUpgradeRequired {
			t.Fatalf("a plain request: %d", r.status)
		}
		if conn, _, err := (&websocket.Dialer{Jar: luis.http.Jar}).Dial(fmt.Sprintf("ws%s/sessions/%d/live", strings.TrimPrefix(d.base, "http"), s.ID),
			http.Header{"Origin": {"https://evil.example"}}); err == nil {
			conn.Close()
			t.Fatal("a page of another site opened a person's question socket")
		}
	})
}

// TestLiveQuestionsAcrossInstances: two instances share one PostgreSQL; questions asked through
// one reach the listeners of the other, every number in order, as they reach its own.
func TestLiveQuestionsAcrossInstances(t *testing.T) {
	t.Parallel()
	db := storetest.OpenFrom(t, storetest.Postgres, demo)
	a := newDemoSite(t, db)
	b := &demoSite{site: newSite(t, db), processID: a.processID, cdmx: a.cdmx}
	s, _ := qaSession(t, a, forums.QAOpen)
	a.user("ana@example.org", false)
	a.user("luis@example.org", false)
	asker, onB := a.client(), b.client()
	asker.signIn("ana@example.org")
	onB.signIn("luis@example.org")
	here, there := dialLive(t, a, asker, s.ID, 0), dialLive(t, b, onB, s.ID, 0)
	here.next()
	there.next()
	const n = 20
	for i := range n {
		if f := here.send(map[string]any{"type": "ask", "body": fmt.Sprintf("¿Pregunta %d?", i)}); f.Type != "ok" {
			t.Fatalf("asking %d: %+v", i, f)
		}
	}
	for i := range n {
		f := there.until("question.created")
		if want := fmt.Sprintf("¿Pregunta %d?", i); f.Question.Body != want {
			t.Fatalf("the other instance's listener got %q, want %q", f.Question.Body, want)
		}
	}
}

// TestQuietListenersHoldOneGoroutine: a listener with nothing to be sent holds its reader
// alone; its writer runs only while there is something to write. Not parallel: it counts the
// process's goroutines.
func TestQuietListenersHoldOneGoroutine(t *testing.T) {
	db := storetest.OpenFrom(t, storetest.SQLite, demo)
	d := newDemoSite(t, db)
	s, _ := qaSession(t, d, forums.QAOpen)
	settled := func() int {
		time.Sleep(200 * time.Millisecond)
		return runtime.NumGoroutine()
	}
	before := settled()
	const n = 40
	for range n {
		lc := dialLive(t, d, d.client(), s.ID, 0)
		if f := lc.next(); f.Type != "snapshot" {
			t.Fatalf("first frame %q", f.Type)
		}
	}
	if held := settled() - before; held > n*3/2 {
		t.Fatalf("%d quiet listeners hold %d goroutines", n, held)
	}
}

// TestSignedInListenersComeBackWithoutQueries: signed-in listeners dropped at once come back
// with their numbers and are served by replay; whether each moderates is asked once, not once a
// listener (5,000 of them coming back would make as many queries). The revisions every request
// reads, shared by those in flight, are not counted.
func TestSignedInListenersComeBackWithoutQueries(t *testing.T) {
	t.Parallel()
	count := &queryCount{skip: "FROM revisions"}
	db := storetest.OpenFrom(t, storetest.SQLite, demo)
	db = &storetest.DB{DB: db.WithQueryHook(count), Dialect: db.Dialect, URL: db.URL, Seed: db.Seed}
	d := newDemoSite(t, db)
	s, mod := qaSession(t, d, forums.QAOpen)
	d.user("ana@example.org", false)
	ana := d.client()
	ana.signIn("ana@example.org")
	first := dialLive(t, d, ana, s.ID, 0)
	first.next()
	modSocket := dialLive(t, d, mod, s.ID, 0)
	if f := modSocket.next(); f.Type != "snapshot" {
		t.Fatalf("the moderator's first frame: %q", f.Type)
	}
	var seq uint64
	for _, body := range []string{"¿Y el presupuesto?", "¿Y los plazos?"} {
		if f := first.send(map[string]any{"type": "ask", "body": body}); f.Type != "ok" {
			t.Fatalf("asking: %+v", f)
		}
		seq = first.until("question.created").Seq
	}
	const n = 30
	before := count.n.Load()
	var wg sync.WaitGroup
	clients := make([]*liveClient, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			clients[i] = dialLive(t, d, ana, s.ID, seq-1)
		}()
	}
	wg.Wait()
	queries := count.n.Load() - before
	for _, lc := range clients {
		if f := lc.next(); f.Type != "question.created" || f.Seq != seq {
			t.Fatalf("came back with %d and got %q %d, want the question by replay", seq-1, f.Type, f.Seq)
		}
	}
	if queries > n/3 {
		t.Fatalf("%d signed-in listeners coming back made %d queries", n, queries)
	}
}
