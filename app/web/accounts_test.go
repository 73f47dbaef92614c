package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

var linkRE = regexp.MustCompile(`https?://[^\s"<>]+/(verify|reset)/[A-Za-z0-9_-]+`)

// mailedLink returns the newest verify or reset link mailed to addr, read from the outbox.
func mailedLink(t testing.TB, s *site, addr string) string {
	t.Helper()
	return mailedLinkMatching(t, s, addr, linkRE)
}

// mailedLinkMatching returns the first link matching re in the newest mail to addr, as a path.
func mailedLinkMatching(t testing.TB, s *site, addr string, re *regexp.Regexp) string {
	t.Helper()
	m, err := mail.Latest(context.Background(), s.db.DB, addr)
	if err != nil {
		t.Fatalf("no mail for %s: %v", addr, err)
	}
	link := re.FindString(m.Text)
	if link == "" {
		t.Fatalf("no link in mail to %s: %q", addr, m.Text)
	}
	return strings.TrimPrefix(link, s.base)
}

func TestSignUpValidation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		good := url.Values{"name": {"Ana"}, "email": {"ana@example.org"}, "password": {"a long passphrase"},
			"password_confirm": {"a long passphrase"}, "language": {"es"}, "privacy": {privacy.Version}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for kk, vv := range good {
				f[kk] = vv
			}
			f.Set(k, v)
			return f
		}
		cases := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no name", with("name", ""), "name"},
			{"name too long", with("name", strings.Repeat("x", 201)), "name"},
			{"no email", with("email", ""), "email"},
			{"bad email", with("email", "not-an-email"), "email"},
			{"short password", with("password", "short"), "password"},
			{"mismatched confirmation", with("password_confirm", "another long phrase"), "password_confirm"},
			{"unknown language", with("language", "fr"), "language"},
			{"privacy notice not accepted", with("privacy", ""), "privacy"},
			{"an older privacy notice", with("privacy", "2020-01-01"), "privacy"},
		}
		c := s.client()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := s.count("accounts")
				r := c.post("/signup", tc.form)
				if r.status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422: %s", r.status, excerpt(r.body))
				}
				if !strings.Contains(r.body, `href="#f-`+tc.field+`"`) || !strings.Contains(r.body, `id="e-`+tc.field+`"`) {
					t.Fatalf("the page does not name field %q: %s", tc.field, excerpt(r.body))
				}
				if got := s.count("accounts"); got != before {
					t.Fatalf("accounts %d → %d: bad input changed something", before, got)
				}
				if got := s.count("outbox"); got != 0 {
					t.Fatalf("bad input queued %d mails", got)
				}
			})
		}
	})
}

