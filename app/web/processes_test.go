package web_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store/storetest"
)

func processForm() url.Values {
	return url.Values{
		"slug": {"pnc-2026"}, "code": {"PNC2026"}, "time_zone": {"America/Mexico_City"}, "status": {"open"},
		"title.es": {"Política Nacional de Ciberseguridad"}, "title.en": {"National Cybersecurity Policy"},
		"description.es": {"Consulta abierta."}, "description.en": {"Open consultation."},
		"languages": {"es", "en"}, "stakeholder_groups": {"government", "civil_society", "academia"},
	}
}

func TestProcessFormsValidation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		admin := s.as("admin")
		with := func(k string, v ...string) url.Values {
			f := processForm()
			if v == nil {
				f.Del(k)
			} else {
				f[k] = v
			}
			return f
		}
		cases := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no slug, and a title that suggests none", func() url.Values { f := with("slug", ""); f.Set("title.es", "日本語"); return f }(), "slug"},
			{"bad slug", with("slug", "Not A Slug!"), "slug"},
			{"bad code", with("code", "lower"), "code"},
			{"no spanish title", with("title.es", ""), "title.es"},
			{"no english title", with("title.en", ""), "title.en"},
			{"bad time zone", with("time_zone", "Nowhere/Town"), "time_zone"},
			{"no languages", with("languages"), "languages"},
			{"unknown language", with("languages", "es", "xx"), "languages"},
			{"no groups", with("stakeholder_groups"), "stakeholder_groups"},
			{"unknown group", with("stakeholder_groups", "aliens"), "stakeholder_groups"},
			{"unknown status", with("status", "secret"), "status"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before, audits := s.count("processes"), s.count("audit_log")
				r := admin.post("/admin/processes", tc.form)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="e-`+tc.field+`"`) {
					t.Fatalf("status %d, field %s: %s", r.status, tc.field, excerpt(r.body))
				}
				if s.count("processes") != before || s.count("audit_log") != audits {
					t.Fatal("bad input changed something")
				}
			})
		}
		r := admin.post("/admin/processes", processForm())
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/admin/processes/pnc-2026" {
			t.Fatalf("create: %d %s %s", r.status, r.header.Get("Location"), excerpt(r.body))
		}
		if r := admin.post("/admin/processes", processForm()); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="e-slug"`) {
			t.Fatalf("duplicate slug: %d", r.status)
		}
		edit := processForm()
		edit.Set("title.en", "")
		if r := admin.post("/admin/processes/pnc-2026", edit); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="e-title.en"`) {
			t.Fatalf("edit with a missing title: %d", r.status)
		}
		edit.Set("title.en", "National Cybersecurity Policy 2026")
		if r := admin.post("/admin/processes/pnc-2026", edit); r.status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", r.status, excerpt(r.body))
		}
		if r := admin.get("/admin/audit"); !strings.Contains(r.body, "creó el proceso") || !strings.Contains(r.body, "modificó el proceso") {
			t.Fatalf("audit log does not show the process actions: %s", excerpt(r.body))
		}

		topicCases := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no code", url.Values{"kind": {"objective"}, "code": {""}, "title.es": {"Uno"}, "title.en": {"One"}}, "topic_code"},
			{"bad kind", url.Values{"kind": {"wish"}, "code": {"O1"}, "title.es": {"Uno"}, "title.en": {"One"}}, "topic_kind"},
			{"no english title", url.Values{"kind": {"objective"}, "code": {"O1"}, "title.es": {"Uno"}}, "topic_title.en"},
		}
		for _, tc := range topicCases {
			t.Run("topic "+tc.name, func(t *testing.T) {
				before := s.count("topics")
				r := admin.post("/admin/processes/pnc-2026/topics", tc.form)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="e-`+tc.field+`"`) {
					t.Fatalf("status %d, field %s: %s", r.status, tc.field, excerpt(r.body))
				}
				if s.count("topics") != before {
					t.Fatal("bad input created a topic")
				}
			})
		}
		for _, code := range []string{"O1", "O2"} {
			f := url.Values{"kind": {"objective"}, "code": {code}, "title.es": {"Objetivo " + code}, "title.en": {"Objective " + code}}
			if r := admin.post("/admin/processes/pnc-2026/topics", f); r.status != http.StatusSeeOther {
				t.Fatalf("topic %s: %d %s", code, r.status, excerpt(r.body))
			}
		}
		page := admin.get("/processes/pnc-2026")
		if i, j := strings.Index(page.body, "Objetivo O1"), strings.Index(page.body, "Objetivo O2"); i < 0 || j < i {
			t.Fatalf("topics not listed in order on the public page: %s", excerpt(page.body))
		}
	})
}

func TestProcessAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		adminAcc, memberAcc := s.user("root@example.org", true), s.user("mem@example.org", false)
		adminTok, _, err := s.accounts.CreateAPIToken(ctx, adminAcc.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		memberTok, _, err := s.accounts.CreateAPIToken(ctx, memberAcc.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		anon, member, admin := s.client(), s.client(), s.client()
		member.token, admin.token = memberTok, adminTok
		body := `{"slug":"api-proc","code":"API1","title":{"es":"Proceso","en":"Process"},"time_zone":"UTC",
			"languages":["es","en"],"stakeholder_groups":["academia"],"status":"open"}`
		cases := []struct {
			name         string
			c            *client
			method, path string
			body         string
			status       int
			field        string
		}{
			{"create, anonymous", anon, "POST", "/api/v1/processes", body, http.StatusUnauthorized, ""},
			{"create, member", member, "POST", "/api/v1/processes", body, http.StatusForbidden, ""},
			{"create, bad token", &client{t: t, s: s, http: http.DefaultClient, token: "cvn_forged"}, "POST", "/api/v1/processes", body, http.StatusUnauthorized, ""},
			{"create, not JSON", admin, "POST", "/api/v1/processes", `{"slug":`, http.StatusBadRequest, ""},
			{"create, unknown member", admin, "POST", "/api/v1/processes", `{"slug":"x","colour":"red"}`, http.StatusUnprocessableEntity, "colour"},
			{"create, wrong type", admin, "POST", "/api/v1/processes", `{"slug":7}`, http.StatusUnprocessableEntity, "slug"},
			{"create, bad zone", admin, "POST", "/api/v1/processes", strings.Replace(body, `"UTC"`, `"Mars/Base"`, 1), http.StatusUnprocessableEntity, "time_zone"},
			{"create, admin", admin, "POST", "/api/v1/processes", body, http.StatusCreated, ""},
			{"create again", admin, "POST", "/api/v1/processes", body, http.StatusUnprocessableEntity, "slug"},
			{"read, anonymous", anon, "GET", "/api/v1/processes/api-proc", "", http.StatusOK, ""},
			{"list, anonymous", anon, "GET", "/api/v1/processes", "", http.StatusOK, ""},
			{"missing process", anon, "GET", "/api/v1/processes/nope", "", http.StatusNotFound, ""},
			{"patch, member", member, "PATCH", "/api/v1/processes/api-proc", `{"status":"closed"}`, http.StatusForbidden, ""},
			{"patch, bad status", admin, "PATCH", "/api/v1/processes/api-proc", `{"status":"secret"}`, http.StatusUnprocessableEntity, "status"},
			{"patch, admin", admin, "PATCH", "/api/v1/processes/api-proc", `{"status":"closed"}`, http.StatusOK, ""},
			{"topic, member", member, "POST", "/api/v1/processes/api-proc/topics", `{"kind":"axis","code":"E1","title":{"es":"Eje","en":"Axis"}}`, http.StatusForbidden, ""},
			{"topic, bad kind", admin, "POST", "/api/v1/processes/api-proc/topics", `{"kind":"wish","code":"E1","title":{"es":"Eje","en":"Axis"}}`, http.StatusUnprocessableEntity, "kind"},
			{"topic, admin", admin, "POST", "/api/v1/processes/api-proc/topics", `{"kind":"axis","code":"E1","title":{"es":"Eje","en":"Axis"}}`, http.StatusCreated, ""},
			{"topics, anonymous", anon, "GET", "/api/v1/processes/api-proc/topics", "", http.StatusOK, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := s.count("processes") + s.count("topics")
				r := tc.c.api(tc.method, tc.path, tc.body)
				if r.status != tc.status {
					t.Fatalf("%s %s: %d, want %d: %s", tc.method, tc.path, r.status, tc.status, r.body)
				}
				if r.status >= 400 {
					var e struct {
						Error struct{ Code, Message, Field string }
					}
					r.json(t, &e)
					if e.Error.Code == "" || e.Error.Message == "" || e.Error.Field != tc.field {
						t.Fatalf("error body %s: want code, message and field %q", r.body, tc.field)
					}
					if tc.method != "GET" && s.count("processes")+s.count("topics") != before {
						t.Fatal("a refused request changed something")
					}
				}
			})
		}
		var got struct {
			Status string
			Topics []struct{ Code string }
		}
		anon.api("GET", "/api/v1/processes/api-proc", "").json(t, &got)
		if got.Status != "closed" || len(got.Topics) != 1 || got.Topics[0].Code != "E1" {
			t.Fatalf("process after the API calls: %+v", got)
		}
	})
}

