// Package openapi generates the OpenAPI 3 document of /api/v1 from the operations each
// capability's handlers list and the Go types of their bodies (kin-openapi's openapi3gen).
package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/convene/convene/app/translated"
)

// Op describes one /api/v1 route. Each capability lists its own beside its handlers (in
// app/web, process_api.go: processAPIDocs); the schemas come from the Go types of the request
// and response bodies, so the document cannot drift from what the handlers send. Struct tags
// add what a type cannot say: `enum:"a,b"` and `doc:"..."`.
type Op struct {
	Method, Path string // as routed, e.g. "/processes/:slug"
	ID, Summary  string
	Auth         bool              // takes a bearer token
	Body         any               // the request body's type (a zero value), or nil
	Status       int               // the success status
	Response     any               // the success body's type, or nil for none
	Errors       []int             // the error statuses it may answer
	Params       map[string]string // what each path parameter names
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

// Document builds the document of ops, every failure answering errorBody (a zero value of
// its type), and encodes it.
func Document(version string, errorBody any, ops []Op) ([]byte, error) {
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
	errSchema, err := schema(errorBody)
	if err != nil {
		return nil, err
	}
	for _, op := range ops {
		o := openapi3.NewOperation()
		o.OperationID, o.Summary = op.ID, op.Summary
		if op.Auth {
			o.Security = &openapi3.SecurityRequirements{{"bearer": []string{}}}
		}
		path, names := pathOf(op.Path)
		for _, n := range names {
			p := openapi3.NewPathParameter(n).WithDescription(op.Params[n])
			if n == "id" {
				p.Schema = openapi3.NewInt64Schema().NewRef()
			} else {
				p.Schema = openapi3.NewStringSchema().NewRef()
			}
			o.AddParameter(p)
		}
		if op.Body != nil {
			ref, err := schema(op.Body)
			if err != nil {
				return nil, err
			}
			o.RequestBody = &openapi3.RequestBodyRef{Value: openapi3.NewRequestBody().WithRequired(true).WithJSONSchemaRef(ref)}
		}
		success := openapi3.NewResponse().WithDescription(http.StatusText(op.Status))
		if op.Response != nil {
			ref, err := schema(op.Response)
			if err != nil {
				return nil, err
			}
			success = success.WithJSONSchemaRef(ref)
		}
		o.AddResponse(op.Status, success)
		for _, code := range op.Errors {
			o.AddResponse(code, openapi3.NewResponse().WithDescription(errorDescription(code)).WithJSONSchemaRef(errSchema))
		}
		doc.AddOperation(path, op.Method, o)
	}
	return json.Marshal(doc)
}

// pathOf turns "/processes/:slug" into "/processes/{slug}" and lists the parameters.
func pathOf(route string) (string, []string) {
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
