package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/convene/convene/app/config"
)

// SMTPSender sends through an SMTP server (CONVENE_SMTP_URL).
type SMTPSender struct {
	opts []gomail.Option
	host string
}

// NewSMTPSender checks the settings; it connects only when sending.
func NewSMTPSender(cfg config.SMTP) (*SMTPSender, error) {
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(30 * time.Second)}
	switch cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("SMTP settings: %w", err)
	}
	return &SMTPSender{opts: opts, host: cfg.Host}, nil
}

// Send delivers m. A 5xx answer from the server is Permanent; anything else is retried.
func (s *SMTPSender) Send(ctx context.Context, from string, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return Permanent{fmt.Errorf("sender %q: %w", from, err)}
	}
	if err := msg.To(m.To); err != nil {
		return Permanent{fmt.Errorf("recipient %q: %w", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var tpe *textproto.Error
		if errors.As(err, &tpe) && tpe.Code >= 500 {
			return Permanent{err}
		}
		return err
	}
	return nil
}

// LogSender writes messages to the log, for a site without a mail server (development): the
// whole text is logged so verification and reset links can be followed.
type LogSender struct {
	Logger *slog.Logger
}

// Send logs m.
func (l LogSender) Send(_ context.Context, from string, m Message) error {
	l.Logger.Info("mail (not sent: CONVENE_SMTP_URL is unset)", "from", from, "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}
