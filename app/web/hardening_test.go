package web_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// behindProxy makes the site trust 127.0.0.1 as its reverse proxy.
func behindProxy(c *config.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

// TestSignInThrottledPerAccount: wrong passwords for one account from ever new addresses slow
// down after a few (429 with the real wait), while the owner's own browser, where they signed
// in before, still gets in at once.
func TestSignInThrottledPerAccount(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db, behindProxy)
		ana := s.user("ana@example.org", false)
		owner := s.client()
		owner.signIn(ana.Email) // this browser now carries a device cookie
		owner.post("/signout", nil)

		attacker := s.client()
		tried, throttled := 0, 0
		for i := range 60 {
			f := url.Values{"email": {ana.Email}, "password": {fmt.Sprintf("guess number %d", i)}, "_csrf": {attacker.csrf()}}
			r := attacker.do(http.MethodPost, "/signin", strings.NewReader(f.Encode()), map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": fmt.Sprintf("203.0.113.%d", i+1)})
			switch r.status {
			case http.StatusUnauthorized:
				tried++
			case http.StatusTooManyRequests:
				throttled++
				if r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Retry") && !strings.Contains(r.body, "Espera") {
					t.Fatalf("throttled without the wait: %v %s", r.header, excerpt(r.body))
				}
			default:
				t.Fatalf("attempt %d: status %d", i, r.status)
			}
		}
		if tried > 6 || throttled < 54 {
			t.Fatalf("%d passwords tried and %d throttled out of 60 from 60 addresses", tried, throttled)
		}
		// The owner is not kept out.
		owner.signIn(ana.Email)
	})
}

// TestControlCharactersRefused: a NUL or another control character in any field is a 422
// naming the field, never a 500, and changes nothing.
func TestControlCharactersRefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		admin := s.as("admin")
		anon := s.client()
		before := s.count("accounts")
		cases := []struct {
			name  string
			c     *client
			path  string
			form  url.Values
			field string
		}{
			{"sign-in email", anon, "/signin", url.Values{"email": {"a\x00@example.org"}, "password": {"x"}}, "email"},
			{"sign-up name", anon, "/signup", url.Values{"name": {"Ana\x00"}, "email": {"n@example.org"}, "password": {"a long passphrase"},
				"password_confirm": {"a long passphrase"}, "language": {"es"}, "privacy": {privacy.Version}}, "name"},
			{"sign-up name with an escape", anon, "/signup", url.Values{"name": {"Ana\x1b[31m"}, "email": {"n@example.org"},
				"password": {"a long passphrase"}, "password_confirm": {"a long passphrase"}, "language": {"es"}, "privacy": {privacy.Version}}, "name"},
			{"reset email", anon, "/reset", url.Values{"email": {"\x00"}}, "email"},
			{"token name", admin, "/profile/tokens", url.Values{"token_name": {"ci\x00"}}, "token_name"},
			{"profile name", admin, "/profile/", url.Values{"name": {"A\x07"}, "language": {"es"}}, "name"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.post(tc.path, tc.form)
				if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "<code>"+tc.field+"</code>") {
					t.Fatalf("%d, want 422 naming %s: %s", r.status, tc.field, excerpt(r.body))
				}
			})
		}
		if r := admin.get("/admin/accounts?q=%00"); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("admin search with a NUL: %d", r.status)
		}
		if r := anon.api(http.MethodGet, "/api/v1/processes?x=%00", ""); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `"field":"x"`) {
			t.Fatalf("API query with a NUL: %d %s", r.status, r.body)
		}
		if n := s.count("accounts"); n != before {
			t.Fatalf("accounts %d → %d", before, n)
		}
	})
}

// TestHostileInputNo5xx: what sqlmap and wapiti send (NUL, control characters, quotes, 3 MB
// bodies, malformed JSON) to every form and API write gets a 4xx, never a 5xx.
func TestHostileInputNo5xx(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		admin := s.as("admin")
		tok, _, err := s.accounts.CreateAPIToken(context.Background(), s.user("api@example.org", true).ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		api := s.client()
		api.token = tok
		values := []string{"\x00", "' OR '1'='1", "\"; DROP TABLE accounts; --", "\x1b[2J", "%00", strings.Repeat("é", 5000),
			"<script>alert(1)</script>", "\xed\xa0\x80", "\xff\xfe"}
		forms := []string{"/signin", "/signup", "/reset", "/verify", "/profile/", "/profile/password", "/profile/tokens",
			"/admin/processes", "/admin/processes/nope/topics", "/language"}
		for _, path := range forms {
			for _, v := range values {
				f := url.Values{}
				for _, k := range []string{"email", "name", "password", "password_confirm", "slug", "code", "title.es", "token_name", "language", "next", "q"} {
					f.Set(k, v)
				}
				if r := admin.post(path, f); r.status >= 500 {
					t.Errorf("POST %s with %q: %d", path, v, r.status)
				}
			}
		}
		big := strings.Repeat("a", 3<<20)
		// The server may close the connection on a body over its limit before reading it all.
		req, _ := http.NewRequest(http.MethodPost, s.base+"/signup", strings.NewReader("name="+big))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if res, err := admin.http.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("3 MB form: %d", res.StatusCode)
			}
		}
		for _, body := range []string{"{", `{"slug":`, "null", "[]", `{"slug":"\u0000"}`, `{"title":{"es":"\u0000"}}`, `{"slug":1}`,
			`{"unknown":true}`, strings.Repeat("[", 10000), `{"slug":"` + strings.Repeat("a", 1<<20) + `"}`} {
			for _, route := range []struct{ method, path string }{{http.MethodPost, "/api/v1/processes"}, {http.MethodPatch, "/api/v1/processes/nope"}} {
				if r := api.api(route.method, route.path, body); r.status >= 500 || r.status < 400 {
					n := min(len(body), 40)
					t.Errorf("%s %s with %q: %d %s", route.method, route.path, body[:n], r.status, excerpt(r.body))
				}
			}
		}
	})
}

