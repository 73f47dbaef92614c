package web_test

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/store/storetest"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRouteClasses checks every class of route against every kind of visitor.
func TestRouteClasses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		anon, member, admin := s.client(), s.as("member"), s.as("admin")
		cases := []struct {
			name         string
			c            *client
			method, path string
			status       int
			location     string
		}{
			{"public home, anonymous", anon, "GET", "/", http.StatusOK, ""},
			{"health", anon, "GET", "/healthz", http.StatusOK, ""},
			{"readiness", anon, "GET", "/readyz", http.StatusOK, ""},
			{"metrics", anon, "GET", "/metrics", http.StatusOK, ""},
			{"openapi", anon, "GET", "/api/v1/openapi.json", http.StatusOK, ""},
			{"unknown page", anon, "GET", "/no/such/page", http.StatusNotFound, ""},
			{"profile, anonymous", anon, "GET", "/profile/", http.StatusSeeOther, "/signin?next=%2Fprofile%2F"},
			{"profile, member", member, "GET", "/profile/", http.StatusOK, ""},
			{"admin, anonymous", anon, "GET", "/admin/", http.StatusSeeOther, "/signin?next=%2Fadmin%2F"},
			{"admin, member", member, "GET", "/admin/", http.StatusForbidden, ""},
			{"admin accounts, member", member, "GET", "/admin/accounts", http.StatusForbidden, ""},
			{"admin audit, member", member, "GET", "/admin/audit", http.StatusForbidden, ""},
			{"new process, member", member, "GET", "/admin/processes/new", http.StatusForbidden, ""},
			{"admin, admin", admin, "GET", "/admin/", http.StatusOK, ""},
			{"admin accounts, admin", admin, "GET", "/admin/accounts", http.StatusOK, ""},
			{"admin audit, admin", admin, "GET", "/admin/audit", http.StatusOK, ""},
			{"api me, anonymous", anon, "GET", "/api/v1/me", http.StatusUnauthorized, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.c.do(tc.method, tc.path, nil, nil)
				if r.status != tc.status {
					t.Fatalf("%s %s: %d, want %d: %s", tc.method, tc.path, r.status, tc.status, excerpt(r.body))
				}
				if tc.location != "" && r.header.Get("Location") != tc.location {
					t.Fatalf("Location %q, want %q", r.header.Get("Location"), tc.location)
				}
			})
		}
		// Unsafe requests by a member to admin routes change nothing.
		before := s.count("processes")
		r := member.post("/admin/processes", url.Values{"slug": {"x"}, "code": {"XX"}, "title.es": {"x"}, "title.en": {"x"},
			"time_zone": {"UTC"}, "languages": {"es", "en"}, "stakeholder_groups": {"academia"}, "status": {"open"}})
		if r.status != http.StatusForbidden || s.count("processes") != before {
			t.Fatalf("member created a process: %d", r.status)
		}
		r = member.post("/admin/accounts/1/admin", url.Values{"admin": {"true"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("member made someone admin: %d", r.status)
		}
	})
}

func TestCSRFTokenRotatesAtSignIn(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		s.user("rot@example.org", false)
		c := s.client()
		before := c.csrf()
		c.signIn("rot@example.org")
		if r := c.post("/profile/", url.Values{"_csrf": {before}, "name": {"Rot"}}); r.status != http.StatusForbidden {
			t.Fatalf("the pre-sign-in CSRF token still works: %d", r.status)
		}
		if r := c.post("/profile/", url.Values{"name": {"Rot"}}); r.status != http.StatusSeeOther {
			t.Fatalf("a fresh token after sign-in: %d", r.status)
		}
	})
}

func TestCSRFRequired(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		s.user("fe@example.org", false)
		c := s.client()
		c.csrf()
		cases := []struct {
			name  string
			token string
		}{
			{"missing", ""},
			{"forged", "forged-token-value"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := url.Values{"email": {"fe@example.org"}, "password": {"correct horse battery"}}
				if tc.token != "" {
					f.Set("_csrf", tc.token)
				}
				r := c.do("POST", "/signin", strings.NewReader(f.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
				if r.status != http.StatusForbidden {
					t.Fatalf("sign-in without a valid CSRF token: %d, want 403", r.status)
				}
				if s.count("logins") != 0 {
					t.Fatal("a login was created without a CSRF token")
				}
			})
		}
	})
}

