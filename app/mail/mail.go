// Package mail sends notifications through an outbox: a message is written to the outbox table
// in the same transaction as the change that causes it, and a worker sends it afterwards with
// retries and backoff, so a mail server outage loses nothing.
package mail

import (
	"context"
	"fmt"
	"html"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Message is one email, already in the recipient's language.
type Message struct {
	To       string
	Language string
	Subject  string
	Text     string
	HTML     string
}

// queued is a row of the outbox.
type queued struct {
	bun.BaseModel `bun:"table:outbox"`

	ID            int64      `bun:"id,pk,autoincrement"`
	Recipient     string     `bun:"recipient,notnull"`
	Subject       string     `bun:"subject,notnull"`
	BodyText      string     `bun:"body_text,notnull"`
	BodyHTML      string     `bun:"body_html,notnull"`
	Language      string     `bun:"language,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	SentAt        *time.Time `bun:"sent_at"`
	FailedAt      *time.Time `bun:"failed_at"`
	LastError     string     `bun:"last_error,notnull"`
}

func (q queued) message() Message {
	return Message{To: q.Recipient, Language: q.Language, Subject: q.Subject, Text: q.BodyText, HTML: q.BodyHTML}
}

// Enqueue writes m to the outbox in db (the caller's transaction), due at once.
func Enqueue(ctx context.Context, db bun.IDB, now time.Time, m Message) (int64, error) {
	addr, err := netmail.ParseAddress(m.To)
	if err != nil {
		return 0, fmt.Errorf("queueing mail: bad recipient %q: %w", m.To, err)
	}
	row := &queued{Recipient: addr.Address, Subject: m.Subject, BodyText: m.Text, BodyHTML: m.HTML,
		Language: m.Language, CreatedAt: now.UTC(), NextAttemptAt: now.UTC()}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		return 0, fmt.Errorf("queueing mail to %s: %w", addr.Address, err)
	}
	return row.ID, nil
}

// Latest returns the newest message queued for to (tests and the browser journey read links
// from it).
func Latest(ctx context.Context, db bun.IDB, to string) (Message, error) {
	var row queued
	err := db.NewSelect().Model(&row).Where("recipient = ?", strings.ToLower(strings.TrimSpace(to))).
		OrderExpr("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return Message{}, store.NotFound(err)
	}
	return row.message(), nil
}

// Translator renders a catalog message in a language (app/locale's Bundle).
type Translator interface {
	T(lang, id string, data map[string]any) string
}

// Outbox composes notifications from the catalogs and queues them.
type Outbox struct {
	Translator Translator
	Clock      clock.Clock
	SiteName   string
	// Wake, when set, tells the worker to look now instead of at its next poll. Calling it
	// before the caller's transaction commits is harmless: the worker sees committed rows only.
	Wake func()
}

// Notify queues message kind for to in lang: subject mail.<kind>.subject, body mail.<kind>.body
// and the signature, rendered with data.
func (o *Outbox) Notify(ctx context.Context, db bun.IDB, to, lang, kind string, data map[string]any) error {
	d := map[string]any{"SiteName": o.SiteName}
	for k, v := range data {
		d[k] = v
	}
	text := o.Translator.T(lang, "mail."+kind+".body", d) + "\n\n-- \n" + o.Translator.T(lang, "mail.signature", d)
	m := Message{To: to, Language: lang, Subject: o.Translator.T(lang, "mail."+kind+".subject", d), Text: text,
		HTML: textToHTML(lang, text)}
	if _, err := Enqueue(ctx, db, o.Clock.Now(), m); err != nil {
		return err
	}
	if o.Wake != nil {
		o.Wake()
	}
	return nil
}

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// textToHTML makes the HTML alternative of a plain-text mail: escaped, a paragraph per blank
// line, links clickable.
func textToHTML(lang, text string) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="` + html.EscapeString(lang) + `"><body>`)
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		escaped := html.EscapeString(para)
		linked := urlRE.ReplaceAllStringFunc(escaped, func(u string) string { return `<a href="` + u + `">` + u + `</a>` })
		b.WriteString("<p>" + strings.ReplaceAll(linked, "\n", "<br>") + "</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}