// TestCachingOfPersonalPages: signed-in pages and the API's /me are never stored by a browser.
func TestCachingOfPersonalPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		m := s.as("member")
		for _, path := range []string{"/", "/profile/", "/api/v1/me"} {
			if r := m.get(path); r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s signed in: Cache-Control %q", path, r.header.Get("Cache-Control"))
			}
		}
		m.post("/profile/tokens", url.Values{"token_name": {"ci"}})
		r := m.get("/profile/advanced")
		if cc := r.header.Get("Cache-Control"); cc != "no-store" || !strings.Contains(r.body, "cvn_") {
			t.Errorf("new token page: Cache-Control %q", cc)
		}
		if r := s.client().get("/"); r.header.Get("Cache-Control") != "private, no-cache" {
			t.Errorf("public page: Cache-Control %q", r.header.Get("Cache-Control"))
		}
	})
}

// TestRequestIDs: an X-Request-ID is believed only from a trusted proxy, and only when short
// and plain; a 101-character one no longer breaks audited writes.
func TestRequestIDs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		long := strings.Repeat("x", 101)
		for _, tc := range []struct {
			name    string
			proxied bool
			sent    string
			kept    bool
		}{
			{"from a client", false, "abc-123", false},
			{"from the proxy", true, "abc-123", true},
			{"too long, from the proxy", true, long, false},
			{"with spaces and markup, from the proxy", true, "a b<script>", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var opts []siteOption
				if tc.proxied {
					opts = append(opts, behindProxy)
				}
				s := newSite(t, db, opts...)
				admin := s.client()
				admin.signIn(s.user(fmt.Sprintf("admin%d@example.org", len(tc.name)), true).Email)
				r := admin.do(http.MethodGet, "/", nil, map[string]string{"X-Request-ID": tc.sent})
				got := r.header.Get("X-Request-ID")
				if (got == tc.sent) != tc.kept || got == "" || len(got) > 64 {
					t.Fatalf("sent %q, got %q", tc.sent, got)
				}
				p := demoProcess("rid-" + strings.ToLower(strings.ReplaceAll(tc.name, " ", "-")))
				p.Slug = p.Slug[:min(len(p.Slug), 40)]
				p.Slug = strings.Trim(strings.NewReplacer(",", "").Replace(p.Slug), "-")
				form := url.Values{"slug": {p.Slug}, "code": {"RID"}, "time_zone": {"UTC"}, "status": {"open"},
					"title.es": {"Título"}, "title.en": {"Title"}, "languages": {"es", "en"}, "stakeholder_groups": {"academia"}}
				if r := admin.post("/admin/processes", form); r.status != http.StatusSeeOther {
					t.Fatalf("audited write with request id %q: %d %s", tc.sent, r.status, excerpt(r.body))
				}
				s.db.Exec("DELETE FROM processes")
			})
		}
	})
}

// TestLanguageLinkChangesCookieOnly: the GET language switch never writes the account.
func TestLanguageLinkChangesCookieOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		m := s.as("member")
		if r := m.get("/language/en?next=/"); r.status != http.StatusSeeOther {
			t.Fatalf("switch: %d", r.status)
		}
		a, err := accounts.ByEmail(context.Background(), db.DB, "member@example.org")
		if err != nil || a.Language != "es" {
			t.Fatalf("account language %q after a GET (%v), want the one it had, es", a.Language, err)
		}
		if r := m.post("/language", url.Values{"language": {"en"}, "next": {"/"}}); r.status != http.StatusSeeOther {
			t.Fatalf("switch by form: %d", r.status)
		}
		if a, _ = accounts.ByEmail(context.Background(), db.DB, "member@example.org"); a.Language != "en" {
			t.Fatalf("account language %q after the form", a.Language)
		}
	})
}