func TestSecurityHeadersAndCookies(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		for _, https := range []bool{false, true} {
			name := "http"
			var opts []siteOption
			if https {
				name = "https"
				opts = append(opts, secure)
			}
			t.Run(name, func(t *testing.T) {
				s := newSite(t, db, opts...)
				if https {
					s.user("gil@example.org", false)
				}
				c := s.client()
				r := c.get("/signin")
				for header, want := range map[string]string{
					"Content-Security-Policy": "frame-ancestors 'none'",
					"X-Content-Type-Options":  "nosniff",
					"X-Frame-Options":         "DENY",
					"Referrer-Policy":         "strict-origin-when-cross-origin",
				} {
					if got := r.header.Get(header); !strings.Contains(got, want) {
						t.Errorf("%s = %q, want it to contain %q", header, got, want)
					}
				}
				if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
					t.Errorf("CSP is not strict: %q", csp)
				}
				hsts := r.header.Get("Strict-Transport-Security")
				if https != (hsts != "") {
					t.Errorf("HSTS = %q on %s", hsts, name)
				}
				// CSRF tokens are signed, not stored: an anonymous form's is bound to a visitor cookie.
				visitor := findCookie(r.header, "convene_visitor")
				if visitor == nil {
					t.Fatal("no visitor cookie")
				}
				checkCookie(t, visitor, https)
				token := csrfRE.FindStringSubmatch(r.body)
				if token == nil {
					t.Fatal("no CSRF token in the sign-in form")
				}
				if !https {
					return
				}
				// Over https the login cookie is __Host-, Secure, HttpOnly, SameSite=Lax. The jar
				// will not send Secure cookies to this plain listener, so send the token by hand.
				f := url.Values{"email": {"gil@example.org"}, "password": {"correct horse battery"}, "_csrf": {token[1]}}
				resp := c.do("POST", "/signin", strings.NewReader(f.Encode()), map[string]string{
					"Content-Type": "application/x-www-form-urlencoded", "Cookie": visitor.Name + "=" + visitor.Value})
				if resp.status != http.StatusSeeOther {
					t.Fatalf("sign-in: %d %s", resp.status, excerpt(resp.body))
				}
				login := findCookie(resp.header, "convene_login")
				if login == nil {
					t.Fatal("no login cookie")
				}
				checkCookie(t, login, true)
				if len(login.Value) < 22 {
					t.Errorf("login token %q is shorter than 128 bits", login.Value)
				}
			})
		}
	})
}

func findCookie(h http.Header, name string) *http.Cookie {
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && strings.HasSuffix(c.Name, name) && c.Value != "" {
			return c
		}
	}
	return nil
}

func checkCookie(t *testing.T, c *http.Cookie, https bool) {
	t.Helper()
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Path=%q", c.Name, c.HttpOnly, c.SameSite, c.Path)
	}
	if https != c.Secure || https != strings.HasPrefix(c.Name, "__Host-") {
		t.Errorf("cookie %s over https=%v: Secure=%v", c.Name, https, c.Secure)
	}
	if c.Domain != "" {
		t.Errorf("cookie %s has Domain %q; it must be host-only", c.Name, c.Domain)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		tight := config.Rate{Max: 3, Window: time.Minute}
		s := newSite(t, db, func(c *config.Config) { c.RateSignIn, c.RateSignUp, c.RateReset = tight, tight, tight })
		cases := []struct {
			path string
			form url.Values
		}{
			{"/signin", url.Values{"email": {"x@example.org"}, "password": {"wrong wrong wrong"}}},
			{"/signup", url.Values{"email": {"bad"}}},
			{"/reset", url.Values{"email": {"x@example.org"}}},
		}
		for _, tc := range cases {
			t.Run(tc.path, func(t *testing.T) {
				c := s.client()
				for i := 1; i <= 4; i++ {
					r := c.post(tc.path, tc.form)
					limited := r.status == http.StatusTooManyRequests
					if limited != (i == 4) {
						t.Fatalf("attempt %d: status %d", i, r.status)
					}
				}
				// Another address is not affected.
				other := s.client()
				other.http.Transport = &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext}
				if r := other.post(tc.path, tc.form); r.status == http.StatusTooManyRequests {
					t.Fatal("another address was limited too")
				}
			})
		}
	})
}
