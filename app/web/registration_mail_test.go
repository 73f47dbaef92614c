package web_test

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	netmail "net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/emersion/go-smtp"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// mailbox is a real SMTP server in the test process (go-smtp) that keeps every message it
// accepts, and can be stopped and started again on the same address.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []*netmail.Message
	raw  []string
	stop func()
}

func (m *mailbox) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", m.addr)
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	srv := smtp.NewServer(m)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	m.stop = func() { ln.Close(); srv.Close(); <-done }
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }

type mailSession struct{ m *mailbox }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailSession) Reset()                               {}
func (s *mailSession) Logout() error                        { return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := netmail.ReadMessage(strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.msgs = append(s.m.msgs, msg)
	s.m.raw = append(s.m.raw, string(b))
	return nil
}

// to lists the messages to address, in the order received.
func (m *mailbox) to(address string) []*netmail.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*netmail.Message
	for _, msg := range m.msgs {
		if strings.Contains(msg.Header.Get("To"), address) {
			out = append(out, msg)
		}
	}
	return out
}

// calendarPart finds a message's text/calendar part and its method parameter.
func calendarPart(t *testing.T, msg *netmail.Message) (method string, cal *ical.Calendar) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("not multipart: %s (%v)", msg.Header.Get("Content-Type"), err)
	}
	var walk func(r *multipart.Reader)
	walk = func(r *multipart.Reader) {
		for {
			p, err := r.NextPart()
			if err != nil {
				return
			}
			pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			switch {
			case strings.HasPrefix(pt, "multipart/"):
				walk(multipart.NewReader(p, pp["boundary"]))
			case pt == "text/calendar" && cal == nil:
				body := decoded(t, p)
				c, err := ical.NewDecoder(strings.NewReader(body)).Decode()
				if err != nil {
					t.Fatalf("the invite does not parse: %v\n%s", err, body)
				}
				method, cal = pp["method"], c
			}
		}
	}
	walk(multipart.NewReader(msg.Body, params["boundary"]))
	if cal == nil {
		t.Fatalf("no text/calendar part in %q", msg.Header.Get("Subject"))
	}
	return method, cal
}

func decoded(t *testing.T, p *multipart.Part) string {
	t.Helper()
	b, err := io.ReadAll(p) // multipart decodes quoted-printable itself
	if err != nil {
		t.Fatal(err)
	}
	if p.Header.Get("Content-Transfer-Encoding") == "base64" {
		t.Fatal("base64 parts are not expected")
	}
	return string(b)
}

func eventOf(t *testing.T, cal *ical.Calendar) (uid string, seq int, cancelled bool) {
	t.Helper()
	ev := cal.Events()
	if len(ev) != 1 {
		t.Fatalf("%d events in an invite", len(ev))
	}
	uid = ev[0].Props.Get(ical.PropUID).Value
	fmt.Sscan(ev[0].Props.Get(ical.PropSequence).Value, &seq)
	status, _ := ev[0].Status()
	return uid, seq, status == ical.EventCancelled
}

