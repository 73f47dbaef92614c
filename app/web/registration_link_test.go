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

// TestLostLink: a guest who lost the link to their registration asks for it by address and is
// mailed a link that opens it; the page answers alike for an address with no registration, one
// registered with an account, and one of a guest, so it tells nobody who is registered; a
// malformed address is refused naming the field; a link that no longer works offers the way.
func TestLostLink(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		reg := "/forums/" + hybrid.Slug + "/register"
		form := func(name, email string) url.Values {
			return url.Values{"name": {name}, "email": {email}, "mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"},
				"privacy": {privacy.Version}, fmt.Sprintf("answers.%d", q.ID): {"2"}}
		}
		anon := d.client()
		if r := anon.post(reg, form("Invitada", "Invitada@Example.org")); r.status != http.StatusOK {
			t.Fatalf("the guest's registration: %d", r.status)
		}
		member := d.client()
		member.signedIn(d.user("con-cuenta@example.org", false).Email)
		if r := member.post(reg, form("", "")); r.status != http.StatusSeeOther {
			t.Fatalf("the member's registration: %d %s", r.status, excerpt(r.body))
		}
		// What the page says next is the same for every address.
		answered := func(t *testing.T, _ *response) {
			if page := anon.get("/registrations/link"); !strings.Contains(page.body, "Si esa dirección tiene inscripciones, le enviamos los enlaces.") {
				t.Fatalf("after asking: %s", excerpt(page.body))
			}
		}
		ask := func(email string) url.Values { return url.Values{"email": {email}} }
		runAll(t, []scenario{
			{name: "the form", as: anon, method: "GET", url: "/registrations/link", status: http.StatusOK,
				contains: []string{"¿Perdiste el enlace a tu inscripción?", `name="email"`}},
			{name: "a malformed address", as: anon, method: "POST", url: "/registrations/link", form: ask("invitada@"),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-email"`}, unchanged: []string{"outbox"}},
			{name: "an address with no registration: the same answer, no mail", as: anon, method: "POST", url: "/registrations/link",
				form: ask("nadie@example.org"), status: http.StatusSeeOther, location: "/registrations/link", unchanged: []string{"outbox"},
				after: answered},
			{name: "an account's address: the same answer, no mail (its owner signs in)", as: anon, method: "POST", url: "/registrations/link",
				form: ask("con-cuenta@example.org"), status: http.StatusSeeOther, location: "/registrations/link", unchanged: []string{"outbox"},
				after: answered},
			{name: "the guest's address, written otherwise: mailed", as: anon, method: "POST", url: "/registrations/link",
				form: ask(" invitada@EXAMPLE.org "), status: http.StatusSeeOther, location: "/registrations/link", after: answered},
			{name: "a link that does not work offers the way", as: anon, method: "GET", url: "/registrations/guest/nada.nada", status: http.StatusGone,
				contains: []string{`href="/registrations/link"`}},
		})
		m, err := mail.Latest(ctx, db.DB, "invitada@example.org")
		if err != nil {
			t.Fatal(err)
		}
		link := regexp.MustCompile(`/registrations/guest/[A-Za-z0-9_.-]+`).FindString(m.Text)
		if !strings.Contains(m.Subject, "El enlace a tu inscripción") || link == "" {
			t.Fatalf("the mail: %q %q", m.Subject, m.Text)
		}
		if r := anon.get(link); r.status != http.StatusOK || !strings.Contains(r.body, "Invitada") {
			t.Fatalf("the mailed link: %d %s", r.status, excerpt(r.body))
		}
	})
}
