package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/store/storetest"
)

func TestDeliveryOverSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, serverOptions{})
		clk := clock.NewFixed(t0)
		m := mail.Message{To: "lucía.nuñez@example.org", Language: "es", Subject: "Confirmación de inscripción: ¿asistirás?",
			Text: "Hola, Lucía Núñez:\n\nTu lugar en el foro «Ciberseguridad y niñez» está confirmado.\n\nhttps://convene.example/r/ñ1",
			HTML: "<p>Hola, Lucía Núñez:</p>"}
		id := enqueue(t, db.DB, clk.Now(), m)
		w := newWorker(db, smtpSender(t, srv.addr, "", "tls=none"), clk)
		if sent, err := w.RunOnce(ctx); err != nil || sent != 1 {
			t.Fatalf("RunOnce = %d, %v", sent, err)
		}
		got := srv.messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages", len(got))
		}
		if got[0].From != "convene@example.org" || got[0].To != m.To {
			t.Errorf("envelope from %q to %q", got[0].From, got[0].To)
		}
		p := parseMessage(t, got[0].Raw)
		want := parsed{Subject: m.Subject, To: "<" + m.To + ">", ContentLanguage: "es", AutoSubmitted: "auto-generated",
			Text: m.Text, HTML: m.HTML}
		if p != want {
			t.Errorf("received\n%+v\nwant\n%+v", p, want)
		}
		r := rowOf(t, db.DB, id)
		if r.SentAt == nil || !r.SentAt.Equal(t0) || r.Attempts != 1 || r.LastError != "" {
			t.Errorf("row after delivery: %+v", r)
		}
		clk.Advance(time.Hour)
		if sent, err := w.RunOnce(ctx); err != nil || sent != 0 || len(srv.messages()) != 1 {
			t.Fatalf("a sent message went out again: RunOnce = %d, %v", sent, err)
		}
	})
}

func TestRetriesWithBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, serverOptions{})
		srv.set(func(s *smtpServer) { s.refuse = 2 })
		clk := clock.NewFixed(t0)
		w := newWorker(db, smtpSender(t, srv.addr, "", "tls=none"), clk)
		id := enqueue(t, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "en", Subject: "s", Text: "t"})

		steps := []struct {
			name     string
			advance  func(r outboxRow) time.Duration // how far to move the clock before the run
			attempts int
			sent     bool
			wait     [2]time.Duration // next_attempt_at - now must lie in this range when not sent
		}{
			{"first try refused", func(outboxRow) time.Duration { return 0 }, 1, false, [2]time.Duration{24 * time.Second, 36 * time.Second}},
			{"not due before the backoff", func(outboxRow) time.Duration { return 20 * time.Second }, 1, false, [2]time.Duration{4 * time.Second, 16 * time.Second}},
			{"second try refused, wait doubled", func(r outboxRow) time.Duration { return r.NextAttemptAt.Sub(clk.Now()) }, 2, false, [2]time.Duration{48 * time.Second, 72 * time.Second}},
			{"third try delivered", func(r outboxRow) time.Duration { return r.NextAttemptAt.Sub(clk.Now()) }, 3, true, [2]time.Duration{}},
		}
		for _, st := range steps {
			clk.Advance(st.advance(rowOf(t, db.DB, id)))
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			r := rowOf(t, db.DB, id)
			if r.Attempts != st.attempts || (r.SentAt != nil) != st.sent || r.FailedAt != nil {
				t.Fatalf("%s: %+v", st.name, r)
			}
			if st.sent {
				if r.LastError != "" || !r.SentAt.Equal(clk.Now()) {
					t.Fatalf("%s: %+v", st.name, r)
				}
				continue
			}
			if wait := r.NextAttemptAt.Sub(clk.Now()); wait < st.wait[0] || wait > st.wait[1] {
				t.Fatalf("%s: next attempt in %s, want %s to %s", st.name, wait, st.wait[0], st.wait[1])
			}
			if !strings.Contains(r.LastError, "451") {
				t.Fatalf("%s: last_error %q", st.name, r.LastError)
			}
		}
		if srv.transfers() != 3 || len(srv.messages()) != 1 {
			t.Fatalf("server saw %d transfers and kept %d messages", srv.transfers(), len(srv.messages()))
		}
	})
}

func TestOutageLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		addr := freeAddr(t) // the mail server is down
		clk := clock.NewFixed(t0)
		w := newWorker(db, smtpSender(t, addr, "", "tls=none"), clk)
		const n = 3
		for i := range n {
			enqueue(t, db.DB, clk.Now(), mail.Message{To: fmt.Sprintf("p%d@example.org", i), Language: "es", Subject: "s", Text: "t"})
		}
		for range 4 {
			if sent, err := w.RunOnce(ctx); err != nil || sent != 0 {
				t.Fatalf("RunOnce during the outage = %d, %v", sent, err)
			}
			clk.Advance(2 * time.Hour)
		}
		if got := count(t, db.DB, "sent_at IS NULL AND failed_at IS NULL AND attempts = 4 AND last_error <> ''"); got != n {
			t.Fatalf("%d of %d messages still waiting with their errors recorded", got, n)
		}
		srv := startSMTP(t, serverOptions{addr: addr})
		if sent, err := w.RunOnce(ctx); err != nil || sent != n {
			t.Fatalf("RunOnce after the outage = %d, %v", sent, err)
		}
		if len(srv.messages()) != n || count(t, db.DB, "sent_at IS NOT NULL") != n {
			t.Fatalf("after the outage: %d delivered", len(srv.messages()))
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, serverOptions{})
		srv.set(func(s *smtpServer) { s.refuse = 100 })
		clk := clock.NewFixed(t0)
		w := newWorker(db, smtpSender(t, srv.addr, "", "tls=none"), clk)
		w.MaxAttempts = 3
		id := enqueue(t, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "es", Subject: "s", Text: "t"})
		for range 6 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Advance(2 * time.Hour)
		}
		r := rowOf(t, db.DB, id)
		if r.FailedAt == nil || r.Attempts != 3 || r.SentAt != nil || !strings.Contains(r.LastError, "451") {
			t.Fatalf("row %+v, want given up after 3 attempts", r)
		}
		if srv.transfers() != 3 {
			t.Fatalf("server saw %d attempts, want 3", srv.transfers())
		}
	})
}

func TestPermanentRejections(t *testing.T) {
	cases := []struct {
		name      string
		configure func(s *smtpServer)
		giveUp    bool
	}{
		{"unknown recipient (550 to RCPT)", func(s *smtpServer) {
			s.rcptErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}, true},
		{"message refused (554 after DATA)", func(s *smtpServer) {
			s.refuse, s.dataErr = 1, &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "refused"}
		}, true},
		{"mailbox busy (450 to RCPT) is retried", func(s *smtpServer) {
			s.rcptErr = &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "busy"}
		}, false},
		{"sender refused (550 to MAIL FROM), a settings problem, is retried", func(s *smtpServer) {
			s.mailErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "not allowed"}
		}, false},
	}
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				srv := startSMTP(t, serverOptions{})
				srv.set(tc.configure)
				clk := clock.NewFixed(t0)
				id := enqueue(t, db.DB, clk.Now(), mail.Message{To: "x@example.org", Language: "es", Subject: "s", Text: "t"})
				if _, err := newWorker(db, smtpSender(t, srv.addr, "", "tls=none"), clk).RunOnce(context.Background()); err != nil {
					t.Fatal(err)
				}
				r := rowOf(t, db.DB, id)
				if r.Attempts != 1 || (r.FailedAt != nil) != tc.giveUp || r.SentAt != nil || r.LastError == "" {
					t.Fatalf("row %+v, give up %v", r, tc.giveUp)
				}
				if !tc.giveUp && !r.NextAttemptAt.After(clk.Now()) {
					t.Fatalf("retry not scheduled: %+v", r)
				}
			})
		}
	})
}

// TestHangUpAfterAcceptance: a server that accepts a message and then drops the line has the
// message; it is marked sent and not sent again.
func TestHangUpAfterAcceptance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, serverOptions{hangUp: true})
		clk := clock.NewFixed(t0)
		w := newWorker(db, smtpSender(t, srv.addr, "", "tls=none"), clk)
		id := enqueue(t, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "es", Subject: "s", Text: "t"})
		for range 2 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Hour)
		}
		if r := rowOf(t, db.DB, id); r.SentAt == nil || r.Attempts != 1 || srv.transfers() != 1 {
			t.Fatalf("row %+v after %d transfers", r, srv.transfers())
		}
	})
}

// TestNoDoubleSend runs several workers at once on the same rows: every message is sent once.
func TestNoDoubleSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, serverOptions{})
		clk := clock.NewFixed(t0)
		const total, workers = 40, 4
		for i := range total {
			enqueue(t, db.DB, clk.Now(), mail.Message{To: "x@example.org", Language: "es", Subject: fmt.Sprintf("n%02d", i), Text: "t"})
		}
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				w := newWorker(db, smtpSender(t, srv.addr, "", "tls=none"), clk)
				w.Batch = 3
				for {
					sent, err := w.RunOnce(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if sent == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for _, m := range srv.messages() {
			seen[parseMessage(t, m.Raw).Subject]++
		}
		for i := range total {
			if s := fmt.Sprintf("n%02d", i); seen[s] != 1 {
				t.Errorf("message %s delivered %d times", s, seen[s])
			}
		}
		if got := count(t, db.DB, "sent_at IS NOT NULL AND attempts = 1"); got != total {
			t.Fatalf("%d rows marked sent after one attempt, want %d", got, total)
		}
	})
}

// recorder is a Sender that keeps what it is given; before, when set, runs first.
type recorder struct {
	mu     sync.Mutex
	msgs   []mail.Message
	before func(m mail.Message)
	sent   chan mail.Message // optional, told of every message
}

