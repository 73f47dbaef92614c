package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/store/storetest"
)

// TestPageBasics: responses are compressed, the favicon is there, pages carry a description
// and a link preview, a flash shows once, and a form with errors says so in the title.
func TestPageBasics(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.Open(t, storetest.SQLite))
	c := s.client()
	r := c.do(http.MethodGet, "/signin", nil, map[string]string{"Accept-Encoding": "gzip"})
	if r.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("HTML not compressed: %v", r.header)
	}
	if r := c.get("/favicon.ico"); r.status != http.StatusMovedPermanently || !strings.HasSuffix(r.header.Get("Location"), "/favicon.svg") {
		t.Errorf("favicon: %d %s", r.status, r.header.Get("Location"))
	}
	home := c.get("/")
	for _, want := range []string{`<meta name="description" content="`, `<meta property="og:title"`, `rel="icon"`} {
		if !strings.Contains(home.body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	bad := c.post("/signin", url.Values{"email": {""}, "password": {""}})
	if !strings.Contains(bad.body, "<title>Error:") {
		t.Errorf("a form with errors does not say so in the title: %s", excerpt(bad.body))
	}
	// A flash shows on the next page only, and its cookie is cleared where it was set.
	m := s.as("member")
	r = m.post("/profile/", url.Values{"name": {"Nueva"}, "language": {"es"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("profile: %d", r.status)
	}
	if first := m.get("/profile/"); !strings.Contains(first.body, `class="notice"`) {
		t.Fatal("the flash did not show")
	}
	if again := m.get("/"); strings.Contains(again.body, `class="notice"`) {
		t.Fatal("the flash showed twice")
	}
}