// updatesDue lets the minute that gathers a programme's changes pass, and sweeps: the updated
// invites are queued.
func updatesDue(t *testing.T, s *site) {
	t.Helper()
	s.clock.Advance(registration.UpdateDelay + time.Second)
	if _, err := s.app.Registration.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// deliver runs the site's mail worker until the outbox has nothing due left.
func deliver(t *testing.T, s *site) {
	t.Helper()
	for range 50 {
		n, err := s.app.Worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox did not empty")
}

// pendingMail counts the messages not yet sent nor given up.
func pendingMail(t *testing.T, db *storetest.DB) int {
	t.Helper()
	n, err := db.NewSelect().Table("outbox").Where("sent_at IS NULL AND failed_at IS NULL").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// mailedDemo is the demo site sending its mail through a real SMTP server of the test's.
func mailedDemo(t *testing.T, db *storetest.DB) (*demoSite, *mailbox) {
	t.Helper()
	box := &mailbox{addr: "127.0.0.1:0"}
	box.start(t)
	t.Cleanup(func() { box.stop() })
	s := newSite(t, db, func(c *config.Config) { c.SMTPURL = "smtp://" + box.addr + "?tls=none" })
	d := &demoSite{site: s}
	ctx := context.Background()
	s.onDemo()
	if err := db.NewSelect().Table("processes").Column("id").Where("slug = 'encs-2017'").Scan(ctx, &d.processID); err != nil {
		t.Fatal(err)
	}
	return d, box
}

// TestInvitesByMail: through a real SMTP server, a registration's confirmation carries a
// text/calendar; method=REQUEST part that go-ical reads, with the feed's UID; a capped
// session's place carries the session's invite; moving the session sends it again with a
// higher SEQUENCE; cancelling the session sends METHOD:CANCEL. With the SMTP server stopped,
// nothing is lost: once it is back, every message arrives, each exactly once.
func TestInvitesByMail(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d, box := mailedDemo(t, db)
		s := d.site
		ctx := context.Background()
		online, workshop, _ := demoOnline(t, db)
		member := d.as("member")
		runAll(t, []scenario{
			{name: "registers", as: member, method: "POST", url: "/forums/consulta-en-linea/register",
				form:   url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "privacy": {privacy.Version}},
				status: http.StatusSeeOther},
			{name: "reserves the workshop", as: member, method: "POST", url: fmt.Sprintf("/sessions/%d/register", workshop.ID),
				form: url.Values{}, status: http.StatusSeeOther},
		})
		deliver(t, s)
		got := box.to("member@example.org")
		if len(got) != 2 {
			t.Fatalf("%d messages after registering, want 2", len(got))
		}
		// The forum's invite carries its sessions open to all, with the feeds' UIDs (the
		// workshop, with places of its own, comes with its place), stamped when it was made;
		// the room open all week leaves its attendee free.
		method, cal := calendarPart(t, got[0])
		evs := cal.Events()
		if method != "REQUEST" || len(evs) == 0 {
			t.Fatalf("the forum's invite: method %q, %d events", method, len(evs))
		}
		for _, ev := range evs {
			uid := ev.Props.Get(ical.PropUID).Value
			if !strings.HasPrefix(uid, "session-") || uid == fmt.Sprintf("session-%d@127.0.0.1", workshop.ID) {
				t.Errorf("the forum's invite holds %s", uid)
			}
			if st := ev.Props.Get(ical.PropDateTimeStamp).Value; st != s.clock.Now().UTC().Format("20060102T150405Z") {
				t.Errorf("%s: DTSTAMP %s, want when the message was made", uid, st)
			}
			start, _ := ev.DateTimeStart(time.UTC)
			end, _ := ev.DateTimeEnd(time.UTC)
			if tr := ev.Props.Get(ical.PropTransparency).Value; end.Sub(start) >= 24*time.Hour && tr != "TRANSPARENT" {
				t.Errorf("%s lasts %s and makes its attendee busy (%s)", uid, end.Sub(start), tr)
			}
			if a := ev.Props.Get(ical.PropAttendee); a == nil || a.Value != "mailto:member@example.org" {
				t.Errorf("%s: attendee %v", uid, a)
			}
		}
		if m := cal.Props.Get(ical.PropMethod); m == nil || m.Value != "REQUEST" {
			t.Fatalf("the calendar's METHOD: %v", m)
		}
		method, cal = calendarPart(t, got[1])
		uid, seq0, _ := eventOf(t, cal)
		if method != "REQUEST" || uid != fmt.Sprintf("session-%d@127.0.0.1", workshop.ID) {
			t.Fatalf("the session's invite: method %q, uid %q", method, uid)
		}
		feed, _ := icsOf(t, member, fmt.Sprintf("/sessions/%d.ics", workshop.ID))
		if fuid, _, _ := eventOf(t, feed); fuid != uid {
			t.Fatalf("the invite's UID %s is not the feed's %s", uid, fuid)
		}

		// The organiser moves the workshop an hour later.
		in := forums.SessionInput{Kind: workshop.Kind, QAMode: workshop.QAMode, Languages: workshop.Languages, Title: workshop.Title,
			Description: workshop.Description, TopicIDs: workshop.TopicIDs, Capacity: workshop.Capacity, ConfirmClash: true}
		zone, _ := time.LoadLocation(online.TimeZone)
		in.Start = workshop.StartsAt.In(zone).Add(time.Hour).Format("2006-01-02T15:04")
		in.End = workshop.EndsAt.In(zone).Add(time.Hour).Format("2006-01-02T15:04")
		if _, err := s.app.Forums.UpdateSession(ctx, audit.Actor{}, d.processID, online.ID, workshop.ID, in); err != nil {
			t.Fatal(err)
		}
		updatesDue(t, s)
		deliver(t, s)
		got = box.to("member@example.org")
		if len(got) != 3 {
			t.Fatalf("%d messages after the move, want 3", len(got))
		}
		method, cal = calendarPart(t, got[2])
		if uid2, seq1, _ := eventOf(t, cal); method != "REQUEST" || uid2 != uid || seq1 <= seq0 {
			t.Fatalf("the update: method %q, uid %q, sequence %d after %d", method, uid2, seq1, seq0)
		}

		// The SMTP server goes down; the workshop is cancelled and another person registers.
		box.stop()
		if _, err := s.app.Forums.CancelSession(ctx, audit.Actor{}, d.processID, online.ID, workshop.ID); err != nil {
			t.Fatal(err)
		}
		other := d.client()
		d.user("otra@example.org", false)
		other.signIn("otra@example.org")
		runAll(t, []scenario{{name: "registers while mail is down", as: other, method: "POST", url: "/forums/consulta-en-linea/register",
			form:   url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"expert"}, "privacy": {privacy.Version}},
			status: http.StatusSeeOther}})
		for range 3 {
			if _, err := s.app.Worker.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			s.clock.Advance(2 * time.Hour) // past any backoff
		}
		if n := pendingMail(t, db); n != 2 {
			t.Fatalf("%d messages waiting while the server is down, want 2", n)
		}
		box.start(t)
		deliver(t, s)
		if n := pendingMail(t, db); n != 0 {
			t.Fatalf("%d messages still waiting after the server came back", n)
		}
		got = box.to("member@example.org")
		if len(got) != 4 {
			t.Fatalf("%d messages to the member, want 4", len(got))
		}
		method, cal = calendarPart(t, got[3])
		if uid3, seq2, cancelled := eventOf(t, cal); method != "CANCEL" || uid3 != uid || !cancelled || seq2 <= seq0 {
			t.Fatalf("the cancellation: method %q, uid %q, cancelled %v, sequence %d", method, uid3, cancelled, seq2)
		}
		if m := cal.Props.Get(ical.PropMethod); m == nil || m.Value != "CANCEL" {
			t.Fatalf("the cancellation's METHOD: %v", m)
		}
		if n := len(box.to("otra@example.org")); n != 1 {
			t.Fatalf("%d messages to the second person, want exactly 1", n)
		}
		// Nothing more goes out later: each arrived once.
		s.clock.Advance(24 * time.Hour)
		deliver(t, s)
		if n := len(box.to("member@example.org")) + len(box.to("otra@example.org")); n != 5 {
			t.Fatalf("%d messages in all, want 5", n)
		}
	})
}

