package mail

import (
	"crypto/tls"

	gomail "github.com/wneessen/go-mail"
)

// Internals the black-box tests check directly.
var (
	TextToHTML = textToHTML
	Backoff    = backoff
	Truncate   = truncate
)

// TrustForTest makes s verify the server against the test's own certificate authority.
func (s *SMTPSender) TrustForTest(c *tls.Config) {
	s.opts = append(s.opts, gomail.WithTLSConfig(c))
}