func (r *recorder) Send(_ context.Context, _ string, m mail.Message) error {
	if r.before != nil {
		r.before(m)
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	if r.sent != nil {
		r.sent <- m
	}
	return nil
}

// TestLeaseKeepsOtherWorkersOff: a claimed message is left alone while its worker sends it, and
// taken over once the lease has run out (its worker died).
func TestLeaseKeepsOtherWorkersOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		started, release := make(chan struct{}), make(chan struct{})
		slow := &recorder{before: func(mail.Message) { close(started); <-release }}
		a := newWorker(db, slow, clk)
		id := enqueue(t, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "es", Subject: "s", Text: "t"})
		done := make(chan error, 1)
		go func() { _, err := a.RunOnce(ctx); done <- err }()
		<-started

		other := &recorder{}
		b := newWorker(db, other, clk)
		clk.Advance(a.Lease - time.Second)
		if sent, err := b.RunOnce(ctx); err != nil || sent != 0 {
			t.Fatalf("second worker during the lease: %d, %v", sent, err)
		}
		clk.Advance(2 * time.Second)
		if sent, err := b.RunOnce(ctx); err != nil || sent != 1 {
			t.Fatalf("second worker after the lease: %d, %v", sent, err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if r := rowOf(t, db.DB, id); r.SentAt == nil {
			t.Fatalf("row %+v", r)
		}
	})
}

// TestSlowServerNoDoubleSend: two workers share a queue that a slow mail server takes longer
// to drain than a lease lasts. The second worker takes over the rows whose lease ran out before
// the first reached them, and the first skips those: every message is delivered once, and each
// worker delivered some. (A send takes a tenth of half the lease, the margin the worker counts
// on, so a loaded machine does not turn the check into a race.)
func TestSlowServerNoDoubleSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		srv := startSMTP(t, serverOptions{})
		srv.set(func(s *smtpServer) { s.delay = 100 * time.Millisecond })
		clk := clock.System{}
		const total = 30
		for i := range total {
			enqueue(t, db.DB, clk.Now(), mail.Message{To: "x@example.org", Language: "es", Subject: fmt.Sprintf("n%02d", i), Text: "t"})
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var wg sync.WaitGroup
		var byWorker [2]atomic.Int32
		start := make(chan struct{})
		for i := range 2 {
			w := newWorker(db, countingSender{smtpSender(t, srv.addr, "", "tls=none"), &byWorker[i]}, clk)
			w.Lease, w.Poll = 2*time.Second, 20*time.Millisecond
			wg.Go(func() {
				if i == 1 {
					<-start // the first claims every row; the second can only take over
				}
				_ = w.Run(ctx)
			})
		}
		for count(t, db.DB, "claim <> ''") < total {
			time.Sleep(5 * time.Millisecond)
		}
		close(start)
		deadline := time.Now().Add(60 * time.Second)
		for count(t, db.DB, "sent_at IS NOT NULL") < total {
			if time.Now().After(deadline) {
				t.Fatalf("only %d of %d sent", count(t, db.DB, "sent_at IS NOT NULL"), total)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		wg.Wait()
		seen := map[string]int{}
		for _, m := range srv.messages() {
			seen[parseMessage(t, m.Raw).Subject]++
		}
		for i := range total {
			if s := fmt.Sprintf("n%02d", i); seen[s] != 1 {
				t.Errorf("message %s delivered %d times", s, seen[s])
			}
		}
		if a, b := byWorker[0].Load(), byWorker[1].Load(); a == 0 || b == 0 || a+b != total {
			t.Errorf("the first worker sent %d and the second %d, want both some and %d in all: the second never took over", a, b, total)
		}
		if n := count(t, db.DB, "body_text <> '' OR body_html <> ''"); n != 0 {
			t.Errorf("%d sent messages keep their body", n)
		}
	})
}

// countingSender counts what a sender delivered.
type countingSender struct {
	mail.Sender
	n *atomic.Int32
}

func (c countingSender) Send(ctx context.Context, from string, m mail.Message) error {
	err := c.Sender.Send(ctx, from, m)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

func TestRunAndWake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		clk := clock.NewFixed(t0)
		rec := &recorder{sent: make(chan mail.Message, 10)}
		w := newWorker(db, rec, clk)
		w.Poll = time.Hour // only Wake can explain a prompt second delivery
		idle := newWorker(db, rec, clk)
		for range 3 {
			idle.Wake() // never blocks, even with nobody listening
		}
		expect := func(subject string) {
			t.Helper()
			select {
			case m := <-rec.sent:
				if m.Subject != subject {
					t.Fatalf("sent %q, want %q", m.Subject, subject)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%q not sent", subject)
			}
		}
		enqueue(t, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "es", Subject: "first", Text: "t"})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() { stopped <- w.Run(ctx) }()
		expect("first") // sent by the first look, at start
		enqueue(t, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "es", Subject: "second", Text: "t"})
		w.Wake()
		expect("second")
		cancel()
		if err := <-stopped; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v", err)
		}
	})
}