// TestDraftIsNotFoundForMembers: a member asking for a draft's admin page learns nothing.
func TestDraftIsNotFoundForMembers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		in := demoProcess("borrador")
		in.Status = processes.StatusDraft
		if _, err := s.app.Processes.Create(context.Background(), systemActor(), in); err != nil {
			t.Fatal(err)
		}
		m := s.as("member")
		for _, path := range []string{"/admin/processes/borrador", "/processes/borrador"} {
			if r := m.get(path); r.status != http.StatusNotFound {
				t.Errorf("member GET %s: %d, want 404", path, r.status)
			}
		}
	})
}

// TestMetrics: under concurrent traffic the labels stay whole and /metrics answers; it is closed
// to other addresses and, with a token set, to anyone without it.
func TestMetrics(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db, behindProxy)
		// Eight clients at once reuse Fiber's buffers under the labels: under -race a quarter of
		// the requests shows a race as well, at a tenth of the CPU.
		per := 100
		if raceDetector {
			per = 25
		}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				c := s.client()
				for i := range per {
					if (w+i)%2 == 0 {
						c.get("/signin")
					} else {
						c.do(http.MethodPost, "/signin", strings.NewReader("x=1"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
					}
				}
			})
		}
		wg.Wait()
		r := s.client().get("/metrics")
		if r.status != http.StatusOK {
			t.Fatalf("/metrics: %d %s", r.status, excerpt(r.body))
		}
		for _, line := range strings.Split(r.body, "\n") {
			if strings.HasPrefix(line, "convene_http_requests_total{") && !strings.Contains(line, `method="GET"`) && !strings.Contains(line, `method="POST"`) {
				t.Errorf("corrupt label: %s", line)
			}
		}
		outside := s.client()
		if r := outside.do(http.MethodGet, "/metrics", nil, map[string]string{"X-Forwarded-For": "198.51.100.7"}); r.status != http.StatusNotFound {
			t.Errorf("/metrics from outside: %d", r.status)
		}
		tokened := newSite(t, db, func(c *config.Config) { c.MetricsToken = "s3cret-metrics" })
		if r := tokened.client().get("/metrics"); r.status != http.StatusUnauthorized {
			t.Errorf("/metrics without the token: %d", r.status)
		}
		if r := tokened.client().do(http.MethodGet, "/metrics", nil, map[string]string{"Authorization": "Bearer s3cret-metrics"}); r.status != http.StatusOK {
			t.Errorf("/metrics with the token: %d", r.status)
		}
		// On an address of its own (CONVENE_METRICS_ADDR) the token is asked for too.
		apart := newSite(t, db, func(c *config.Config) { c.MetricsAddr, c.MetricsToken = "127.0.0.1:0", "s3cret-metrics" })
		for _, tc := range []struct {
			header string
			want   int
		}{{"", http.StatusUnauthorized}, {"Bearer wrong", http.StatusUnauthorized}, {"Bearer s3cret-metrics", http.StatusOK}} {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			res, err := apart.srv.MetricsApp().Test(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("the metrics address with %q: %d, want %d", tc.header, res.StatusCode, tc.want)
			}
		}
	})
}

func demoProcess(slug string) processes.ProcessInput {
	return processes.ProcessInput{Slug: slug, Code: "T" + strings.ToUpper(strings.ReplaceAll(slug, "-", ""))[:min(len(slug), 8)],
		TimeZone: "America/Mexico_City", Status: processes.StatusOpen, Languages: []string{"es", "en"},
		StakeholderGroups: []string{"academia"}, Title: translated.Text{"es": "Proceso " + slug, "en": "Process " + slug}}
}

func systemActor() audit.Actor { return audit.Actor{} }

// defaultLimits puts back the rate limits a fresh install has (newSite raises them).
func defaultLimits(t *testing.T) siteOption {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	l := config.NewLoader(fs, func(string) string { return "" })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	def, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) {
		c.RateSignIn, c.RateSignUp, c.RateReset = def.RateSignIn, def.RateSignUp, def.RateReset
	}
}

// TestVenueOnOneAddress: with the default limits, a room full of people behind one address
// signs up (30 of them) and signs in (200) in the same minutes.
func TestVenueOnOneAddress(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	s := newSite(t, db, defaultLimits(t))
	for i := range 30 {
		c := s.client()
		email := fmt.Sprintf("asistente%d@example.org", i)
		r := c.post("/signup", url.Values{"name": {"Asistente"}, "email": {email}, "password": {"a long passphrase"},
			"password_confirm": {"a long passphrase"}, "language": {"es"}, "privacy": {privacy.Version}})
		if r.status != http.StatusOK {
			t.Fatalf("sign-up %d from the venue: %d %s", i+1, r.status, excerpt(r.body))
		}
	}
	// 200 accounts sharing one password hash: made in one statement, not 200 hashes.
	first := s.user("persona0@example.org", false)
	ctx := context.Background()
	rows := make([]accounts.Account, 199)
	for i := range rows {
		rows[i] = first
		rows[i].ID, rows[i].Email = 0, fmt.Sprintf("persona%d@example.org", i+1)
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		s.client().signIn(fmt.Sprintf("persona%d@example.org", i))
	}
}
