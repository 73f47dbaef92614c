package web

import (
	"github.com/gofiber/fiber/v2"
)

// obj is a JSON object in the OpenAPI document.
type obj = map[string]any

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func jsonBody(schema obj) obj {
	return obj{"required": true, "content": obj{"application/json": obj{"schema": schema}}}
}

func jsonResponse(desc string, schema obj) obj {
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": schema}}}
}

// errorResponses are the answers every operation may give, in the shape of DESIGN.md.
func errorResponses(codes ...string) obj {
	desc := map[string]string{
		"400": "The body is not valid JSON.",
		"401": "No valid token or login.",
		"403": "The account lacks the permission.",
		"404": "No such object.",
		"422": "A field is invalid; error.field names it.",
		"429": "Too many requests.",
	}
	out := obj{}
	for _, c := range codes {
		out[c] = jsonResponse(desc[c], ref("Error"))
	}
	return out
}

func merge(a, b obj) obj {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// openAPIDocument describes the /api/v1 that exists. A test checks that every /api/v1 route is
// in it and that it is valid OpenAPI 3.0.
func openAPIDocument(version string) obj {
	slugParam := obj{"name": "slug", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": "The process's slug."}
	topicParam := obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "integer", "format": "int64"}, "description": "The topic's id."}
	bearer := []obj{{"bearer": []string{}}}
	text := obj{"type": "object", "additionalProperties": obj{"type": "string"},
		"description": "Text in several languages: a map from language tag (es, en) to text.", "example": obj{"es": "Sociedad y derechos", "en": "Society and rights"}}
	return obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       "Convene API",
			"version":     version,
			"description": "Public reads need no token. Writes take `Authorization: Bearer <token>` (create one on your account page or with `convene token create`). Errors are `{\"error\": {\"code\", \"message\", \"field\"}}`.",
			"license":     obj{"name": "AGPL-3.0-or-later"},
		},
		"servers": []obj{{"url": "/api/v1"}},
		"components": obj{
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer"}},
			"schemas": obj{
				"TranslatedText": text,
				"Error": obj{"type": "object", "required": []string{"error"}, "properties": obj{
					"error": obj{"type": "object", "required": []string{"code", "message"}, "properties": obj{
						"code":    obj{"type": "string", "example": "invalid"},
						"message": obj{"type": "string"},
						"field":   obj{"type": "string", "description": "The first invalid field, when the error is about input."},
						"fields": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
							"field": obj{"type": "string"}, "code": obj{"type": "string"}, "message": obj{"type": "string"}}}},
					}},
				}},
				"Process": obj{"type": "object", "properties": obj{
					"id": obj{"type": "integer", "format": "int64"}, "slug": obj{"type": "string"}, "code": obj{"type": "string"},
					"title": ref("TranslatedText"), "description": ref("TranslatedText"), "general_objective": ref("TranslatedText"),
					"time_zone":          obj{"type": "string", "example": "America/Mexico_City"},
					"languages":          obj{"type": "array", "items": obj{"type": "string", "enum": []string{"es", "en"}}},
					"stakeholder_groups": obj{"type": "array", "items": obj{"type": "string"}},
					"status":             obj{"type": "string", "enum": []string{"draft", "open", "closed", "archived"}},
					"topics":             obj{"type": "array", "items": ref("Topic")},
					"created_at":         obj{"type": "string", "format": "date-time"},
					"updated_at":         obj{"type": "string", "format": "date-time"},
				}},
				"ProcessInput": obj{"type": "object", "required": []string{"slug", "code", "title", "time_zone", "languages", "stakeholder_groups", "status"}, "properties": obj{
					"slug": obj{"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}, "code": obj{"type": "string"},
					"title": ref("TranslatedText"), "description": ref("TranslatedText"), "general_objective": ref("TranslatedText"),
					"time_zone": obj{"type": "string"}, "languages": obj{"type": "array", "items": obj{"type": "string"}},
					"stakeholder_groups": obj{"type": "array", "items": obj{"type": "string"}},
					"status":             obj{"type": "string", "enum": []string{"draft", "open", "closed", "archived"}},
				}},
				"Topic": obj{"type": "object", "properties": obj{
					"id": obj{"type": "integer", "format": "int64"}, "kind": obj{"type": "string", "enum": []string{"objective", "axis"}},
					"code": obj{"type": "string"}, "title": ref("TranslatedText"), "description": ref("TranslatedText"),
					"position": obj{"type": "integer"},
				}},
				"TopicInput": obj{"type": "object", "required": []string{"kind", "code", "title"}, "properties": obj{
					"kind": obj{"type": "string", "enum": []string{"objective", "axis"}}, "code": obj{"type": "string"},
					"title": ref("TranslatedText"), "description": ref("TranslatedText"),
				}},
				"Account": obj{"type": "object", "properties": obj{
					"id": obj{"type": "integer", "format": "int64"}, "email": obj{"type": "string"}, "name": obj{"type": "string"},
					"is_admin": obj{"type": "boolean"}, "language": obj{"type": "string"}, "time_zone": obj{"type": "string"},
				}},
			},
		},
		"paths": obj{
			"/openapi.json": obj{"get": obj{"summary": "This document.", "operationId": "openapi",
				"responses": obj{"200": obj{"description": "The OpenAPI document.", "content": obj{"application/json": obj{"schema": obj{"type": "object"}}}}}}},
			"/me": obj{"get": obj{"summary": "The account the token belongs to.", "operationId": "me", "security": bearer,
				"responses": merge(obj{"200": jsonResponse("The account.", ref("Account"))}, errorResponses("401"))}},
			"/processes": obj{
				"get": obj{"summary": "Published processes (admins also see drafts).", "operationId": "listProcesses",
					"responses": obj{"200": jsonResponse("The processes.", obj{"type": "object", "properties": obj{"processes": obj{"type": "array", "items": ref("Process")}}})}},
				"post": obj{"summary": "Create a process (admin).", "operationId": "createProcess", "security": bearer,
					"requestBody": jsonBody(ref("ProcessInput")),
					"responses":   merge(obj{"201": jsonResponse("The new process.", ref("Process"))}, errorResponses("400", "401", "403", "422", "429"))},
			},
			"/processes/{slug}": obj{
				"parameters": []obj{slugParam},
				"get": obj{"summary": "One process with its objectives and axes.", "operationId": "getProcess",
					"responses": merge(obj{"200": jsonResponse("The process.", ref("Process"))}, errorResponses("404"))},
				"patch": obj{"summary": "Change a process (admin or its organiser). Omitted members keep their value.", "operationId": "updateProcess", "security": bearer,
					"requestBody": jsonBody(ref("ProcessInput")),
					"responses":   merge(obj{"200": jsonResponse("The process.", ref("Process"))}, errorResponses("400", "401", "403", "404", "422", "429"))},
			},
			"/processes/{slug}/topics": obj{
				"parameters": []obj{slugParam},
				"get": obj{"summary": "A process's objectives and axes, in order.", "operationId": "listTopics",
					"responses": merge(obj{"200": jsonResponse("The topics.", obj{"type": "object", "properties": obj{"topics": obj{"type": "array", "items": ref("Topic")}}})}, errorResponses("404"))},
				"post": obj{"summary": "Add an objective or axis (admin or the organiser).", "operationId": "createTopic", "security": bearer,
					"requestBody": jsonBody(ref("TopicInput")),
					"responses":   merge(obj{"201": jsonResponse("The new topic.", ref("Topic"))}, errorResponses("400", "401", "403", "404", "422", "429"))},
			},
			"/processes/{slug}/topics/{id}": obj{
				"parameters": []obj{slugParam, topicParam},
				"patch": obj{"summary": "Change a topic (admin or the organiser). Omitted members keep their value.", "operationId": "updateTopic", "security": bearer,
					"requestBody": jsonBody(ref("TopicInput")),
					"responses":   merge(obj{"200": jsonResponse("The topic.", ref("Topic"))}, errorResponses("400", "401", "403", "404", "422", "429"))},
				"delete": obj{"summary": "Delete a topic (admin or the organiser).", "operationId": "deleteTopic", "security": bearer,
					"responses": merge(obj{"204": obj{"description": "Deleted."}}, errorResponses("401", "403", "404", "429"))},
			},
		},
	}
}

func (s *Server) openAPI(c *fiber.Ctx) error {
	return c.JSON(openAPIDocument(s.Version))
}
