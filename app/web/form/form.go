// Package form reads requests for the handlers: form fields, path ids and JSON bodies, copied
// out of Fiber's reused buffers, and the middleware that refuses control characters in any
// field. As Miniflux's internal/ui/form, it decodes; the rules stay with the capabilities.
package form

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// ErrBadJSON is a body that is not one JSON object.
var ErrBadJSON = problem.New(problem.BadRequest, "error.bad_json")

// PlainInput refuses a request whose query or form fields hold NUL or other control
// characters, naming the field (422): PostgreSQL fails on a NUL, and nothing a person types
// needs them. Line breaks and tabs pass (text areas); each field's own rule is stricter.
func PlainInput(c *fiber.Ctx) error {
	var es validate.Errors
	check := func(args *fasthttp.Args) {
		for k, v := range args.All() {
			if !validate.Printable(string(v), true) || !validate.Printable(string(k), false) {
				es.Add(strings.ToValidUTF8(strings.Map(printableRune, string(k)), "?"), validate.Control, nil)
			}
		}
	}
	check(c.Context().QueryArgs())
	switch ct := c.Get(fiber.HeaderContentType); {
	case strings.HasPrefix(ct, fiber.MIMEApplicationForm):
		check(c.Context().PostArgs())
	case strings.HasPrefix(ct, fiber.MIMEMultipartForm):
		if mf, err := c.MultipartForm(); err == nil {
			for _, k := range slices.Sorted(maps.Keys(mf.Value)) {
				for _, v := range mf.Value[k] {
					if !validate.Printable(v, true) || !validate.Printable(k, false) {
						es.Add(strings.ToValidUTF8(strings.Map(printableRune, k), "?"), validate.Control, nil)
					}
				}
			}
		}
	}
	if err := es.Err(); err != nil {
		return err
	}
	return c.Next()
}

// printableRune replaces a control character (in a field's name) with "?".
func printableRune(r rune) rune {
	if unicode.IsControl(r) {
		return '?'
	}
	return r
}

// Values copies the named fields out of the request.
func Values(c *fiber.Ctx, names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[n] = strings.Clone(c.FormValue(n))
	}
	return m
}

// ID reads a positive numeric id from the path; anything else is not found.
func ID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id < 1 {
		return 0, problem.ErrNotFound
	}
	return id, nil
}

// Translated reads name.es, name.en ... from a form, and leaves each in f for redrawing it.
func Translated(c *fiber.Ctx, name string, f map[string]string) translated.Text {
	t := translated.Text{}
	for _, l := range locale.Supported() {
		v := strings.Clone(c.FormValue(name + "." + l))
		f[name+"."+l] = v
		if v != "" {
			t[l] = v
		}
	}
	return t
}

// Multi reads every value of a repeated field (checkboxes).
func Multi(c *fiber.Ctx, name string) []string {
	var out []string
	for _, v := range c.Context().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// Prefix renames field errors so two forms on one page do not share field ids.
func Prefix(err error, prefix string) error {
	es, ok := validate.As(err)
	if !ok {
		return err
	}
	out := make(validate.Errors, len(es))
	for i, e := range es {
		e.Field = prefix + e.Field
		out[i] = e
	}
	return out
}

// JSON reads a JSON object body into v, refusing unknown members so a typo is an error
// rather than a silently ignored field.
func JSON(c *fiber.Ctx, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te):
			return validate.Errors{{Field: te.Field, Code: validate.Invalid}}
		case errors.As(err, &se), err.Error() == "EOF":
			return ErrBadJSON
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return validate.Errors{{Field: field, Code: "error.unknown_field"}}
		}
		return ErrBadJSON
	}
	return nil
}
