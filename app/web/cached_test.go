package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// TestPageCacheAcrossInstances: two instances share one database; both serve a forum's page,
// its calendar and the process page from their caches; a change made through one shows at
// once on the other, to the public and to signed-in members. Cached public responses carry an
// ETag (a reload costs a 304), no cookie, and compressed copies.
func TestPageCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		a := newDemoSite(t, db)
		b := newSite(t, db)
		ctx := context.Background()
		anonA, anonB := a.client(), b.client()
		memberB := b.client()
		b.user("socia@example.org", false)
		memberB.signIn("socia@example.org")
		pages := []string{"/forums/foro-cdmx", "/forums/foro-cdmx.ics", "/processes/encs-2017", "/", fmt.Sprintf("/sessions/%d", a.panel.ID),
			"/forums/foro-cdmx/schedule.json"}
		for _, p := range pages {
			for _, c := range []*client{anonA, anonB, anonB, memberB, memberB} {
				if r := c.get(p); r.status != http.StatusOK {
					t.Fatalf("GET %s: %d", p, r.status)
				}
			}
		}
		r := anonB.get("/forums/foro-cdmx")
		if r.header.Get("Set-Cookie") != "" {
			t.Errorf("a cached public page sets a cookie: %s", r.header.Get("Set-Cookie"))
		}
		tag := r.header.Get("ETag")
		if tag == "" {
			t.Fatal("no ETag on the forum page")
		}
		if again := anonB.do("GET", "/forums/foro-cdmx", nil, map[string]string{"If-None-Match": tag}); again.status != http.StatusNotModified {
			t.Errorf("a reload with the ETag: %d", again.status)
		}
		if gz := anonB.do("GET", "/forums/foro-cdmx", nil, map[string]string{"Accept-Encoding": "gzip"}); gz.status != http.StatusOK {
			t.Errorf("gzip: %d", gz.status)
		}
		// Parameters the page does not read make no entry of their own, nor reach the page.
		if junk := anonB.do("GET", "/forums/foro-cdmx?utm_source=x", nil, map[string]string{"If-None-Match": tag}); junk.status != http.StatusNotModified {
			t.Errorf("an unknown parameter made another entry: %d", junk.status)
		}
		// Instance A renames the panel and moves the forum's venue.
		in := forums.SessionInput{Kind: a.panel.Kind, QAMode: a.panel.QAMode, Languages: a.panel.Languages, RoomID: a.panel.RoomID,
			Start: a.panel.StartsAt.In(zoneOf(t, "America/Mexico_City")).Format("2006-01-02T15:04"),
			End:   a.panel.EndsAt.In(zoneOf(t, "America/Mexico_City")).Format("2006-01-02T15:04"), ConfirmClash: true,
			Title: translated.Text{"es": "Panel renombrado en la instancia A", "en": "Panel renamed on instance A"}}
		if _, err := a.app.Forums.UpdateSession(ctx, audit.Actor{}, a.processID, a.cdmx.ID, a.panel.ID, in); err != nil {
			t.Fatal(err)
		}
		for _, check := range []struct {
			c    *client
			path string
		}{{anonB, "/forums/foro-cdmx"}, {memberB, "/forums/foro-cdmx"}, {anonB, fmt.Sprintf("/sessions/%d", a.panel.ID)},
			{anonB, "/forums/foro-cdmx.ics"}, {anonB, "/forums/foro-cdmx/schedule.json"}, {anonA, "/forums/foro-cdmx"}} {
			body := check.c.get(check.path).body
			if !strings.Contains(body, "Panel renombrado en la instancia A") {
				t.Errorf("%s on instance B still shows the old title", check.path)
			}
		}
		if moved := anonB.do("GET", "/forums/foro-cdmx", nil, map[string]string{"If-None-Match": tag}); moved.status != http.StatusOK {
			t.Errorf("after the change, the old ETag got %d", moved.status)
		}
		// The member's page is drawn for them: their name and their sign-out form around the content.
		page := memberB.get("/forums/foro-cdmx").body
		if !strings.Contains(page, `action="/signout"`) || !strings.Contains(page, "Panel renombrado") {
			t.Errorf("the member's cached page: %s", excerpt(page))
		}
	})
}

func zoneOf(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestSplicedGzip: a signed-in member's cached page, sent as one gzip stream spliced from the
// layout and the content deflated once, decompresses to exactly the page sent uncompressed.
func TestSplicedGzip(t *testing.T) {
	t.Parallel()
	d := newDemoSite(t, storetest.OpenFrom(t, storetest.SQLite, demo))
	d.user("socia@example.org", false)
	m := d.client()
	m.signIn("socia@example.org")
	m.get("/privacy") // shows the sign-in message once, so the pages compared have none
	for range 2 {     // a miss that fills the cache, then a hit
		plain := m.do("GET", "/forums/foro-cdmx", nil, map[string]string{"Accept-Encoding": "identity"})
		req, _ := http.NewRequest("GET", d.base+"/forums/foro-cdmx", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := m.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr) // checks the CRC and the length too
		if err != nil {
			t.Fatalf("the spliced stream does not decompress: %v", err)
		}
		// The two pages differ only in their CSRF-free parts: same login, same token.
		if string(got) != plain.body {
			t.Fatalf("the spliced page differs from the plain one (%d and %d bytes)", len(got), len(plain.body))
		}
		if !strings.Contains(string(got), "Panel: sociedad") || !strings.Contains(string(got), `action="/signout"`) {
			t.Fatal("the page lacks its content or its layout")
		}
	}
}

// TestLoginCacheAcrossInstances: a login checked by instance B is remembered there, yet a new
// role, a new name or a sign-out made through instance A shows on B at once.
func TestLoginCacheAcrossInstances(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		a := newDemoSite(t, db)
		b := newSite(t, db)
		ctx := context.Background()
		acct := a.user("viajera@example.org", false)
		onA := a.client()
		onA.signIn("viajera@example.org")
		u, _ := url.Parse(a.base)
		var cookie string
		for _, ck := range onA.http.Jar.Cookies(u) {
			if ck.Name == "convene_login" {
				cookie = ck.Name + "=" + ck.Value
			}
		}
		if cookie == "" {
			t.Fatal("no login cookie")
		}
		// The same login, presented to instance B.
		onB := b.client()
		onB.http.Jar = nil
		get := func(path string) *response { return onB.do("GET", path, nil, map[string]string{"Cookie": cookie}) }
		if r := get("/profile/"); r.status != http.StatusOK {
			t.Fatalf("signed in on B: %d", r.status)
		}
		if strings.Contains(get("/").body, `href="/admin/"`) {
			t.Fatal("a member without roles is offered My processes")
		}
		if err := a.app.Access.Grant(ctx, audit.Actor{}, acct.ID, "moderator", a.processID, 0); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(get("/").body, `href="/admin/"`) {
			t.Error("after a role was granted on A, B does not offer My processes")
		}
		if err := a.accounts.UpdateProfile(ctx, acct.ID, accounts.ProfileInput{Name: "Viajera Renombrada", Language: "es"}); err != nil {
			t.Fatal(err)
		}
		if r := get("/profile/"); !strings.Contains(r.body, "Viajera Renombrada") {
			t.Error("after a new name on A, B shows the old one")
		}
		if r := onA.post("/signout", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("sign-out on A: %d", r.status)
		}
		if r := get("/profile/"); r.status != http.StatusSeeOther {
			t.Errorf("after signing out on A, B still knows the login: %d", r.status)
		}
	})
}
