// Package problem is the one shape of the errors domain code returns on purpose: a kind (not
// found, conflict, forbidden, gone, too many ...), a message id of the catalogs and, where a
// form should show it beside a field, that field. app/web/errors.go is the only place that turns
// a kind into an HTTP status, a page or a JSON error; bad input stays validate.Errors (the
// invalid kind with its list of fields).
package problem

import (
	"errors"
	"fmt"
	"time"

	"github.com/convene/convene/app/validate"
)

// Kind says what went wrong, in terms a client can act on.
type Kind int

// The kinds. Invalid input is validate.Errors; a problem of kind Invalid names one field.
const (
	Invalid      Kind = iota + 1 // the input is wrong; fix it and try again
	BadRequest                   // the request itself cannot be read (malformed JSON)
	Unauthorized                 // who asks is unknown, or the credentials are wrong
	Forbidden                    // who asks may not do this
	NotFound                     // no such object, or not one the asker may know of
	Conflict                     // the current state forbids it (last admin, seat taken)
	Gone                         // it existed and is no more (a used or expired link)
	TooMany                      // too many attempts; RetryAfter says for how long
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case BadRequest:
		return "bad_request"
	case Unauthorized:
		return "unauthorized"
	case Forbidden:
		return "forbidden"
	case NotFound:
		return "not_found"
	case Conflict:
		return "conflict"
	case Gone:
		return "gone"
	case TooMany:
		return "too_many"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a domain refusal. Two errors are the same (errors.Is) when kind and message id
// agree, so a sentinel still matches after At or After made a copy of it.
type Error struct {
	Kind       Kind
	Code       string         // message id, e.g. "error.last_admin"
	Data       map[string]any // values the message uses
	Field      string         // the form field it concerns, if any
	RetryAfter time.Duration  // for TooMany: the real wait
}

// New returns a problem of kind with message id code.
func New(kind Kind, code string) *Error { return &Error{Kind: kind, Code: code} }

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Kind, e.Code, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Code)
}

// Is matches another problem of the same kind and message id.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == e.Code
}

// At returns a copy that a form shows beside field.
func (e *Error) At(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// With returns a copy whose message is filled with data.
func (e *Error) With(data map[string]any) *Error {
	c := *e
	c.Data = data
	return &c
}

// After returns a copy that tells the client to wait d.
func (e *Error) After(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	return &c
}

// Fields is the problem as field errors, for a form (none when it names no field).
func (e *Error) Fields() validate.Errors {
	if e.Field == "" {
		return nil
	}
	return validate.Errors{{Field: e.Field, Code: e.Code, Data: e.Data}}
}

// As finds the problem in err's chain.
func As(err error) (*Error, bool) {
	var p *Error
	if errors.As(err, &p) {
		return p, true
	}
	return nil, false
}

// Common problems that any capability may return.
var (
	ErrNotFound  = New(NotFound, "error.not_found")
	ErrForbidden = New(Forbidden, "error.forbidden")
)
