package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
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
