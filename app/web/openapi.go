package web

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/web/openapi"
)

// apiDocs lists every documented operation; a test checks it against the route table.
func apiDocs() []openapi.Op {
	return slices.Concat(metaAPIDocs(), processAPIDocs(), forumAPIDocs(), registrationAPIDocs(), questionsAPIDocs(), minutesAPIDocs(), draftAPIDocs())
}

// openAPIError is the JSON error shape of every failure, as errorBody sends it.
type openAPIError struct {
	Error apiErrorDetail `json:"error"`
}

type apiErrorDetail struct {
	Code    string       `json:"code" doc:"A stable code, e.g. invalid, not_found, last_admin."`
	Message string       `json:"message" doc:"A sentence in the caller's language."`
	Field   string       `json:"field,omitempty" doc:"The first invalid field, when the error is about input."`
	Fields  []fieldError `json:"fields,omitempty"`
}

// metaAPIDocs describes the routes about the API itself and the caller.
func metaAPIDocs() []openapi.Op {
	return []openapi.Op{
		{Method: "GET", Path: "/openapi.json", ID: "openapi", Summary: "This document.", Status: 200},
		{Method: "GET", Path: "/me", ID: "me", Summary: "The account the token or login belongs to.", Auth: true,
			Status: 200, Response: apiAccount{}, Errors: []int{401}},
	}
}

// openAPIJSON is the document, encoded once at start-up.
func openAPIJSON(version string) ([]byte, error) {
	doc, err := openapi.Document(version, openAPIError{}, apiDocs())
	if err != nil {
		return nil, fmt.Errorf("building the OpenAPI document: %w", err)
	}
	return doc, nil
}

func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(s.openapi)))
	return c.Send(s.openapi)
}
