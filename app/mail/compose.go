package mail

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"maps"
	"regexp"
	"strings"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
)

// ErrUnknownKind is returned by Notify when the catalogs have no subject or body for a kind.
var ErrUnknownKind = errors.New("unknown kind of mail")

// Translator renders a catalog message in a language, filling its template with data; an
// unknown id comes back unchanged (app/locale's Bundle).
type Translator interface {
	T(lang, id string, data map[string]any) string
}

// Outbox composes notifications from the catalogs and queues them.
type Outbox struct {
	Translator Translator
	Clock      clock.Clock
	SiteName   string
	// Wake, when set, tells the worker to look now instead of at its next poll (a second by
	// default). Notify calls it before the caller's transaction commits, which is harmless: the
	// worker sees committed rows only, and a row it missed goes out at the next poll.
	Wake func()
}

// Notify queues mail of the given kind for to in lang: subject mail.<kind>.subject, body
// mail.<kind>.body and the signature mail.signature, rendered with data (plus SiteName), as
// plain text with an HTML alternative. db is the caller's transaction.
func (o *Outbox) Notify(ctx context.Context, db bun.IDB, to, lang, kind string, data map[string]any) error {
	return o.Invite(ctx, db, to, lang, kind, data, "")
}

// Invite is Notify with an iCalendar invite (METHOD:REQUEST or CANCEL) attached.
func (o *Outbox) Invite(ctx context.Context, db bun.IDB, to, lang, kind string, data map[string]any, calendar string) error {
	m, err := o.Compose(to, lang, kind, data, calendar)
	if err != nil {
		return err
	}
	return o.Queue(ctx, db, m)
}

// Compose writes mail of kind for to in lang, as Invite sends it, without queueing it.
func (o *Outbox) Compose(to, lang, kind string, data map[string]any, calendar string) (Message, error) {
	d := map[string]any{"SiteName": o.SiteName}
	maps.Copy(d, data)
	subjectID, bodyID := "mail."+kind+".subject", "mail."+kind+".body"
	// A subject is one line whatever the text it names holds.
	subject, body := strings.Join(strings.Fields(o.Translator.T(lang, subjectID, d)), " "), o.Translator.T(lang, bodyID, d)
	if subject == subjectID || body == bodyID {
		return Message{}, fmt.Errorf("composing mail to %s: %q: %w", to, kind, ErrUnknownKind)
	}
	// "-- " on a line of its own is the signature delimiter mail readers recognise.
	text := strings.TrimSpace(body) + "\n\n-- \n" + strings.TrimSpace(o.Translator.T(lang, "mail.signature", d))
	return Message{To: to, Language: lang, Subject: subject, Text: text, HTML: textToHTML(lang, subject, text), Calendar: calendar}, nil
}

// Queue writes composed messages to the outbox in db (the caller's transaction), all in one
// statement, and wakes the worker.
func (o *Outbox) Queue(ctx context.Context, db bun.IDB, msgs ...Message) error {
	if err := EnqueueMany(ctx, db, o.Clock.Now(), msgs); err != nil {
		return err
	}
	if o.Wake != nil && len(msgs) > 0 {
		o.Wake()
	}
	return nil
}

// urlRE finds links in plain text; trailing punctuation is trimmed off afterwards, so a link
// that ends a sentence does not swallow its full stop.
var urlRE = regexp.MustCompile(`https?://[^\s<>"']+`)

// textToHTML makes the HTML alternative of a plain-text mail: escaped, a paragraph per blank
// line, line breaks kept, links clickable.
func textToHTML(lang, title, text string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="` + html.EscapeString(lang) + `"><head><meta charset="utf-8"><title>` +
		html.EscapeString(title) + "</title></head><body>\n")
	for para := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString("<p>" + strings.ReplaceAll(linkify(para), "\n", "<br>\n") + "</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// linkify escapes s and turns its URLs into links.
func linkify(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range urlRE.FindAllStringIndex(s, -1) {
		start, end := loc[0], loc[1]
		end = start + len(strings.TrimRight(s[start:end], ".,;:!?)]}"))
		u := html.EscapeString(s[start:end])
		b.WriteString(html.EscapeString(s[last:start]) + `<a href="` + u + `">` + u + "</a>")
		last = end
	}
	b.WriteString(html.EscapeString(s[last:]))
	return b.String()
}

// Composer writes a notice as mail.
type Composer interface {
	Compose(to, lang, kind string, data map[string]any, calendar string) (Message, error)
}

// Notice writes one notice as mail. A notice that cannot be written as mail (its kind unknown
// to the catalogs, or not a valid message) is logged with what it was about and left out (ok
// false): it never undoes the change it tells of. Other errors are the caller's.
func Notice(c Composer, log *slog.Logger, to, lang, kind string, data map[string]any, about string, id int64) (msg Message, ok bool, err error) {
	msg, err = c.Compose(to, lang, kind, data, "")
	if err == nil {
		_, err = Check(msg)
	}
	switch {
	case err == nil:
		return msg, true, nil
	case !errors.Is(err, ErrUnknownKind) && !errors.Is(err, ErrInvalidMessage):
		return msg, false, err
	}
	if log != nil {
		log.Error("a notice could not be written as mail", "kind", kind, about, id, "err", err)
	}
	return msg, false, nil
}
