// Package mail sends notifications through an outbox: a message is written to the outbox table
// in the same transaction as the change that causes it, and a worker sends it afterwards with
// retries and backoff, so a mail server outage loses nothing.
package mail

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// ErrInvalidMessage is returned by Enqueue for a message that cannot be sent as it stands.
var ErrInvalidMessage = errors.New("invalid mail message")

// Limits of the outbox columns.
const (
	maxRecipient = 254 // bytes, the longest address SMTP carries
	maxSubject   = 300 // characters
)

// Message is one email, already in the recipient's language.
type Message struct {
	To       string
	Language string
	Subject  string
	Text     string
	HTML     string // optional alternative of Text
	// Calendar, when set, is an iCalendar invite (METHOD:REQUEST or CANCEL) sent as a
	// text/calendar alternative that mail programs offer to add, and as an invite.ics file.
	Calendar string
}

// queued is a row of the outbox.
type queued struct {
	bun.BaseModel `bun:"table:outbox"`

	ID            int64      `bun:"id,pk,autoincrement"`
	Recipient     string     `bun:"recipient,notnull"`
	Subject       string     `bun:"subject,notnull"`
	BodyText      string     `bun:"body_text,notnull"`
	BodyHTML      string     `bun:"body_html,notnull"`
	Calendar      string     `bun:"calendar,notnull"`
	Language      string     `bun:"language,notnull"`
	CreatedAt     time.Time  `bun:"created_at,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	SentAt        *time.Time `bun:"sent_at"`
	FailedAt      *time.Time `bun:"failed_at"`
	LastError     string     `bun:"last_error,notnull"`
	Claim         string     `bun:"claim,notnull"` // which worker's claim holds it
}

func (q queued) message() Message {
	return Message{To: q.Recipient, Language: q.Language, Subject: q.Subject, Text: q.BodyText, HTML: q.BodyHTML, Calendar: q.Calendar}
}

// Enqueue writes m to the outbox in db (the caller's transaction), due at now, and returns its
// id. Only the address part of m.To is kept.
func Enqueue(ctx context.Context, db bun.IDB, now time.Time, m Message) (int64, error) {
	rows, err := queue(now, []Message{m})
	if err != nil {
		return 0, err
	}
	if _, err := db.NewInsert().Model(&rows[0]).Exec(ctx); err != nil {
		return 0, fmt.Errorf("queueing mail to %s: %w", rows[0].Recipient, err)
	}
	return rows[0].ID, nil
}

// EnqueueMany is Enqueue for several messages in one statement; none is queued when one is
// invalid.
func EnqueueMany(ctx context.Context, db bun.IDB, now time.Time, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	rows, err := queue(now, msgs)
	if err != nil {
		return err
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("queueing %d mails: %w", len(rows), err)
	}
	return nil
}

// queue checks messages and makes their outbox rows.
func queue(now time.Time, msgs []Message) ([]queued, error) {
	rows := make([]queued, len(msgs))
	for i, m := range msgs {
		to, err := Check(m)
		if err != nil {
			return nil, err
		}
		rows[i] = queued{Recipient: to, Subject: m.Subject, BodyText: m.Text, BodyHTML: m.HTML, Calendar: m.Calendar,
			Language: m.Language, CreatedAt: now.UTC(), NextAttemptAt: now.UTC()}
	}
	return rows, nil
}

// Check tells whether m can be queued as it stands (an error wrapping ErrInvalidMessage when
// not), and returns the address part of its recipient.
func Check(m Message) (string, error) {
	addr, err := netmail.ParseAddress(m.To)
	if err != nil {
		return "", fmt.Errorf("queueing mail: recipient %q: %w: %w", m.To, ErrInvalidMessage, err)
	}
	switch {
	case len(addr.Address) > maxRecipient:
		return "", fmt.Errorf("queueing mail: recipient longer than %d bytes: %w", maxRecipient, ErrInvalidMessage)
	case strings.TrimSpace(m.Subject) == "":
		return "", fmt.Errorf("queueing mail to %s: empty subject: %w", addr.Address, ErrInvalidMessage)
	case strings.ContainsAny(m.Subject, "\r\n"):
		return "", fmt.Errorf("queueing mail to %s: line break in subject: %w", addr.Address, ErrInvalidMessage)
	case utf8.RuneCountInString(m.Subject) > maxSubject:
		return "", fmt.Errorf("queueing mail to %s: subject longer than %d characters: %w", addr.Address, maxSubject, ErrInvalidMessage)
	}
	return addr.Address, nil
}

// Latest returns the newest message queued for to, sent or not (tests and the browser journey
// read links from it); store.ErrNotFound when there is none. Addresses match case-insensitively.
func Latest(ctx context.Context, db bun.IDB, to string) (Message, error) {
	var row queued
	err := db.NewSelect().Model(&row).Where("LOWER(recipient) = ?", strings.ToLower(strings.TrimSpace(to))).
		OrderExpr("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return Message{}, fmt.Errorf("latest mail to %s: %w", to, store.NotFound(err))
	}
	return row.message(), nil
}

// Personal is the mail part of a person's data: the messages queued for their address.
type Personal struct{}

type sentMail struct {
	Subject   string     `bun:"subject" json:"subject"`
	CreatedAt time.Time  `bun:"created_at" json:"created_at"`
	SentAt    *time.Time `bun:"sent_at" json:"sent_at"`
}

// Export lists the messages queued for email, without their bodies (sent ones keep none).
func (Personal) Export(ctx context.Context, db bun.IDB, _ int64, email string) (any, error) {
	out := []sentMail{}
	err := db.NewSelect().Model((*queued)(nil)).Column("subject", "created_at", "sent_at").
		Where("LOWER(recipient) = ?", strings.ToLower(email)).OrderExpr("id").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("exporting mail to %s: %w", email, err)
	}
	return out, nil
}

// Erase deletes every message queued for email, sent or not.
func (Personal) Erase(ctx context.Context, db bun.IDB, _ time.Time, _ int64, email string) error {
	if _, err := db.NewDelete().Model((*queued)(nil)).Where("LOWER(recipient) = ?", strings.ToLower(email)).Exec(ctx); err != nil {
		return fmt.Errorf("erasing mail to %s: %w", email, err)
	}
	return nil
}
