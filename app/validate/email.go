package validate

import (
	netmail "net/mail"
	"strings"
)

// EmailCode is the message of an address that is not one plain mailbox.
const EmailCode = "error.email_invalid"

// MaxEmail is the longest address SMTP carries, in bytes.
const MaxEmail = 254

// CanonicalEmail is the one form an address is stored and compared in: the bare mailbox,
// lower-cased, with no display name, comment, quoting, route or control character. It returns
// ok false for anything else, rather than guessing: net/mail drops a comment such as
// "a@example.org(\r\nX)" and would let the raw text through to mail headers and invites, and
// "Dup@", "dup@" and "dup@...(1)" would each be a person of their own.
func CanonicalEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmail || !Printable(s, false) || strings.ContainsAny(s, " \t()<>,;:\"[]\\") {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:max(at, 0)], s[at+1:]
	if at <= 0 || strings.Count(s, "@") != 1 || len(local) > 64 || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	return strings.ToLower(s), true
}

// Email checks a required address and returns its canonical form ("" when it is wrong).
func (es *Errors) Email(field, value string) string {
	switch {
	case strings.TrimSpace(value) == "":
		es.Add(field, Required, nil)
	case !Printable(value, false):
		es.Add(field, Control, nil)
	case len(value) > MaxEmail:
		es.Add(field, TooLong, map[string]any{"Max": MaxEmail})
	default:
		if c, ok := CanonicalEmail(value); ok {
			return c
		}
		es.Add(field, EmailCode, nil)
	}
	return ""
}