func TestSignUpVerifySignInFlow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		c := s.client()
		form := url.Values{"name": {"Beatriz"}, "email": {"Beatriz@Example.org"}, "password": {"a long passphrase"},
			"password_confirm": {"a long passphrase"}, "language": {"en"}, "privacy": {privacy.Version}}
		if r := c.post("/signup", form); r.status != http.StatusOK || !strings.Contains(r.body, "Revisa tu correo") {
			t.Fatalf("sign-up: %d %s", r.status, excerpt(r.body))
		}
		link := mailedLink(t, s, "beatriz@example.org")
		// Unverified: the right password still does not sign in.
		r := c.post("/signin", url.Values{"email": {"beatriz@example.org"}, "password": {"a long passphrase"}})
		if r.status != http.StatusForbidden {
			t.Fatalf("unverified sign-in: %d", r.status)
		}
		// The same address again changes nothing and answers the same.
		if r := c.post("/signup", form); r.status != http.StatusOK {
			t.Fatalf("second sign-up: %d", r.status)
		}
		if n := s.count("accounts"); n != 1 {
			t.Fatalf("accounts = %d after a duplicate sign-up", n)
		}
		if m, _ := mail.Latest(context.Background(), db.DB, "beatriz@example.org"); !strings.Contains(m.Text, "already have one") {
			t.Fatalf("the second sign-up did not tell the owner: %q", m.Text)
		}
		// Opening the link (as a mail scanner would) confirms nothing; the button on it does.
		if r = c.get(link); r.status != http.StatusOK || !strings.Contains(r.body, `action="`+link+`"`) {
			t.Fatalf("verify page: %d %s", r.status, excerpt(r.body))
		}
		if a, _ := accounts.ByEmail(context.Background(), db.DB, "beatriz@example.org"); a.EmailVerifiedAt != nil {
			t.Fatal("opening the link confirmed the address")
		}
		r = c.post(link, nil)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
			t.Fatalf("verify: %d %s", r.status, r.header.Get("Location"))
		}
		// Confirming signed them in; they sign out, to sign in with the password below.
		if r := c.get("/profile/"); r.status != http.StatusOK {
			t.Fatalf("not signed in after confirming: %d", r.status)
		}
		if r := c.post("/signout", nil); r.status != http.StatusSeeOther {
			t.Fatalf("sign-out after confirming: %d", r.status)
		}
		if r := c.get(link); r.status != http.StatusGone {
			t.Fatalf("reused verification link: %d, want 410", r.status)
		}
		if r := c.post(link, nil); r.status != http.StatusGone {
			t.Fatalf("reused verification link, pressed: %d, want 410", r.status)
		}
		bad := c.post("/signin", url.Values{"email": {"beatriz@example.org"}, "password": {"wrong password!"}})
		if bad.status != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", bad.status)
		}
		unknown := c.post("/signin", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password!"}})
		if unknown.status != bad.status {
			t.Fatalf("unknown email answers %d, wrong password %d: they must not differ", unknown.status, bad.status)
		}
		if r := c.post("/signin", url.Values{"email": {"beatriz@example.org"}, "password": {"a long passphrase"}}); r.status != http.StatusSeeOther {
			t.Fatalf("sign-in after verification: %d", r.status)
		}
		r = c.get("/profile/")
		if r.status != http.StatusOK || !strings.Contains(r.body, "Beatriz") || !strings.Contains(r.body, `<html lang="en">`) {
			t.Fatalf("profile: %d %s", r.status, excerpt(r.body))
		}
		if r := c.post("/signout", nil); r.status != http.StatusSeeOther {
			t.Fatalf("sign-out: %d", r.status)
		}
		if r := c.get("/profile/"); r.status != http.StatusSeeOther {
			t.Fatalf("profile after sign-out: %d, want a redirect to sign in", r.status)
		}
	})
}

func TestSignInValidation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		s.user("carla@example.org", false)
		c := s.client()
		cases := []struct {
			name   string
			form   url.Values
			status int
			field  string
		}{
			{"no email", url.Values{"password": {"x"}}, http.StatusUnprocessableEntity, "email"},
			{"no password", url.Values{"email": {"carla@example.org"}}, http.StatusUnprocessableEntity, "password"},
			{"wrong password", url.Values{"email": {"carla@example.org"}, "password": {"nope nope nope"}}, http.StatusUnauthorized, "email"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := s.count("logins")
				r := c.post("/signin", tc.form)
				if r.status != tc.status || !strings.Contains(r.body, `id="e-`+tc.field+`"`) {
					t.Fatalf("status %d (want %d), field %s: %s", r.status, tc.status, tc.field, excerpt(r.body))
				}
				if s.count("logins") != before {
					t.Fatal("a failed sign-in created a login")
				}
			})
		}
	})
}

func TestPasswordResetEndsLogins(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		s.user("dora@example.org", false)
		elsewhere := s.client()
		elsewhere.signIn("dora@example.org")
		c := s.client()
		if r := c.post("/reset", url.Values{"email": {"dora@example.org"}}); r.status != http.StatusOK {
			t.Fatalf("reset request: %d", r.status)
		}
		if r := c.post("/reset", url.Values{"email": {"nobody@example.org"}}); r.status != http.StatusOK {
			t.Fatalf("reset of unknown email: %d (must look the same)", r.status)
		}
		link := mailedLink(t, s, "dora@example.org")
		if r := c.post(link, url.Values{"password": {"short"}, "password_confirm": {"short"}}); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("short new password: %d", r.status)
		}
		if r := c.post(link, url.Values{"password": {"a brand new phrase"}, "password_confirm": {"a brand new phrase"}}); r.status != http.StatusSeeOther {
			t.Fatalf("reset: %d", r.status)
		}
		if r := elsewhere.get("/profile/"); r.status != http.StatusSeeOther {
			t.Fatalf("the other browser is still signed in after a reset: %d", r.status)
		}
		if r := c.post("/signin", url.Values{"email": {"dora@example.org"}, "password": {"a brand new phrase"}}); r.status != http.StatusSeeOther {
			t.Fatalf("sign-in with the new password: %d", r.status)
		}
	})
}