// TestOneUpdateForThreeMoves: an organiser moves a session three times within a minute; each
// person confirmed at the forum gets one update, through a real SMTP server, whose invite holds
// the session at its last time with a higher SEQUENCE than the invite they had.
func TestOneUpdateForThreeMoves(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d, box := mailedDemo(t, db)
		s := d.site
		hybrid, q, sv := demoHybridSession(t, db)
		member := d.as("member")
		runAll(t, []scenario{registersInPerson(member, hybrid, q)})
		deliver(t, s)
		got := box.to("member@example.org")
		if len(got) != 1 {
			t.Fatalf("%d messages after registering, want 1", len(got))
		}
		uid := fmt.Sprintf("session-%d@127.0.0.1", sv.ID)
		first := sessionIn(t, got[0], uid)
		org := d.apiClient(mustAccount(t, d, ""))
		zone, _ := time.LoadLocation(hybrid.TimeZone)
		var last time.Time
		for i := 1; i <= 3; i++ {
			last = sv.StartsAt.In(zone).Add(time.Duration(i) * time.Hour)
			r := org.api("PATCH", fmt.Sprintf("/api/v1/sessions/%d", sv.ID), fmt.Sprintf(`{"start":%q,"end":%q}`,
				last.Format("2006-01-02T15:04"), last.Add(sv.EndsAt.Sub(sv.StartsAt)).Format("2006-01-02T15:04")))
			if r.status != http.StatusOK {
				t.Fatalf("move %d: %d %s", i, r.status, excerpt(r.body))
			}
			s.clock.Advance(10 * time.Second)
		}
		deliver(t, s)
		if n := len(box.to("member@example.org")); n != 1 {
			t.Fatalf("%d messages before the minute's changes are in, want still 1", n)
		}
		updatesDue(t, s)
		deliver(t, s)
		s.clock.Advance(time.Hour)
		updatesDue(t, s)
		deliver(t, s)
		got = box.to("member@example.org")
		if len(got) != 2 {
			t.Fatalf("%d messages after three moves, want the first and one update", len(got))
		}
		update := sessionIn(t, got[1], uid)
		if update.seq <= first.seq || !update.start.Equal(last) {
			t.Fatalf("the update: sequence %d after %d, start %s, want after the first and %s", update.seq, first.seq, update.start, last)
		}
	})
}

type invited struct {
	seq   int
	start time.Time
}