// TestOpenAPIDescribesEveryRoute checks that the document is valid OpenAPI 3.0 and that every
// /api/v1 route and method is in it.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.Open(t, storetest.SQLite))
	r := s.client().get("/api/v1/openapi.json")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(r.body))
	if err != nil {
		t.Fatalf("loading our document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("our OpenAPI document is invalid: %v", err)
	}
	var missing []string
	for _, route := range s.srv.App.GetRoutes(true) {
		path, ok := strings.CutPrefix(route.Path, "/api/v1")
		if !ok || route.Method == "HEAD" || route.Method == "USE" || path == "" {
			continue
		}
		parts := strings.Split(path, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}"
			}
		}
		item := doc.Paths.Find(strings.Join(parts, "/"))
		if item == nil || item.GetOperation(route.Method) == nil {
			missing = append(missing, route.Method+" "+route.Path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes missing from openapi.json: %v", missing)
	}
	// And nothing is described that is not routed.
	routed := map[string]bool{}
	for _, route := range s.srv.App.GetRoutes(true) {
		routed[route.Method+" "+route.Path] = true
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			route := "/api/v1" + regexp.MustCompile(`\{(\w+)\}`).ReplaceAllString(path, ":$1")
			if !routed[method+" "+route] {
				t.Errorf("openapi.json describes %s %s, which is not routed", method, route)
			}
		}
	}
	for _, name := range []string{"Process", "ProcessInput", "Topic", "TopicInput", "Account", "Error"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("no component schema %s: %v", name, slices.Collect(maps.Keys(doc.Components.Schemas)))
		}
	}
	// The validator itself tells a good document from a bad one.
	for file, wantValid := range map[string]bool{
		"good-openapi-petstore-30.json": true,
		"bad-openapi-noinfo.json":       false,
	} {
		b, err := os.ReadFile("../../../shared/schemas/examples/" + file)
		if err != nil {
			t.Logf("shared example %s not available: %v", file, err)
			continue
		}
		d, err := openapi3.NewLoader().LoadFromData(b)
		if err == nil {
			err = d.Validate(context.Background())
		}
		if (err == nil) != wantValid {
			t.Errorf("%s: validation error %v, want valid=%v", file, err, wantValid)
		}
	}
}

// TestDemoProcessInBothLanguages loads the demo and reads its page in Spanish and English.
func TestDemoProcessInBothLanguages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		if _, err := seed.Demo(context.Background(), db.DB, s.clock); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			lang string
			want []string
		}{
			{"es", []string{"Objetivos estratégicos", "Sociedad y derechos", "Seguridad nacional", "Cultura de ciberseguridad", "Medición y seguimiento"}},
			{"en", []string{"Strategic objectives", "Society and rights", "National security", "Cybersecurity culture", "Measuring and monitoring"}},
		}
		for _, tc := range cases {
			t.Run(tc.lang, func(t *testing.T) {
				c := s.client()
				r := c.do("GET", "/processes/encs-2017", nil, map[string]string{"Accept-Language": tc.lang})
				if r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="`+tc.lang+`">`) {
					t.Fatalf("status %d: %s", r.status, excerpt(r.body))
				}
				for _, w := range tc.want {
					if !strings.Contains(r.body, w) {
						t.Errorf("page in %s lacks %q", tc.lang, w)
					}
				}
				if n := strings.Count(r.body, `<li id="topic-`); n != 13 {
					t.Errorf("%d topics on the page, want 5 objectives + 8 axes", n)
				}
			})
		}
		var p struct{ Topics []json.RawMessage }
		s.client().api("GET", "/api/v1/processes/encs-2017", "").json(t, &p)
		if len(p.Topics) != 13 {
			t.Fatalf("API lists %d topics, want 13", len(p.Topics))
		}
	})
}
