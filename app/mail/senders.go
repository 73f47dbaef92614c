package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/convene/convene/app/config"
)

// smtpTimeout bounds the connection and each exchange with the server.
const smtpTimeout = 30 * time.Second

// SMTPSender sends through an SMTP server (CONVENE_SMTP_URL), one connection per message.
type SMTPSender struct {
	host string
	port int
	opts []gomail.Option
}

// NewSMTPSender checks the settings; it connects only when sending. tls=starttls requires
// STARTTLS, tls speaks TLS from the first byte, none sends in clear (local test servers).
// With a user name it authenticates with PLAIN or LOGIN, whichever the server offers, and
// refuses to send a password in clear to anything but the local machine.
func NewSMTPSender(cfg config.SMTP) (*SMTPSender, error) {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(smtpTimeout)}
	switch cfg.TLS {
	case "starttls", "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("SMTP settings: tls must be starttls, tls or none, not %q", cfg.TLS)
	}
	if cfg.Username != "" {
		if cfg.TLS == "none" && !isLoopback(cfg.Host) {
			return nil, fmt.Errorf("SMTP settings: a password would cross the network to %s unencrypted; use tls=starttls or tls=tls", cfg.Host)
		}
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("SMTP settings: %w", err)
	}
	return &SMTPSender{host: cfg.Host, port: cfg.Port, opts: opts}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers m. A 5xx answer to the recipient or to the message is Permanent; everything
// else (no connection, TLS or sign-in trouble, 4xx, a 5xx to MAIL FROM, which is a settings
// problem) is worth retrying. Once the server has accepted the message, Send reports success
// whatever happens while hanging up, so a retry never sends it twice.
func (s *SMTPSender) Send(ctx context.Context, from string, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return fmt.Errorf("sender address %q: %w", from, err)
	}
	if err := msg.To(m.To); err != nil {
		return Permanent{fmt.Errorf("recipient %q: %w", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	if m.Language != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	}
	// RFC 3834: vacation responders must not answer automatic mail.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	if m.Calendar != "" {
		// Mail programs show an invite from the text/calendar alternative, whose method must be
		// the calendar's own; others find the same file attached.
		ct := gomail.ContentType("text/calendar; method=" + calendarMethod(m.Calendar))
		msg.AddAlternativeString(ct, m.Calendar)
		if err := msg.AttachReader("invite.ics", strings.NewReader(m.Calendar), gomail.WithFileContentType("application/ics")); err != nil {
			return Permanent{fmt.Errorf("attaching the invite: %w", err)}
		}
	}

	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("SMTP client: %w", err)
	}
	addr := net.JoinHostPort(s.host, strconv.Itoa(s.port))
	conn, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", addr, err)
	}
	sendErr := c.SendWithSMTPClient(conn, msg)
	closeErr := c.CloseWithSMTPClient(conn)
	if msg.IsDelivered() {
		return nil
	}
	if sendErr == nil {
		sendErr = closeErr
	}
	var se *gomail.SendError
	if errors.As(sendErr, &se) && se.ErrorCode() >= 500 &&
		(se.Reason == gomail.ErrSMTPRcptTo || se.Reason == gomail.ErrSMTPData || se.Reason == gomail.ErrSMTPDataClose) {
		return Permanent{fmt.Errorf("sending to %s: %w", addr, sendErr)}
	}
	return fmt.Errorf("sending to %s: %w", addr, sendErr)
}

// calendarMethod reads the METHOD of an iCalendar text (PUBLISH when it has none).
func calendarMethod(cal string) string {
	for line := range strings.SplitSeq(cal, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "METHOD:"); ok {
			return v
		}
	}
	return "PUBLISH"
}

// LogSender writes messages to the log, for a site without a mail server (development): the
// whole text is logged so verification and reset links can be followed.
type LogSender struct {
	Logger *slog.Logger
}

// Send logs m; it never fails.
func (l LogSender) Send(_ context.Context, from string, m Message) error {
	l.Logger.Info("mail (not sent: CONVENE_SMTP_URL is unset)", "from", from, "to", m.To, "language", m.Language,
		"subject", m.Subject, "text", m.Text)
	return nil
}