// sessionIn reads the event uid of a message's invite.
func sessionIn(t *testing.T, raw *netmail.Message, uid string) invited {
	t.Helper()
	method, cal := calendarPart(t, raw)
	if method != "REQUEST" {
		t.Fatalf("method %q", method)
	}
	for _, ev := range cal.Events() {
		if ev.Props.Get(ical.PropUID).Value == uid {
			var out invited
			fmt.Sscan(ev.Props.Get(ical.PropSequence).Value, &out.seq)
			start, err := ev.DateTimeStart(time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			out.start = start
			return out
		}
	}
	t.Fatalf("no %s in the invite", uid)
	return invited{}
}

// TestOneEventPerInvite: calendar apps read one event per invitation (Thunderbird applies an
// update or a cancellation that carries several UIDs to the first one's event only, and
// duplicates or keeps the rest). So a forum's invite of two sessions is two messages with one
// VEVENT each; moving one session sends that session alone; cancelling the registration sends
// a CANCEL per session, each alone.
func TestOneEventPerInvite(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d, box := mailedDemo(t, db)
		s := d.site
		ctx := context.Background()
		hybrid, q, sv := demoHybridSession(t, db)
		zone, _ := time.LoadLocation(hybrid.TimeZone)
		second := forums.SessionInput{Kind: sv.Kind, QAMode: sv.QAMode, Languages: sv.Languages, ConfirmClash: true,
			Title: translated.Text{"es": "Segunda mesa", "en": "Second panel"},
			Start: sv.EndsAt.In(zone).Format("2006-01-02T15:04"), End: sv.EndsAt.In(zone).Add(time.Hour).Format("2006-01-02T15:04")}
		added, err := s.app.Forums.CreateSession(ctx, audit.Actor{}, d.processID, hybrid.ID, second)
		if err != nil {
			t.Fatal(err)
		}
		member := d.as("member")
		runAll(t, []scenario{registersInPerson(member, hybrid, q)})
		deliver(t, s)
		uids := func(msgs []*netmail.Message, method string) []string {
			t.Helper()
			var out []string
			for _, m := range msgs {
				got, cal := calendarPart(t, m)
				if evs := cal.Events(); got != method || len(evs) != 1 {
					t.Fatalf("a message with method %q and %d events, want %s with one", got, len(evs), method)
				}
				out = append(out, cal.Events()[0].Props.Get(ical.PropUID).Value)
			}
			slices.Sort(out)
			return out
		}
		both := []string{fmt.Sprintf("session-%d@127.0.0.1", sv.ID), fmt.Sprintf("session-%d@127.0.0.1", added.ID)}
		slices.Sort(both)
		if got := uids(box.to("member@example.org"), "REQUEST"); !slices.Equal(got, both) {
			t.Fatalf("invites of %v, want one message for each of %v", got, both)
		}
		s.clock.Advance(10 * time.Minute)
		moved := second
		moved.Start, moved.End = sv.EndsAt.In(zone).Add(time.Hour).Format("2006-01-02T15:04"), sv.EndsAt.In(zone).Add(2*time.Hour).Format("2006-01-02T15:04")
		if _, err := s.app.Forums.UpdateSession(ctx, audit.Actor{}, d.processID, hybrid.ID, added.ID, moved); err != nil {
			t.Fatal(err)
		}
		updatesDue(t, s)
		deliver(t, s)
		if got := uids(box.to("member@example.org")[2:], "REQUEST"); !slices.Equal(got, []string{fmt.Sprintf("session-%d@127.0.0.1", added.ID)}) {
			t.Fatalf("the update holds %v, want the moved session alone", got)
		}
		r := regOf(t, db, hybrid.ID, "member@example.org")
		runAll(t, []scenario{{name: "cancels", as: member, method: "POST", url: fmt.Sprintf("/registrations/%d/cancel", r.ID),
			form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther}})
		deliver(t, s)
		if got := uids(box.to("member@example.org")[3:], "CANCEL"); !slices.Equal(got, both) {
			t.Fatalf("the cancellation holds %v, want a CANCEL for each of %v", got, both)
		}
	})
}

// demoHybridSession is the demo's hybrid forum, its form's question and its first session.
func demoHybridSession(t *testing.T, db *storetest.DB) (forums.Forum, registration.Question, forums.SessionView) {
	t.Helper()
	hybrid, q := demoHybrid(t, db)
	list, err := forums.Programme(context.Background(), db.DB, hybrid.ID)
	if err != nil || len(list) == 0 {
		t.Fatalf("the hybrid forum's programme: %v", err)
	}
	return hybrid, q, list[0]
}

// registersInPerson is the step of c registering in person for the demo's hybrid forum.
func registersInPerson(c *client, hybrid forums.Forum, q registration.Question) scenario {
	return scenario{name: "registers", as: c, method: "POST", url: "/forums/" + hybrid.Slug + "/register",
		form: url.Values{"mode": {"in_person"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "privacy": {privacy.Version},
			fmt.Sprintf("answers.%d", q.ID): {"2"}}, status: http.StatusSeeOther}
}
