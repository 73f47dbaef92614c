package web_test

import (
	"fmt"
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
		processForm := url.Values{"slug": {"x"}, "code": {"XX"}, "title.es": {"x"}, "title.en": {"x"},
			"time_zone": {"UTC"}, "languages": {"es", "en"}, "stakeholder_groups": {"academia"}, "status": {"open"}}
		runAll(t, []scenario{
			{name: "public home, anonymous", as: anon, method: "GET", url: "/", status: http.StatusOK},
			{name: "health", as: anon, method: "GET", url: "/healthz", status: http.StatusOK},
			{name: "readiness", as: anon, method: "GET", url: "/readyz", status: http.StatusOK},
			{name: "metrics from this machine", as: anon, method: "GET", url: "/metrics", status: http.StatusOK},
			{name: "openapi", as: anon, method: "GET", url: "/api/v1/openapi.json", status: http.StatusOK},
			{name: "unknown page", as: anon, method: "GET", url: "/no/such/page", status: http.StatusNotFound},
			{name: "profile, anonymous", as: anon, method: "GET", url: "/profile/", status: http.StatusSeeOther, location: "/signin?next=%2Fprofile%2F"},
			{name: "profile, member", as: member, method: "GET", url: "/profile/", status: http.StatusOK},
			{name: "admin, anonymous", as: anon, method: "GET", url: "/admin/", status: http.StatusSeeOther, location: "/signin?next=%2Fadmin%2F"},
			{name: "admin, member", as: member, method: "GET", url: "/admin/", status: http.StatusForbidden},
			{name: "admin accounts, member", as: member, method: "GET", url: "/admin/accounts", status: http.StatusForbidden},
			{name: "admin audit, member", as: member, method: "GET", url: "/admin/audit", status: http.StatusForbidden},
			{name: "new process, member", as: member, method: "GET", url: "/admin/processes/new", status: http.StatusForbidden},
			{name: "admin, admin", as: admin, method: "GET", url: "/admin/", status: http.StatusOK},
			{name: "admin accounts, admin", as: admin, method: "GET", url: "/admin/accounts", status: http.StatusOK},
			{name: "admin audit, admin", as: admin, method: "GET", url: "/admin/audit", status: http.StatusOK},
			{name: "api me, anonymous", as: anon, method: "GET", url: "/api/v1/me", status: http.StatusUnauthorized},
			{name: "api me, member", as: member, method: "GET", url: "/api/v1/me", status: http.StatusOK,
				contains: []string{`"email":"member@example.org"`}, absent: []string{"password"}},
			{name: "create a process, member", as: member, method: "POST", url: "/admin/processes", form: processForm,
				status: http.StatusForbidden, after: s.unchanged("processes")},
			{name: "make someone admin, member", as: member, method: "POST", url: "/admin/accounts/1/admin",
				form: url.Values{"admin": {"true"}}, status: http.StatusForbidden, after: s.unchanged("audit_log")},
			{name: "create a process, anonymous", as: anon, method: "POST", url: "/admin/processes", form: processForm,
				status: http.StatusSeeOther, after: s.unchanged("processes")},
			{name: "API create, anonymous", as: anon, method: "POST", url: "/api/v1/processes", json: `{"slug":"x"}`,
				status: http.StatusUnauthorized, after: s.unchanged("processes")},
		})
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
					// Refused, the form comes back with what was typed and the true wait.
					if limited {
						wait := r.header.Get("Retry-After")
						if wait == "" || !strings.Contains(r.body, `value="`+tc.form.Get("email")+`"`) ||
							!strings.Contains(r.body, "Podrás enviar este formulario de nuevo en") {
							t.Fatalf("the 429 page lost the form or the wait (Retry-After %q): %s", wait, excerpt(r.body))
						}
						if secs, _ := strconv.Atoi(wait); !strings.Contains(r.body, fmt.Sprintf("%d s", secs)) && !strings.Contains(r.body, " min") {
							t.Fatalf("the page does not state the wait of %s s: %s", wait, excerpt(r.body))
						}
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
