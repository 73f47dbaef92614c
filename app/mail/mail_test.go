package mail_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

const from = "Convene <convene@example.org>"

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// smtpSender returns a sender for the test server at addr; query is the URL's, e.g. "tls=none".
func smtpSender(t *testing.T, addr, userinfo, query string) *mail.SMTPSender {
	t.Helper()
	cfg, err := config.ParseSMTPURL("smtp://" + userinfo + addr + "?" + query)
	if err != nil {
		t.Fatal(err)
	}
	snd, err := mail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return snd
}

func newWorker(db *storetest.DB, snd mail.Sender, clk clock.Clock) *mail.Worker {
	return mail.NewWorker(db.DB, snd, from, clk, quietLogger())
}

// outboxRow is what the tests read back of an outbox row.
type outboxRow struct {
	bun.BaseModel `bun:"table:outbox"`

	ID            int64      `bun:"id"`
	Recipient     string     `bun:"recipient"`
	Attempts      int        `bun:"attempts"`
	NextAttemptAt time.Time  `bun:"next_attempt_at"`
	SentAt        *time.Time `bun:"sent_at"`
	FailedAt      *time.Time `bun:"failed_at"`
	LastError     string     `bun:"last_error"`
}

func rowOf(t *testing.T, db bun.IDB, id int64) outboxRow {
	t.Helper()
	var r outboxRow
	if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func count(t *testing.T, db bun.IDB, where string) int {
	t.Helper()
	n, err := db.NewSelect().Table("outbox").Where(where).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func enqueue(t *testing.T, db bun.IDB, now time.Time, m mail.Message) int64 {
	t.Helper()
	id, err := mail.Enqueue(context.Background(), db, now, m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// freeAddr returns a loopback address nothing listens on (a mail server that is down).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestEnqueue(t *testing.T) {
	good := mail.Message{To: "ana@example.org", Language: "es", Subject: "Hola", Text: "texto"}
	cases := []struct {
		name   string
		edit   func(m *mail.Message)
		wantTo string // stored recipient; "" when Enqueue must refuse
	}{
		{"plain address", func(*mail.Message) {}, "ana@example.org"},
		{"display name kept out", func(m *mail.Message) { m.To = "Ana Pérez <ana@example.org>" }, "ana@example.org"},
		{"case kept", func(m *mail.Message) { m.To = "Ana@Example.org" }, "Ana@Example.org"},
		{"empty recipient", func(m *mail.Message) { m.To = "" }, ""},
		{"no at sign", func(m *mail.Message) { m.To = "ana.example.org" }, ""},
		{"two addresses", func(m *mail.Message) { m.To = "a@example.org, b@example.org" }, ""},
		{"header injection", func(m *mail.Message) { m.To = "a@example.org\r\nBcc: b@example.org" }, ""},
		{"recipient too long", func(m *mail.Message) { m.To = strings.Repeat("a", 250) + "@example.org" }, ""},
		{"empty subject", func(m *mail.Message) { m.Subject = " " }, ""},
		{"line break in subject", func(m *mail.Message) { m.Subject = "Hola\r\nBcc: b@example.org" }, ""},
		{"subject too long", func(m *mail.Message) { m.Subject = strings.Repeat("ñ", 301) }, ""},
		{"longest subject", func(m *mail.Message) { m.Subject = strings.Repeat("ñ", 300) }, "ana@example.org"},
	}
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				m := good
				tc.edit(&m)
				id, err := mail.Enqueue(ctx, db.DB, t0, m)
				if tc.wantTo == "" {
					if !errors.Is(err, mail.ErrInvalidMessage) {
						t.Fatalf("Enqueue(%q, %q) = %v, want ErrInvalidMessage", m.To, m.Subject, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				r := rowOf(t, db.DB, id)
				if r.Recipient != tc.wantTo || !r.NextAttemptAt.Equal(t0) || r.Attempts != 0 || r.SentAt != nil {
					t.Fatalf("stored %+v", r)
				}
			})
		}
	})
}

func TestLatest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		if _, err := mail.Latest(ctx, db.DB, "ana@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Latest on an empty outbox = %v, want ErrNotFound", err)
		}
		enqueue(t, db.DB, t0, mail.Message{To: "ana@example.org", Language: "es", Subject: "primero", Text: "1"})
		enqueue(t, db.DB, t0, mail.Message{To: "Ana@Example.org", Language: "en", Subject: "second", Text: "2", HTML: "<p>2</p>"})
		enqueue(t, db.DB, t0, mail.Message{To: "beto@example.org", Language: "es", Subject: "otro", Text: "3"})
		cases := []struct {
			name, to string
			want     mail.Message
		}{
			{"newest of two", "ana@example.org", mail.Message{To: "Ana@Example.org", Language: "en", Subject: "second", Text: "2", HTML: "<p>2</p>"}},
			{"any case, spaces", "  ANA@example.ORG ", mail.Message{To: "Ana@Example.org", Language: "en", Subject: "second", Text: "2", HTML: "<p>2</p>"}},
			{"another recipient", "beto@example.org", mail.Message{To: "beto@example.org", Language: "es", Subject: "otro", Text: "3"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := mail.Latest(ctx, db.DB, tc.to)
				if err != nil || got != tc.want {
					t.Fatalf("Latest(%q) = %+v, %v; want %+v", tc.to, got, err, tc.want)
				}
			})
		}
	})
}

// TestEnqueueInRolledBackTransaction: a change that is rolled back sends nothing.
func TestEnqueueInRolledBackTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		rollback := errors.New("rollback")
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			enqueue(t, tx, t0, mail.Message{To: "ana@example.org", Language: "es", Subject: "s", Text: "t"})
			return rollback
		})
		if !errors.Is(err, rollback) || count(t, db.DB, "1 = 1") != 0 {
			t.Fatalf("RunInTx = %v, outbox has %d rows", err, count(t, db.DB, "1 = 1"))
		}
	})
}

func TestLogSender(t *testing.T) {
	var buf strings.Builder
	snd := mail.LogSender{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	m := mail.Message{To: "ana@example.org", Language: "es", Subject: "Confirma tu dirección",
		Text: "Hola, Ana:\n\nhttps://convene.example/verify/abc123\n"}
	if err := snd.Send(context.Background(), from, m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ana@example.org", "Confirma tu dirección", "https://convene.example/verify/abc123", "Hola, Ana:"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestLogSenderThroughTheWorker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		var buf strings.Builder
		clk := clock.NewFixed(t0)
		w := newWorker(db, mail.LogSender{Logger: slog.New(slog.NewJSONHandler(&buf, nil))}, clk)
		id := enqueue(t, db.DB, t0, mail.Message{To: "ana@example.org", Language: "en", Subject: "Link", Text: "https://convene.example/reset/xyz"})
		if sent, err := w.RunOnce(context.Background()); err != nil || sent != 1 {
			t.Fatalf("RunOnce = %d, %v", sent, err)
		}
		if r := rowOf(t, db.DB, id); r.SentAt == nil || !strings.Contains(buf.String(), "https://convene.example/reset/xyz") {
			t.Fatalf("row %+v, log %s", r, buf.String())
		}
	})
}
