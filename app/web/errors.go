package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/validate"
)

// Refusals of the web layer itself, in the one shape domain code uses too.
var (
	errUnauthorized = problem.New(problem.Unauthorized, "error.unauthorized")
	errForbidden    = problem.ErrForbidden
	errNotFound     = problem.ErrNotFound
	errCSRF         = problem.New(problem.Forbidden, "error.csrf")
	errTooMany      = problem.New(problem.TooMany, "error.rate_limited")
	errTooManyForm  = problem.New(problem.TooMany, "error.rate_limited_form")
)

// failure is an error as the client gets it.
type failure struct {
	status     int
	code       string // stable code for the API, e.g. "last_admin"
	message    string // message id of the catalogs
	fields     validate.Errors
	retryAfter time.Duration
}

// statusOf is the HTTP status of each kind of problem.
func statusOf(k problem.Kind) int {
	switch k {
	case problem.Invalid:
		return fiber.StatusUnprocessableEntity
	case problem.BadRequest:
		return fiber.StatusBadRequest
	case problem.Unauthorized:
		return fiber.StatusUnauthorized
	case problem.Forbidden:
		return fiber.StatusForbidden
	case problem.NotFound:
		return fiber.StatusNotFound
	case problem.Conflict:
		return fiber.StatusConflict
	case problem.Gone:
		return fiber.StatusGone
	case problem.TooMany:
		return fiber.StatusTooManyRequests
	}
	return fiber.StatusInternalServerError
}

// classify maps any error to its HTTP answer. It is the one place where errors become status
// codes, for pages and the API alike.
func classify(err error) failure {
	if es, ok := validate.As(err); ok {
		return failure{status: fiber.StatusUnprocessableEntity, code: "invalid", message: "error.invalid_form", fields: es}
	}
	if p, ok := problem.As(err); ok {
		f := failure{status: statusOf(p.Kind), code: strings.TrimPrefix(p.Code, "error."), message: p.Code,
			fields: p.Fields(), retryAfter: p.RetryAfter}
		for i := range f.fields {
			if f.fields[i].Data == nil && p.RetryAfter > 0 {
				f.fields[i].Data = waitData(p.RetryAfter)
			}
		}
		return f
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		switch fe.Code {
		case fiber.StatusNotFound:
			return failure{status: fe.Code, code: "not_found", message: "error.not_found"}
		case fiber.StatusMethodNotAllowed:
			return failure{status: fe.Code, code: "method_not_allowed", message: "error.method_not_allowed"}
		case fiber.StatusRequestEntityTooLarge:
			return failure{status: fe.Code, code: "too_large", message: "error.too_large"}
		}
		if fe.Code < 500 {
			return failure{status: fe.Code, code: "bad_request", message: "error.bad_request"}
		}
	}
	return failure{status: fiber.StatusInternalServerError, code: "internal", message: "error.internal"}
}

// errorBody is the JSON error shape of the API (its OpenAPI schema is Error), with every field
// error listed too.
type errorBody = openAPIError

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// setRetryAfter states the real wait, in whole seconds rounded up.
func setRetryAfter(c *fiber.Ctx, d time.Duration) {
	if d > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}

func (s *Server) handleError(c *fiber.Ctx, err error) error {
	f := classify(err)
	if f.status >= 500 {
		logger(c, s.Logger).Error("request failed", "err", err, "route", routeOf(c))
	}
	setRetryAfter(c, f.retryAfter)
	l := lang(c)
	if wantsJSON(c) {
		var body errorBody
		body.Error.Code = f.code
		body.Error.Message = s.message(l, f)
		for _, fe := range f.fields {
			body.Error.Fields = append(body.Error.Fields, fieldError{Field: fe.Field, Code: strings.TrimPrefix(fe.Code, "error."),
				Message: fieldMessage(s.Locale, l, fe)})
		}
		if len(f.fields) > 0 {
			body.Error.Field = f.fields[0].Field
			body.Error.Message = f.fields[0].Field + ": " + body.Error.Fields[0].Message
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Status(f.status).JSON(body)
	}
	rid, _ := c.Locals(localRequestID).(string)
	// The layout's forms (sign out, language) need a token on error pages too.
	login, _ := c.Locals(localLogin).(accounts.Login)
	p := &Page{Lang: l, Path: c.Path(), Account: account(c), HasRoles: login.HasRoles, RequestID: rid, Errors: f.fields, CSRF: s.csrfToken(c),
		Title: s.Locale.T(l, f.message, nil),
		Data:  map[string]any{"Status": f.status, "Code": f.code, "Detail": s.detail(l, f)}}
	body, rerr := s.render.render("errors/error", p)
	if rerr != nil {
		logger(c, s.Logger).Error("rendering error page", "err", rerr)
		return c.Status(f.status).SendString(http.StatusText(f.status))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(f.status).Send(body)
}

// message is the failure's text in lang; a wait is stated in minutes or seconds.
func (s *Server) message(lang string, f failure) string {
	if f.retryAfter > 0 {
		return s.Locale.T(lang, f.message, waitData(f.retryAfter))
	}
	return s.Locale.T(lang, f.message, nil)
}

// detail is the error page's explanation: the message's .detail text when the catalogs have
// one, else the message itself, with the wait when there is one.
func (s *Server) detail(lang string, f failure) string {
	id := f.message + ".detail"
	if !s.Locale.Has(id) {
		return s.message(lang, f)
	}
	out := s.Locale.T(lang, id, nil)
	if f.retryAfter > 0 {
		out += " " + s.Locale.T(lang, "error.retry_after", waitData(f.retryAfter))
	}
	return out
}

// waitData says a wait as the catalogs' error.retry_after expects: Minutes when a minute or
// more, else Seconds.
func waitData(d time.Duration) map[string]any {
	secs := int((d + time.Second - 1) / time.Second)
	if secs >= 60 {
		return map[string]any{"Minutes": (secs + 59) / 60, "Seconds": 0}
	}
	return map[string]any{"Minutes": 0, "Seconds": secs}
}

// formError re-renders a form with its field errors and the status of their kind, keeping what
// was typed; an error that names no field is passed on to the error page.
func (s *Server) formError(c *fiber.Ctx, err error, name, titleID string, fields map[string]string, data any) error {
	return s.formPage(c, err, name, titleID, &Page{Form: fields, Data: data})
}

// formPage is formError for a page already made (one whose title is written, not a message
// id): the one place a refused form is shown again.
func (s *Server) formPage(c *fiber.Ctx, err error, name, titleID string, p *Page) error {
	f := classify(err)
	if len(f.fields) == 0 {
		return err
	}
	setRetryAfter(c, f.retryAfter)
	p.Errors = f.fields
	return s.page(c, f.status, name, titleID, p)
}
