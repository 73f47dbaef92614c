package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// FuzzFormInput posts whatever the fuzzer makes, as every field of the sign-in, sign-up and
// reset forms and as the admin search: the answer is never a 5xx.
func FuzzFormInput(f *testing.F) {
	for _, seed := range []string{"", "\x00", "' OR '1'='1", "\"; DROP TABLE accounts; --", "\x1b[2J", "%00", "<script>",
		"\xed\xa0\x80", "\xff\xfe", "a@b.c", strings.Repeat("é", 300), "\u2028", "../../etc/passwd", "${jndi:ldap://x}"} {
		f.Add(seed)
	}
	s := newSite(f, storetest.Open(f, storetest.SQLite))
	admin := s.as("admin")
	f.Fuzz(func(t *testing.T, v string) {
		admin := *admin
		admin.t = t
		for _, path := range []string{"/signin", "/signup", "/reset", "/profile/"} {
			form := url.Values{}
			for _, k := range []string{"email", "name", "password", "password_confirm", "language", "next", "time_zone"} {
				form.Set(k, v)
			}
			if r := admin.post(path, form); r.status >= 500 {
				t.Fatalf("POST %s with %q: %d", path, v, r.status)
			}
		}
		if r := admin.get("/admin/accounts?q=" + url.QueryEscape(v)); r.status >= 500 {
			t.Fatalf("admin search %q: %d", v, r.status)
		}
	})
}

