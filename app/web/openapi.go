package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/translated"
)

// apiOp describes one /api/v1 route for the OpenAPI document. Each capability lists its own
// beside its handlers (process_api.go: processAPIDocs); the schemas come from the Go types of
// the request and response bodies, so the document cannot drift from what the handlers send.
// Struct tags add what a type cannot say: `enum:"a,b"` and `doc:"..."`.
type apiOp struct {
	method, path string // as routed, e.g. "/processes/:slug"
	id, summary  string
	auth         bool  // takes a bearer token
	body         any   // the request body's type (a zero value), or nil
	status       int   // the success status
	response     any   // the success body's type, or nil for none
	errors       []int // the error statuses it may answer
	params       map[string]string
}

// apiDocs lists every documented operation; a test checks it against the route table.
func apiDocs() []apiOp {
	return slices.Concat(metaAPIDocs(), processAPIDocs(), forumAPIDocs(), registrationAPIDocs())
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

// errorDescription says what an error status means on this API.
func errorDescription(status int) string {
	switch status {
	case 400:
		return "The body is not valid JSON."
	case 401:
		return "No valid token or login."
	case 403:
		return "The account lacks the permission."
	case 404:
		return "No such object, or not one the caller may see."
	case 409:
		return "The current state forbids it."
	case 422:
		return "A field is invalid; error.field names it."
	case 429:
		return "Too many requests; Retry-After says when to try again."
	}
	return http.StatusText(status)
}

// typeName names component schemas after the API types: apiProcess → Process.
func typeName(t reflect.Type) string {
	if t == reflect.TypeFor[translated.Text]() {
		return "TranslatedText"
	}
	name := strings.TrimPrefix(strings.TrimPrefix(t.Name(), "api"), "openAPI")
	if name == "" {
		return "Anonymous"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// customize reads the enum and doc tags.
func customize(_ string, t reflect.Type, tag reflect.StructTag, schema *openapi3.Schema) error {
	if e := tag.Get("enum"); e != "" {
		target := schema
		if schema.Type.Is("array") && schema.Items != nil && schema.Items.Value != nil {
			target = schema.Items.Value
		}
		for _, v := range strings.Split(e, ",") {
			if !slices.Contains(target.Enum, any(v)) {
				target.Enum = append(target.Enum, v)
			}
		}
	}
	if d := tag.Get("doc"); d != "" {
		schema.Description = d
	}
	if t == reflect.TypeFor[translated.Text]() {
		schema.Description = "Text in several languages: a map from language tag (es, en) to text."
		schema.Example = map[string]string{"es": "Sociedad y derechos", "en": "Society and rights"}
	}
	return nil
}

// openAPIDocument builds the document of the /api/v1 that exists.
func openAPIDocument(version string) (*openapi3.T, error) {
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: "Convene API", Version: version,
			Description: "Public reads need no token. Writes take `Authorization: Bearer <token>` (create one on your " +
				"account page or with `convene token create`). Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`.",
			License: &openapi3.License{Name: "AGPL-3.0-or-later"}},
		Servers: openapi3.Servers{{URL: "/api/v1"}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas: openapi3.Schemas{},
			SecuritySchemes: openapi3.SecuritySchemes{"bearer": &openapi3.SecuritySchemeRef{
				Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer")}},
		},
	}
	gen := openapi3gen.NewGenerator(
		openapi3gen.CreateComponentSchemas(openapi3gen.ExportComponentSchemasOptions{ExportComponentSchemas: true, ExportTopLevelSchema: true}),
		openapi3gen.CreateTypeNameGenerator(typeName),
		openapi3gen.SchemaCustomizer(customize),
	)
	schema := func(v any) (*openapi3.SchemaRef, error) {
		ref, err := gen.NewSchemaRefForValue(v, doc.Components.Schemas)
		if err != nil {
			return nil, fmt.Errorf("schema of %T: %w", v, err)
		}
		return ref, nil
	}
	errSchema, err := schema(openAPIError{})
	if err != nil {
		return nil, err
	}
	for _, op := range apiDocs() {
		o := openapi3.NewOperation()
		o.OperationID, o.Summary = op.id, op.summary
		if op.auth {
			o.Security = &openapi3.SecurityRequirements{{"bearer": []string{}}}
		}
		path, names := openAPIPath(op.path)
		for _, n := range names {
			p := openapi3.NewPathParameter(n).WithDescription(op.params[n])
			if n == "id" {
				p.Schema = openapi3.NewInt64Schema().NewRef()
			} else {
				p.Schema = openapi3.NewStringSchema().NewRef()
			}
			o.AddParameter(p)
		}
		if op.body != nil {
			ref, err := schema(op.body)
			if err != nil {
				return nil, err
			}
			o.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithJSONSchemaRef(ref)}
		}
		success := openapi3.NewResponse().WithDescription(http.StatusText(op.status))
		if op.response != nil {
			ref, err := schema(op.response)
			if err != nil {
				return nil, err
			}
			success = success.WithJSONSchemaRef(ref)
		}
		o.AddResponse(op.status, success)
		for _, code := range op.errors {
			o.AddResponse(code, openapi3.NewResponse().WithDescription(errorDescription(code)).WithJSONSchemaRef(errSchema))
		}
		doc.AddOperation(path, op.method, o)
	}
	return doc, nil
}

// openAPIPath turns "/processes/:slug" into "/processes/{slug}" and lists the parameters.
func openAPIPath(route string) (string, []string) {
	parts := strings.Split(route, "/")
	var names []string
	for i, p := range parts {
		if n, ok := strings.CutPrefix(p, ":"); ok {
			parts[i] = "{" + n + "}"
			names = append(names, n)
		}
	}
	return strings.Join(parts, "/"), names
}

// metaAPIDocs describes the routes about the API itself and the caller.
func metaAPIDocs() []apiOp {
	return []apiOp{
		{method: "GET", path: "/openapi.json", id: "openapi", summary: "This document.", status: 200},
		{method: "GET", path: "/me", id: "me", summary: "The account the token or login belongs to.", auth: true,
			status: 200, response: apiAccount{}, errors: []int{401}},
	}
}

// openAPIJSON is the document, encoded once at start-up.
func openAPIJSON(version string) ([]byte, error) {
	doc, err := openAPIDocument(version)
	if err != nil {
		return nil, fmt.Errorf("building the OpenAPI document: %w", err)
	}
	return json.Marshal(doc)
}

func (s *Server) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(s.openapi)))
	return c.Send(s.openapi)
}
