// Package validate carries field errors from domain rules to whoever shows them: each names the
// field and a message id of the catalogs (frontend/locales), so pages and the API can say, in
// the viewer's language, which field is wrong and why.
package validate

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/convene/convene/app/clock"
)

// FieldError says that one field is wrong and why.
type FieldError struct {
	Field string         // form field / JSON member name, e.g. "email" or "title.es"
	Code  string         // message id, e.g. "error.required"
	Data  map[string]any // values the message template uses, e.g. {"Max": 200}
}

func (e FieldError) Error() string {
	if len(e.Data) == 0 {
		return e.Field + ": " + e.Code
	}
	return fmt.Sprintf("%s: %s %v", e.Field, e.Code, e.Data)
}

// Errors is a list of field errors; the zero value is empty and ready to use.
type Errors []FieldError

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records that field is wrong with message code.
func (es *Errors) Add(field, code string, data map[string]any) {
	*es = append(*es, FieldError{Field: field, Code: code, Data: data})
}

// Has reports whether field already has an error (so rules report the first problem only).
func (es Errors) Has(field string) bool {
	for _, e := range es {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err returns es as an error, or nil when there is none.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// As extracts field errors from err, if it carries any.
func As(err error) (Errors, bool) {
	var es Errors
	if errors.As(err, &es) {
		return es, true
	}
	var fe FieldError
	if errors.As(err, &fe) {
		return Errors{fe}, true
	}
	return nil, false
}

// Common message codes shared by every form. Capability-specific codes live beside their rules.
const (
	Required = "error.required" // the field is empty
	TooLong  = "error.too_long" // Data: Max
	Invalid  = "error.invalid"  // malformed value
	Taken    = "error.taken"    // must be unique and is not
	Control  = "error.control"  // holds control characters or is not UTF-8

	TimeZoneCode = "error.time_zone" // not an IANA time zone
	SlugCode     = "error.slug"      // not lower-case words joined by hyphens
)

// Text checks a required single-line text: not blank, no control characters, at most max
// characters.
func (es *Errors) Text(field, value string, max int) {
	switch {
	case strings.TrimSpace(value) == "":
		es.Add(field, Required, nil)
	case !Printable(value, false):
		es.Add(field, Control, nil)
	case utf8.RuneCountInString(value) > max:
		es.Add(field, TooLong, map[string]any{"Max": max})
	}
}

// Line checks an optional single line of text (a title that reaches a mail subject or a
// calendar's SUMMARY): no line breaks or other control characters, at most max characters.
func (es *Errors) Line(field, value string, max int) {
	switch {
	case !Printable(value, false):
		es.Add(field, Control, nil)
	case utf8.RuneCountInString(value) > max:
		es.Add(field, TooLong, map[string]any{"Max": max})
	}
}

// LongText checks optional text of several lines (or a required one): line breaks and tabs are
// allowed, other control characters are not.
func (es *Errors) LongText(field, value string, max int, required bool) {
	switch {
	case strings.TrimSpace(value) == "":
		if required {
			es.Add(field, Required, nil)
		}
	case !Printable(value, true):
		es.Add(field, Control, nil)
	case utf8.RuneCountInString(value) > max:
		es.Add(field, TooLong, map[string]any{"Max": max})
	}
}

// Printable tells whether s is valid UTF-8 without control characters (NUL, escape, DEL, C1 ...).
// multiline allows line breaks and tabs. A NUL reaching PostgreSQL fails the whole request, and
// the others hide text or forge log lines.
func Printable(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// slugRE is what a web address part may be: lower-case words of letters and digits joined by
// single hyphens.
var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Slug checks a required web address part (a process's, a forum's): at most 80 characters.
func (es *Errors) Slug(field, v string) {
	switch {
	case v == "":
		es.Add(field, Required, nil)
	case len(v) > 80 || !slugRE.MatchString(v):
		es.Add(field, SlugCode, nil)
	}
}

// SlugFrom suggests a web address part from a title: "Foro de Ciberseguridad, Mérida" is
// "foro-de-ciberseguridad-merida" (accents dropped, anything else a hyphen, at most 60
// characters, cut at a hyphen). A title with no letter or digit suggests "".
func SlugFrom(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFD.String(strings.ToLower(title)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
	}
	s := b.String()
	if len(s) > 60 {
		s = s[:60]
		if i := strings.LastIndexByte(s, '-'); i > 20 {
			s = s[:i]
		}
	}
	return strings.Trim(s, "-")
}

// TimeZone checks an IANA time zone name (required or not).
func (es *Errors) TimeZone(field, zone string, required bool) {
	switch {
	case zone == "":
		if required {
			es.Add(field, Required, nil)
		}
	case !Printable(zone, false):
		es.Add(field, Control, nil)
	default:
		if _, err := clock.Zone(zone); err != nil {
			es.Add(field, TimeZoneCode, nil)
		}
	}
}