// FuzzAPIJSON sends whatever the fuzzer makes as the JSON body of the API's writes: malformed
// JSON is a 400, wrong members a 422, a missing process a 404: never a 5xx.
func FuzzAPIJSON(f *testing.F) {
	for _, seed := range []string{"{", `{"slug":`, "null", "[]", `{"slug":"\u0000"}`, `{"title":{"es":"\u0000"}}`, `{"slug":1}`,
		`{"unknown":true}`, strings.Repeat("[", 1000), `{"slug":"ok","code":"OK","title":{"es":"x","en":"x"},"time_zone":"Mars/Base",` +
			`"languages":["es"],"stakeholder_groups":["academia"],"status":"open"}`} {
		f.Add(seed)
	}
	s := newSite(f, storetest.Open(f, storetest.SQLite))
	tok, _, err := s.accounts.CreateAPIToken(context.Background(), s.user("api@example.org", true).ID, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	api := s.client()
	api.token = tok
	f.Fuzz(func(t *testing.T, body string) {
		api := *api
		api.t = t
		for _, route := range []struct{ method, path string }{
			{http.MethodPost, "/api/v1/processes"}, {http.MethodPatch, "/api/v1/processes/nope"}, {http.MethodPost, "/api/v1/processes/nope/topics"},
		} {
			if r := api.api(route.method, route.path, body); r.status >= 500 {
				t.Fatalf("%s %s with %q: %d %s", route.method, route.path, body, r.status, excerpt(r.body))
			}
		}
	})
}

// FuzzForumInput sends whatever the fuzzer makes as the JSON body of the forum and session
// writes, and as the programme's filters: never a 5xx.
func FuzzForumInput(f *testing.F) {
	for _, seed := range []string{"{", "null", `{"start":"2030-01-10T02:30","end":"2030-01-10T01:00"}`, `{"topic_ids":[-1,0,99999999999]}`,
		`{"speakers":[{"name":"\u0000"}]}`, `{"speakers":[{"country":"ZZ","stakeholder_group":"x"}]}`, `{"room_id":-5}`,
		`{"time_zone":"../../etc/passwd"}`, `{"starts_on":"2030-02-31"}`, `{"languages":["` + strings.Repeat("x", 500) + `"]}`,
		`{"moderators":["@","a@b"]}`, "O1", "panel", "es"} {
		f.Add(seed)
	}
	s := newSite(f, storetest.Open(f, storetest.SQLite))
	ctx := context.Background()
	admin := s.user("api@example.org", true)
	p, err := s.app.Processes.Create(ctx, systemActor(), demoProcess("fuzz-forums"))
	if err != nil {
		f.Fatal(err)
	}
	fm, err := s.app.Forums.Create(ctx, systemActor(), p.ID, forums.Input{Slug: "fuzz-forum", Format: forums.FormatVirtual,
		OnlineURL: "https://meet.example.org/f", TimeZone: "America/New_York", StartsOn: "2030-01-10", EndsOn: "2030-01-11",
		Title: translated.Text{"es": "Foro", "en": "Forum"}})
	if err != nil {
		f.Fatal(err)
	}
	api := s.apiClient(admin)
	f.Fuzz(func(t *testing.T, body string) {
		api := *api
		api.t = t
		for _, route := range []struct{ method, path string }{
			{http.MethodPost, "/api/v1/processes/fuzz-forums/forums"}, {http.MethodPatch, fmt.Sprintf("/api/v1/forums/%d", fm.ID)},
			{http.MethodPost, fmt.Sprintf("/api/v1/forums/%d/sessions", fm.ID)}, {http.MethodPost, fmt.Sprintf("/api/v1/forums/%d/rooms", fm.ID)},
		} {
			if r := api.api(route.method, route.path, body); r.status >= 500 {
				t.Fatalf("%s %s with %q: %d %s", route.method, route.path, body, r.status, excerpt(r.body))
			}
		}
		q := url.Values{"topic": {body}, "kind": {body}, "language": {body}}.Encode()
		for _, path := range []string{"/forums/fuzz-forum?" + q, "/processes/fuzz-forums?format=" + url.QueryEscape(body) + "&topic=" + url.QueryEscape(body)} {
			if r := api.get(path); r.status >= 500 {
				t.Fatalf("GET %s: %d", path, r.status)
			}
		}
	})
}

// FuzzRegistrationInput sends whatever the fuzzer makes as the JSON body of registering, of
// changing a registration and of a forum's registration settings, and as the organisers'
// filters: never a 5xx.
func FuzzRegistrationInput(f *testing.F) {
	for _, seed := range []string{"{", "null", `{"mode":"in_person","stakeholder_group":"academia","role":"participant","privacy_version":"2026-12-06"}`,
		`{"answers":{"1":["0","0","0"]}}`, `{"answers":{"-1":["x"]}}`, `{"languages":["` + strings.Repeat("x", 500) + `"]}`,
		`{"capacity_in_person":-1}`, `{"quotas":[{"stakeholder_group":"academia","mode":"in_person","seats":5}]}`,
		`{"questions":[{"kind":"single","label":{"es":"x","en":"x"},"options":[]}]}`, `{"opens":"2030-13-01T00:00:00Z"}`,
		`{"mode":"online"}`, "confirmed", "AAAAA-BBBBB"} {
		f.Add(seed)
	}
	s := newSite(f, storetest.Open(f, storetest.SQLite))
	ctx := context.Background()
	admin := s.user("api@example.org", true)
	p, err := s.app.Processes.Create(ctx, systemActor(), demoProcess("fuzz-registration"))
	if err != nil {
		f.Fatal(err)
	}
	day := s.clock.Now().AddDate(0, 0, 30).Format("2006-01-02")
	fm, err := s.app.Forums.Create(ctx, systemActor(), p.ID, forums.Input{Slug: "fuzz-registration", Format: forums.FormatHybrid,
		VenueName: "Sede", OnlineURL: "https://meet.example.org/f", TimeZone: "America/New_York", StartsOn: day, EndsOn: day,
		Title: translated.Text{"es": "Foro", "en": "Forum"}})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.app.Forums.Publish(ctx, systemActor(), p.ID, fm.ID); err != nil {
		f.Fatal(err)
	}
	api := s.apiClient(admin)
	f.Fuzz(func(t *testing.T, body string) {
		api := *api
		api.t = t
		for _, route := range []struct{ method, path string }{
			{http.MethodPut, fmt.Sprintf("/api/v1/forums/%d/registration/settings", fm.ID)},
			{http.MethodPost, fmt.Sprintf("/api/v1/forums/%d/registrations", fm.ID)},
			{http.MethodPatch, "/api/v1/registrations/1"},
		} {
			if r := api.api(route.method, route.path, body); r.status >= 500 {
				t.Fatalf("%s %s with %q: %d %s", route.method, route.path, body, r.status, excerpt(r.body))
			}
		}
		q := url.Values{"status": {body}, "mode": {body}, "q": {body}, "country": {body}, "limit": {body}}.Encode()
		if r := api.get(fmt.Sprintf("/api/v1/forums/%d/registrations?%s", fm.ID, q)); r.status >= 500 {
			t.Fatalf("the list with %q: %d", body, r.status)
		}
	})
}