func TestLoginExpiry(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		s.user("eva@example.org", false)
		c := s.client()
		c.signIn("eva@example.org")
		if r := c.get("/profile/"); r.status != http.StatusOK {
			t.Fatalf("profile: %d", r.status)
		}
		s.clock.Advance(s.cfg.LoginIdle + time.Minute)
		if r := c.get("/profile/"); r.status != http.StatusSeeOther {
			t.Fatalf("profile after the idle timeout: %d, want a redirect", r.status)
		}
	})
}

func TestProfileAndTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		other := s.user("other@example.org", false)
		otherToken, tok, err := s.accounts.CreateAPIToken(context.Background(), other.ID, "theirs")
		if err != nil {
			t.Fatal(err)
		}
		c := s.as("member")
		cases := []struct {
			name   string
			path   string
			form   url.Values
			status int
			field  string
		}{
			{"blank name", "/profile/", url.Values{"name": {""}, "language": {"es"}}, http.StatusUnprocessableEntity, "name"},
			{"bad time zone", "/profile/", url.Values{"name": {"M"}, "time_zone": {"Mars/Olympus"}}, http.StatusUnprocessableEntity, "time_zone"},
			{"bad language", "/profile/", url.Values{"name": {"M"}, "language": {"xx"}}, http.StatusUnprocessableEntity, "language"},
			{"wrong current password", "/profile/password", url.Values{"current_password": {"nope nope nope"}, "password": {"a brand new phrase"}, "password_confirm": {"a brand new phrase"}}, http.StatusUnprocessableEntity, "current_password"},
			{"token without a name", "/profile/tokens", url.Values{"token_name": {""}}, http.StatusUnprocessableEntity, "token_name"},
			{"delete with a wrong password", "/profile/delete", url.Values{"delete_password": {"nope nope nope"}}, http.StatusUnprocessableEntity, "delete_password"},
			{"revoke another's token", "/profile/tokens/" + itoa(tok.ID) + "/revoke", nil, http.StatusNotFound, ""},
			{"save profile", "/profile/", url.Values{"name": {"Member M"}, "language": {"en"}, "time_zone": {"Europe/Madrid"}}, http.StatusSeeOther, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := c.post(tc.path, tc.form)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.status, tc.status, excerpt(r.body))
				}
				if tc.field != "" && !strings.Contains(r.body, `id="e-`+tc.field+`"`) {
					t.Fatalf("field %s not named: %s", tc.field, excerpt(r.body))
				}
			})
		}
		// The other person's token still works.
		api := s.client()
		api.token = otherToken
		if r := api.api(http.MethodGet, "/api/v1/me", ""); r.status != http.StatusOK || !strings.Contains(r.body, "other@example.org") {
			t.Fatalf("other's token after a foreign revoke attempt: %d %s", r.status, r.body)
		}
		// A new token: the post redirects (a reload makes no second one), the page it leads to
		// shows the token once, and it works.
		r := c.post("/profile/tokens", url.Values{"token_name": {"script"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/profile/advanced" {
			t.Fatalf("token creation: %d %s", r.status, r.header.Get("Location"))
		}
		r = c.get("/profile/advanced")
		m := regexp.MustCompile(`cvn_[A-Za-z0-9_-]{20,}`).FindString(r.body)
		if r.status != http.StatusOK || m == "" {
			t.Fatalf("token page: %d, token %q", r.status, m)
		}
		if again := c.get("/profile/advanced"); strings.Contains(again.body, m) {
			t.Fatal("the token is shown a second time")
		}
		api.token = m
		if r := api.api(http.MethodGet, "/api/v1/me", ""); r.status != http.StatusOK || !strings.Contains(r.body, "member@example.org") {
			t.Fatalf("new token: %d %s", r.status, r.body)
		}
		if r := c.get("/profile/"); strings.Contains(r.body, m) {
			t.Fatal("the token is shown again on the profile page")
		}
		export := c.get("/profile/data.json")
		if export.status != http.StatusOK || strings.Contains(export.body, "argon2id") || !strings.Contains(export.body, "member@example.org") {
			t.Fatalf("export: %d %s", export.status, excerpt(export.body))
		}
	})
}
