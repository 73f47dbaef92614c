package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/store/storetest"
)

// TestAdminPagesAndForms renders every admin page and sends bad input to every admin form.
func TestAdminPagesAndForms(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		s.onDemo()
		admin := s.as("admin")
		s.user("rapporteur@example.org", false)
		// E5, which no input of the demo's minutes is tagged with, can be deleted.
		var topicID, spareID string
		if err := db.NewSelect().Table("topics").Column("id").Where("code = 'E5'").Scan(context.Background(), &spareID); err != nil {
			t.Fatal(err)
		}
		if err := db.NewSelect().Table("topics").Column("id").Where("code = 'E3'").Scan(context.Background(), &topicID); err != nil {
			t.Fatal(err)
		}
		pages := []struct {
			path string
			want string
		}{
			{"/admin/", "encs-2017"},
			{"/admin/processes/new", `name="slug"`},
			{"/admin/processes/encs-2017", `aria-current="page">Datos generales`},
			{"/admin/processes/encs-2017/topics", "Coordinación y colaboración"},
			{"/admin/processes/encs-2017/people", `action="/admin/processes/encs-2017/grants"`},
			{"/admin/processes/encs-2017/topics/" + topicID, `value="E3"`},
			{"/admin/accounts?q=rapp", "rapporteur@example.org"},
			{"/admin/audit", "Convene (automáticamente) creó el proceso ENCS2017."},
		}
		for _, p := range pages {
			t.Run("GET "+p.path, func(t *testing.T) {
				r := admin.get(p.path)
				if r.status != http.StatusOK || !strings.Contains(r.body, p.want) {
					t.Fatalf("%d, want %q in %s", r.status, p.want, excerpt(r.body))
				}
			})
		}
		forms := []struct {
			name   string
			path   string
			form   url.Values
			status int
			field  string
		}{
			{"grant to an unknown email", "/admin/processes/encs-2017/grants", url.Values{"grant_email": {"ghost@example.org"}, "grant_role": {"moderator"}}, 422, "grant_email"},
			{"grant with no email", "/admin/processes/encs-2017/grants", url.Values{"grant_role": {"moderator"}}, 422, "grant_email"},
			{"grant an unknown role", "/admin/processes/encs-2017/grants", url.Values{"grant_email": {"rapporteur@example.org"}, "grant_role": {"king"}}, 422, "grant_role"},
			{"topic edit without a title", "/admin/processes/encs-2017/topics/" + topicID, url.Values{"kind": {"axis"}, "code": {"E3"}, "title.es": {""}, "title.en": {"x"}}, 422, "title.es"},
			{"topic edit with a taken code", "/admin/processes/encs-2017/topics/" + topicID, url.Values{"kind": {"axis"}, "code": {"E4"}, "title.es": {"x"}, "title.en": {"x"}}, 422, "code"},
			{"move without a direction", "/admin/processes/encs-2017/topics/" + topicID + "/move", url.Values{}, 422, ""},
			{"topic of a missing process", "/admin/processes/nope/topics/" + topicID, url.Values{"kind": {"axis"}}, 404, ""},
			{"missing topic", "/admin/processes/encs-2017/topics/999999", url.Values{"kind": {"axis"}}, 404, ""},
			{"set admin with a bad value", "/admin/accounts/1/admin", url.Values{"admin": {"maybe"}}, 422, ""},
		}
		for _, f := range forms {
			t.Run(f.name, func(t *testing.T) {
				before := s.count("grants") + s.count("topics") + s.count("audit_log")
				r := admin.post(f.path, f.form)
				if r.status != f.status || (f.field != "" && !strings.Contains(r.body, `id="e-`+f.field+`"`)) {
					t.Fatalf("%d (want %d), field %q: %s", r.status, f.status, f.field, excerpt(r.body))
				}
				if s.count("grants")+s.count("topics")+s.count("audit_log") != before {
					t.Fatal("bad input changed something")
				}
			})
		}
		// The good paths: grant, move, edit, delete.
		good := []struct {
			path string
			form url.Values
		}{
			{"/admin/processes/encs-2017/grants", url.Values{"grant_email": {"rapporteur@example.org"}, "grant_role": {"rapporteur"}}},
			{"/admin/processes/encs-2017/topics/" + topicID + "/move", url.Values{"direction": {"up"}}},
			{"/admin/processes/encs-2017/topics/" + topicID, url.Values{"kind": {"axis"}, "code": {"E3"}, "title.es": {"Coordinación"}, "title.en": {"Coordination"}}},
			{"/admin/processes/encs-2017/topics/" + spareID + "/delete", url.Values{"confirm": {"yes"}}},
		}
		for _, g := range good {
			if r := admin.post(g.path, g.form); r.status != http.StatusSeeOther {
				t.Fatalf("POST %s: %d %s", g.path, r.status, excerpt(r.body))
			}
		}
		if people := admin.get("/admin/processes/encs-2017/people"); !strings.Contains(people.body, "rapporteur@example.org") {
			t.Fatalf("after the grant: %s", excerpt(people.body))
		}
		if topics := admin.get("/admin/processes/encs-2017/topics"); strings.Contains(topics.body, `id="topic-E5"`) || !strings.Contains(topics.body, `id="topic-E3"`) {
			t.Fatalf("after the deletion: %s", excerpt(topics.body))
		}
		var grantID string
		if err := db.NewSelect().Table("grants").Column("id").Limit(1).Scan(context.Background(), &grantID); err != nil {
			t.Fatal(err)
		}
		// Without the browser's yes, a page of its own asks first and nothing changes.
		if r := admin.post("/admin/processes/encs-2017/grants/"+grantID+"/revoke", nil); r.status != http.StatusOK ||
			!strings.Contains(r.body, `name="confirm" value="yes"`) || s.count("grants") != 1 {
			t.Fatalf("revoke without confirmation: %d %s", r.status, excerpt(r.body))
		}
		if r := admin.post("/admin/processes/encs-2017/grants/"+grantID+"/revoke", url.Values{"confirm": {"yes"}}); r.status != http.StatusSeeOther || s.count("grants") != 0 {
			t.Fatalf("revoke: %d", r.status)
		}
		// The audit log tells each of these as a sentence in the reader's language.
		audit := admin.get("/admin/audit").body
		for _, want := range []string{"admin dio el rol de relator/a a rapporteur en ENCS2017.",
			"admin retiró el rol de relator/a a rapporteur en ENCS2017.", "admin borró E5 de ENCS2017."} {
			if !strings.Contains(audit, want) {
				t.Errorf("the audit log lacks %q: %s", want, excerpt(audit))
			}
		}
		if strings.Contains(audit, "account_id") || strings.Contains(audit, "{") {
			t.Errorf("the audit log shows raw data: %s", excerpt(audit))
		}
	})
}

