package mail_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"net"
	netmail "net/mail"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/frontend"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// smtpServer is a real SMTP server on loopback that keeps what it receives and can refuse.
type smtpServer struct {
	mu       sync.Mutex
	received []string // raw messages
	refuse   int      // refuse this many DATA commands with a 451
	addr     string
	srv      *smtp.Server
}

type backend struct{ s *smtpServer }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct{ s *smtpServer }

func (*session) Reset()                               {}
func (*session) Logout() error                        { return nil }
func (*session) Mail(string, *smtp.MailOptions) error { return nil }
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.refuse > 0 {
		ss.s.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	}
	ss.s.received = append(ss.s.received, string(b))
	return nil
}

func startSMTP(t *testing.T, addr string) *smtpServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String()}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { s.srv.Close() })
	return s
}

func (s *smtpServer) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

func sender(t *testing.T, addr string) *mail.SMTPSender {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	cfg, err := config.ParseSMTPURL("smtp://" + net.JoinHostPort(host, port) + "?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	snd, err := mail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return snd
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newWorker(db *storetest.DB, snd mail.Sender, clk clock.Clock) *mail.Worker {
	return mail.NewWorker(db.DB, snd, "Convene <convene@example.org>", clk, quietLogger())
}

func count(t *testing.T, db *storetest.DB, where string) int {
	t.Helper()
	n, err := db.NewSelect().Table("outbox").Where(where).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestDeliveryOverSMTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, "")
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		m := mail.Message{To: "lucía@example.org", Language: "es", Subject: "Confirmación de inscripción",
			Text: "Hola, Lucía:\n\nTu lugar está confirmado: https://convene.example/x", HTML: "<p>Hola, Lucía</p>"}
		if _, err := mail.Enqueue(ctx, db.DB, clk.Now(), mail.Message{To: "not an address"}); err == nil {
			t.Fatal("Enqueue accepted a bad recipient")
		}
		if _, err := mail.Enqueue(ctx, db.DB, clk.Now(), m); err != nil {
			t.Fatal(err)
		}
		n, err := newWorker(db, sender(t, srv.addr), clk).RunOnce(ctx)
		if err != nil || n != 1 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		got := srv.messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages", len(got))
		}
		msg, err := netmail.ReadMessage(strings.NewReader(got[0]))
		if err != nil {
			t.Fatal(err)
		}
		dec := new(mime.WordDecoder)
		subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
		if subject != m.Subject || !strings.Contains(msg.Header.Get("To"), "example.org") || msg.Header.Get("Content-Language") != "es" {
			t.Fatalf("headers: subject %q, to %q, lang %q", subject, msg.Header.Get("To"), msg.Header.Get("Content-Language"))
		}
		if !strings.Contains(got[0], "multipart/alternative") || !strings.Contains(got[0], "text/html") {
			t.Fatal("no HTML alternative")
		}
		if count(t, db, "sent_at IS NOT NULL") != 1 {
			t.Fatal("not marked sent")
		}
		if n, _ := newWorker(db, sender(t, srv.addr), clk).RunOnce(ctx); n != 0 {
			t.Fatal("a sent message was claimed again")
		}
	})
}

func TestRetriesWithBackoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, "")
		srv.refuse = 2
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		w := newWorker(db, sender(t, srv.addr), clk)
		if _, err := mail.Enqueue(ctx, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "en", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name     string
			advance  time.Duration
			attempts int
			sent     bool
		}{
			{"first try refused", 0, 1, false},
			{"not due yet", 20 * time.Second, 1, false},
			{"second try refused after ~30s", 20 * time.Second, 2, false},
			{"third try delivered after ~60s", 75 * time.Second, 3, true},
		}
		for _, st := range steps {
			clk.Advance(st.advance)
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			var row struct {
				Attempts int
				SentAt   *time.Time
			}
			if err := db.NewSelect().Table("outbox").Column("attempts", "sent_at").Limit(1).Scan(ctx, &row.Attempts, &row.SentAt); err != nil {
				t.Fatal(err)
			}
			if row.Attempts != st.attempts || (row.SentAt != nil) != st.sent {
				t.Fatalf("%s: attempts %d sent %v", st.name, row.Attempts, row.SentAt != nil)
			}
		}
	})
}

func TestOutageLosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		// Find a free port, then leave it closed: the mail server is down.
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		w := newWorker(db, sender(t, addr), clk)
		for i := range 3 {
			if _, err := mail.Enqueue(ctx, db.DB, clk.Now(), mail.Message{To: "p" + string(rune('a'+i)) + "@example.org", Language: "es", Subject: "s", Text: "t"}); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Advance(2 * time.Hour)
		}
		if count(t, db, "sent_at IS NULL AND failed_at IS NULL") != 3 {
			t.Fatal("messages lost or given up during a short outage")
		}
		srv := startSMTP(t, addr)
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if len(srv.messages()) != 3 || count(t, db, "sent_at IS NOT NULL") != 3 {
			t.Fatalf("after the outage: %d delivered", len(srv.messages()))
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, "")
		srv.refuse = 100
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		w := newWorker(db, sender(t, srv.addr), clk)
		w.MaxAttempts = 3
		if _, err := mail.Enqueue(ctx, db.DB, clk.Now(), mail.Message{To: "a@example.org", Language: "es", Subject: "s", Text: "t"}); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Advance(2 * time.Hour)
		}
		if count(t, db, "failed_at IS NOT NULL AND attempts = 3") != 1 {
			t.Fatal("not given up after 3 attempts")
		}
	})
}

// TestNoDoubleSend runs two workers at once on the same rows: every message is sent once.
func TestNoDoubleSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		srv := startSMTP(t, "")
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		const total = 30
		for i := range total {
			if _, err := mail.Enqueue(ctx, db.DB, clk.Now(), mail.Message{To: "x@example.org", Language: "es", Subject: "n" + string(rune('A'+i)), Text: "t"}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := newWorker(db, sender(t, srv.addr), clk)
				w.Batch = 5
				for {
					n, err := w.RunOnce(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if n == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if got := len(srv.messages()); got != total {
			t.Fatalf("%d messages delivered, want exactly %d", got, total)
		}
	})
}

func TestNotifyComposesInTheRecipientsLanguage(t *testing.T) {
	tr, err := locale.Load(frontend.Locales())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		woken := 0
		o := &mail.Outbox{Translator: tr, Clock: clk, SiteName: "Convene", Wake: func() { woken++ }}
		kinds := []struct {
			kind string
			data map[string]any
		}{
			{"verify_email", map[string]any{"Name": "Ana", "Link": "https://c.example/verify/t", "Hours": 48}},
			{"password_reset", map[string]any{"Name": "Ana", "Link": "https://c.example/reset/t", "Minutes": 60}},
			{"account_exists", map[string]any{"Name": "Ana", "SignInLink": "https://c.example/signin", "ResetLink": "https://c.example/reset"}},
			{"password_changed", map[string]any{"Name": "Ana", "ResetLink": "https://c.example/reset"}},
		}
		for _, lang := range []string{"es", "en"} {
			for _, k := range kinds {
				t.Run(lang+" "+k.kind, func(t *testing.T) {
					if err := o.Notify(ctx, db.DB, "ana@example.org", lang, k.kind, k.data); err != nil {
						t.Fatal(err)
					}
					m, err := mail.Latest(ctx, db.DB, "ana@example.org")
					if err != nil {
						t.Fatal(err)
					}
					if strings.HasPrefix(m.Subject, "mail.") || strings.Contains(m.Text, "mail.") || strings.Contains(m.Text, "<no value>") {
						t.Fatalf("untranslated or unfilled: %q / %q", m.Subject, m.Text)
					}
					if !strings.Contains(m.Text, "Ana") || !strings.Contains(m.HTML, `lang="`+lang+`"`) || !strings.Contains(m.HTML, `<a href="https://c.example/`) {
						t.Fatalf("composed: %q\n%q", m.Text, m.HTML)
					}
				})
			}
		}
		if woken != 8 {
			t.Fatalf("Wake called %d times, want 8", woken)
		}
	})
}
