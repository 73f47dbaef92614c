package web

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// webError is an HTTP failure with a stable code for the API and a message id for people.
type webError struct {
	status  int
	code    string
	message string // message id
}

func (e *webError) Error() string { return e.code }

var (
	errUnauthorized = &webError{fiber.StatusUnauthorized, "unauthorized", "error.unauthorized"}
	errForbidden    = &webError{fiber.StatusForbidden, "forbidden", "error.forbidden"}
	errNotFound     = &webError{fiber.StatusNotFound, "not_found", "error.not_found"}
	errCSRF         = &webError{fiber.StatusForbidden, "csrf", "error.csrf"}
	errTooMany      = &webError{fiber.StatusTooManyRequests, "rate_limited", "error.rate_limited"}
	errBadJSON      = &webError{fiber.StatusBadRequest, "bad_json", "error.bad_json"}
)

// classify maps any error to its HTTP answer. It is the one place where domain errors become
// status codes.
func classify(err error) (status int, code, message string, fields validate.Errors) {
	var we *webError
	var fe *fiber.Error
	if es, ok := validate.As(err); ok {
		return fiber.StatusUnprocessableEntity, "invalid", "error.invalid_form", es
	}
	switch {
	case errors.As(err, &we):
		return we.status, we.code, we.message, nil
	case errors.Is(err, store.ErrNotFound):
		return fiber.StatusNotFound, "not_found", "error.not_found", nil
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return fe.Code, "not_found", "error.not_found", nil
		case fiber.StatusMethodNotAllowed:
			return fe.Code, "method_not_allowed", "error.method_not_allowed", nil
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, "too_large", "error.too_large", nil
		}
		if fe.Code < 500 {
			return fe.Code, "bad_request", "error.bad_request", nil
		}
	}
	return fiber.StatusInternalServerError, "internal", "error.internal", nil
}

// errorBody is the JSON error shape of DESIGN.md, with every field error listed too.
type errorBody struct {
	Error struct {
		Code    string       `json:"code"`
		Message string       `json:"message"`
		Field   string       `json:"field,omitempty"`
		Fields  []fieldError `json:"fields,omitempty"`
	} `json:"error"`
}

type fieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, code, message, fields := classify(err)
	rid, _ := c.Locals("requestid").(string)
	if status >= 500 {
		logger(c, s.Logger).Error("request failed", "err", err, "path", c.Path())
	}
	l := lang(c)
	if isAPI(c) || c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON {
		var body errorBody
		body.Error.Code = code
		body.Error.Message = s.Locale.T(l, message, nil)
		for _, f := range fields {
			body.Error.Fields = append(body.Error.Fields, fieldError{Field: f.Field, Code: f.Code, Message: s.Locale.T(l, f.Code, f.Data)})
		}
		if len(fields) > 0 {
			body.Error.Field = fields[0].Field
			body.Error.Message = fields[0].Field + ": " + body.Error.Fields[0].Message
		}
		return c.Status(status).JSON(body)
	}
	p := &Page{Lang: l, Path: c.Path(), Account: account(c), RequestID: rid, Errors: fields,
		Title: s.Locale.T(l, message, nil),
		Data:  map[string]any{"Status": status, "StatusText": http.StatusText(status), "Message": message}}
	body, rerr := s.render.render("errors/error", p)
	if rerr != nil {
		logger(c, s.Logger).Error("rendering error page", "err", rerr)
		return c.Status(status).SendString(http.StatusText(status))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(status).Send(body)
}