func TestOperations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		c := s.client()
		c.get("/")
		c.get("/processes/none")
		r := c.get("/metrics")
		for _, want := range []string{
			`convene_http_requests_total{method="GET",route="/",status="200"} 1`,
			`convene_http_requests_total{method="GET",route="/processes/:slug",status="404"} 1`,
			"convene_http_request_duration_seconds_bucket",
			"go_sql_open_connections",
		} {
			if !strings.Contains(r.body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if rid := c.get("/healthz").header.Get("X-Request-ID"); len(rid) < 16 {
			t.Errorf("X-Request-ID = %q", rid)
		}
		static := c.get("/")
		i := strings.Index(static.body, "/static/")
		path := static.body[i : i+strings.IndexByte(static.body[i:], '"')]
		sr := c.get(path)
		if sr.status != http.StatusOK || !strings.Contains(sr.header.Get("Cache-Control"), "immutable") {
			t.Errorf("static %s: %d %q", path, sr.status, sr.header.Get("Cache-Control"))
		}
		if stale := c.get(strings.Replace(path, "/static/", "/static/000000000000", 1)); stale.status != http.StatusNotFound {
			t.Errorf("stale static hash: %d", stale.status)
		}
	})
}

// TestInternalErrorsLeakNothing breaks the database under a running site: the visitor gets a
// generic page with a reference, never the error.
func TestInternalErrorsLeakNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		c := s.client()
		if r := c.get("/"); r.status != http.StatusOK {
			t.Fatalf("before: %d", r.status)
		}
		db.DB.Close()
		for _, tc := range []struct{ path, accept string }{{"/", "text/html"}, {"/api/v1/processes", "application/json"}} {
			r := c.do("GET", tc.path, nil, map[string]string{"Accept": tc.accept})
			if r.status != http.StatusInternalServerError {
				t.Fatalf("%s: %d", tc.path, r.status)
			}
			for _, leak := range []string{"sql", "database", "closed", ".go:"} {
				if strings.Contains(strings.ToLower(r.body), leak) {
					t.Fatalf("%s leaks %q: %s", tc.path, leak, r.body)
				}
			}
			if tc.accept == "text/html" && !strings.Contains(r.body, r.header.Get("X-Request-ID")) {
				t.Fatalf("no reference on the error page: %s", excerpt(r.body))
			}
		}
		if r := c.get("/readyz"); r.status != http.StatusServiceUnavailable {
			t.Fatalf("readyz with a closed database: %d", r.status)
		}
	})
}

