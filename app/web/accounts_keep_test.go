package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

// TestAccountsKeepYourPlace: "create an account" from a forum's form carries where the person
// was; the confirmation link signs them in and takes them back there (never off the site);
// and an account's form offers the stakeholder group, organisation and country it gave last.
func TestAccountsKeepYourPlace(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		form := "/forums/" + hybrid.Slug + "/register"
		anon := d.client()
		if r := anon.get(form); !strings.Contains(r.body, `href="/signup?next=`+form+`"`) {
			t.Fatalf("the guest's form offers no sign-up that comes back: %s", excerpt(r.body))
		}
		if r := anon.get("/signup?next=" + url.QueryEscape(form)); !strings.Contains(r.body, `name="next" value="`+form+`"`) {
			t.Fatalf("the sign-up form drops where the person was: %s", excerpt(r.body))
		}
		if r := anon.post("/signup", url.Values{"name": {"Nueva Persona"}, "email": {"nueva@example.org"}, "password": {"correct horse battery staple"},
			"password_confirm": {"correct horse battery staple"}, "language": {"es"}, "privacy": {privacy.Version}, "next": {form}}); r.status != http.StatusOK {
			t.Fatalf("signing up: %d %s", r.status, excerpt(r.body))
		}
		m, err := mail.Latest(ctx, db.DB, "nueva@example.org")
		if err != nil {
			t.Fatal(err)
		}
		link := regexp.MustCompile(`/verify/[A-Za-z0-9_-]+\?next=[^\s]+`).FindString(m.Text)
		if link == "" || !strings.HasSuffix(link, url.QueryEscape(form)) {
			t.Fatalf("the confirmation link does not lead back: %q", m.Text)
		}
		page := anon.get(link)
		if !strings.Contains(page.body, `name="next" value="`+form+`"`) {
			t.Fatalf("the confirmation page drops where to go: %s", excerpt(page.body))
		}
		path, _, _ := strings.Cut(link, "?")
		confirmed := anon.post(path, url.Values{"next": {form}})
		if confirmed.status != http.StatusSeeOther || confirmed.header.Get("Location") != form {
			t.Fatalf("confirming: %d to %q, want back to the form", confirmed.status, confirmed.header.Get("Location"))
		}
		if r := anon.get(form); strings.Contains(r.body, `name="email"`) || !strings.Contains(r.body, `action="/signout"`) {
			t.Fatalf("after confirming, the form is still a guest's: %s", excerpt(r.body))
		}
		// Another link, sent on to another site: home instead.
		other := d.client()
		if r := other.post("/signup", url.Values{"name": {"Otra"}, "email": {"otra@example.org"}, "password": {"correct horse battery staple"},
			"password_confirm": {"correct horse battery staple"}, "language": {"es"}, "privacy": {privacy.Version}}); r.status != http.StatusOK {
			t.Fatalf("signing up: %d", r.status)
		}
		m, err = mail.Latest(ctx, db.DB, "otra@example.org")
		if err != nil {
			t.Fatal(err)
		}
		path = regexp.MustCompile(`/verify/[A-Za-z0-9_-]+`).FindString(m.Text)
		if strings.Contains(m.Text, "?next=") {
			t.Fatalf("a sign-up from nowhere in particular leads somewhere: %q", m.Text)
		}
		if r := other.post(path, url.Values{"next": {"https://evil.example/"}}); r.header.Get("Location") != "/" {
			t.Fatalf("a next off the site: to %q", r.header.Get("Location"))
		}

		// Registered once with details: the next form offers them again.
		if r := anon.post(form, url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "organisation": {"UNAM"}, "country": {"MX"},
			"role": {"participant"}, "privacy": {privacy.Version}, fmt.Sprintf("answers.%d", q.ID): {"2"}}); r.status != http.StatusSeeOther {
			t.Fatalf("registering: %d %s", r.status, excerpt(r.body))
		}
		r := anon.get("/forums/foro-cdmx/register")
		for _, want := range []string{`<option value="academia" selected>`, `value="UNAM"`, `<option value="MX" selected>`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the second form lacks %s", want)
			}
		}
	})
}