// TestOrganiserRunsOwnProcess: an organiser edits their process and its topics (pages and API)
// and sees it on their profile, but cannot touch another process, grant roles or create one.
func TestOrganiserRunsOwnProcess(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		s := newSite(t, db)
		s.onDemo()
		admin := s.as("admin")
		other := processForm()
		other.Set("status", "draft")
		if r := admin.post("/admin/processes", other); r.status != http.StatusSeeOther {
			t.Fatalf("creating the second process: %d", r.status)
		}
		org := s.user("organiser@example.org", false)
		if r := admin.post("/admin/processes/encs-2017/grants", url.Values{"grant_email": {org.Email}, "grant_role": {"organiser"}}); r.status != http.StatusSeeOther {
			t.Fatalf("grant: %d", r.status)
		}
		c := s.client()
		c.signIn(org.Email)
		var topicID string
		if err := db.NewSelect().Table("topics").Column("id").Where("code = 'E1'").Scan(ctx, &topicID); err != nil {
			t.Fatal(err)
		}
		edit := url.Values{"slug": {"encs-2017"}, "code": {"ENCS2017"}, "time_zone": {"America/Mexico_City"}, "status": {"closed"},
			"title.es": {"ENCS"}, "title.en": {"NCSS"}, "languages": {"es", "en"}, "stakeholder_groups": {"academia"}}
		cases := []struct {
			name         string
			method, path string
			form         url.Values
			status       int
		}{
			{"own process page", "GET", "/admin/processes/encs-2017", nil, http.StatusOK},
			{"own topic page", "GET", "/admin/processes/encs-2017/topics/" + topicID, nil, http.StatusOK},
			{"edit own process", "POST", "/admin/processes/encs-2017", edit, http.StatusSeeOther},
			{"add a topic", "POST", "/admin/processes/encs-2017/topics", url.Values{"kind": {"axis"}, "code": {"E9"}, "title.es": {"Nuevo"}, "title.en": {"New"}}, http.StatusSeeOther},
			{"own Q&A words", "GET", "/admin/processes/encs-2017/questions", nil, http.StatusOK},
			{"Q&A words too long", "POST", "/admin/processes/encs-2017/questions", url.Values{"words": {strings.Repeat("x", 101)}}, http.StatusUnprocessableEntity},
			{"set Q&A words", "POST", "/admin/processes/encs-2017/questions", url.Values{"words": {"corrupción\r\nDatos personales"}}, http.StatusSeeOther},
			{"another process, a draft: not there for them", "GET", "/admin/processes/pnc-2026", nil, http.StatusNotFound},
			{"another process's Q&A words", "POST", "/admin/processes/pnc-2026/questions", url.Values{"words": {"x"}}, http.StatusNotFound},
			{"another process's draft page", "GET", "/processes/pnc-2026", nil, http.StatusNotFound},
			{"grant roles", "POST", "/admin/processes/encs-2017/grants", url.Values{"grant_email": {org.Email}, "grant_role": {"moderator"}}, http.StatusForbidden},
			{"create a process", "POST", "/admin/processes", processForm(), http.StatusForbidden},
			{"my processes", "GET", "/admin/", nil, http.StatusOK},
			{"audit log", "GET", "/admin/audit", nil, http.StatusForbidden},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var r *response
				if tc.method == "GET" {
					r = c.get(tc.path)
				} else {
					r = c.post(tc.path, tc.form)
				}
				if r.status != tc.status {
					t.Fatalf("%s %s: %d, want %d: %s", tc.method, tc.path, r.status, tc.status, excerpt(r.body))
				}
			})
		}
		if r := c.get("/admin/processes/encs-2017"); strings.Contains(r.body, `href="/admin/processes/encs-2017/people"`) {
			t.Fatal("the organiser is offered the people and roles tab")
		}
		if r := c.get("/admin/processes/encs-2017/questions"); !strings.Contains(r.body, "corrupción\ndatos personales</textarea>") {
			t.Fatalf("the Q&A words saved: %s", excerpt(r.body))
		}
		if r := s.as("member").get("/admin/processes/encs-2017/questions"); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
			t.Fatalf("a member opened the Q&A words: %d", r.status)
		}
		if r := c.get("/admin/processes/encs-2017/people"); r.status != http.StatusForbidden {
			t.Fatalf("the organiser opened the people and roles tab: %d", r.status)
		}
		if r := c.get("/admin/processes/encs-2017/topics"); r.status != http.StatusOK || !strings.Contains(r.body, `action="/admin/processes/encs-2017/topics"`) {
			t.Fatalf("the organiser's objectives and axes tab: %d", r.status)
		}
		if r := c.get("/profile/"); !strings.Contains(r.body, `href="/admin/processes/encs-2017"`) {
			t.Fatalf("the profile does not list the organiser role: %s", excerpt(r.body))
		}
		if r := c.get("/processes/encs-2017"); !strings.Contains(r.body, `href="/admin/processes/encs-2017"`) {
			t.Fatal("no edit link on the public page for its organiser")
		}
		// Their header offers My processes, which lists the process with a way to edit it.
		if r := c.get("/admin/"); !strings.Contains(r.body, `>Mis procesos</a>`) || !strings.Contains(r.body, `href="/admin/processes/encs-2017"`) {
			t.Fatalf("my processes: %s", excerpt(r.body))
		}
		token, _, err := s.accounts.CreateAPIToken(ctx, org.ID, "api")
		if err != nil {
			t.Fatal(err)
		}
		api := s.client()
		api.token = token
		if r := api.api("PATCH", "/api/v1/processes/encs-2017", `{"status":"open"}`); r.status != http.StatusOK {
			t.Fatalf("API edit of own process: %d %s", r.status, r.body)
		}
		if r := api.api("PATCH", "/api/v1/processes/pnc-2026", `{"status":"open"}`); r.status != http.StatusNotFound {
			t.Fatalf("API edit of another process: %d %s", r.status, r.body)
		}
		if r := api.api("POST", "/api/v1/processes", `{"slug":"x"}`); r.status != http.StatusForbidden {
			t.Fatalf("API create by an organiser: %d", r.status)
		}
	})
}
