package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

// TestGuestSessionPlaces: a guest confirmed at a forum reserves a place at one of its sessions
// with places of their own from their page; the place gets a link of its own, mailed to them;
// nobody does so before confirming, twice, at a session without places, or with a forged link.
func TestGuestSessionPlaces(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		_, workshop, open := demoOnline(t, db)
		guest := d.client()
		linkRE := regexp.MustCompile(`/registrations/guest/[A-Za-z0-9_.-]+`)
		email := "invitada@example.org"
		var link, placeLink string
		reserve := func() string { return fmt.Sprintf("%s/sessions/%d", link, workshop.ID) }
		runAll(t, []scenario{{name: "a guest registers", as: guest, method: "POST", url: "/forums/consulta-en-linea/register",
			form: url.Values{"name": {"Invitada Pérez"}, "email": {email}, "mode": {"online"}, "stakeholder_group": {"academia"},
				"role": {"participant"}, "privacy": {privacy.Version}},
			status: http.StatusOK, after: func(t *testing.T, _ *response) {
				m, err := mail.Latest(ctx, db.DB, email)
				if link = linkRE.FindString(m.Text); err != nil || link == "" {
					t.Fatalf("no link: %v %q", err, m.Text)
				}
			}}})
		runAll(t, []scenario{
			{name: "before confirming", as: guest, method: "POST", url: reserve(), form: url.Values{}, status: http.StatusConflict,
				contains: []string{"primero necesitas un lugar confirmado en el foro"}, unchanged: []string{"registrations"}},
			{name: "confirms", as: guest, method: "POST", url: link + "/confirm", form: url.Values{}, status: http.StatusSeeOther},
			{name: "the page offers the session", as: guest, method: "GET", url: link, status: http.StatusOK,
				contains: []string{"Sesiones con lugares propios", `action="` + reserve() + `"`}, absent: []string{fmt.Sprintf(`href="/sessions/%d"`, open.ID)}},
			{name: "a session without places", as: guest, method: "POST", url: fmt.Sprintf("%s/sessions/%d", link, open.ID), form: url.Values{},
				status: http.StatusConflict, unchanged: []string{"registrations"}},
			{name: "a forged link", as: guest, method: "POST", url: fmt.Sprintf("%sabc/sessions/%d", link[:len(link)-3], workshop.ID), form: url.Values{},
				status: http.StatusGone, unchanged: []string{"registrations"}},
			{name: "reserves", as: guest, method: "POST", url: reserve(), form: url.Values{}, status: http.StatusSeeOther,
				after: func(t *testing.T, r *response) {
					placeLink = r.header.Get("Location")
					if !linkRE.MatchString(placeLink) || placeLink == link {
						t.Fatalf("sent to %q, want the place's own page", placeLink)
					}
					m, err := mail.Latest(ctx, db.DB, email)
					if err != nil || linkRE.FindString(m.Text) != placeLink {
						t.Fatalf("the place's mail does not carry its link %s: %v %q", placeLink, err, m.Text)
					}
				}},
			{name: "twice", as: guest, method: "POST", url: reserve(), form: url.Values{}, status: http.StatusConflict, unchanged: []string{"registrations"}},
		})
		runAll(t, []scenario{
			{name: "the place's page", as: guest, method: "GET", url: placeLink, status: http.StatusOK,
				contains: []string{"Confirmada", "Cancelar mi lugar en esta sesión"}, absent: []string{"Sesiones con lugares propios"}},
			{name: "the forum's page says the place is held", as: guest, method: "GET", url: link, status: http.StatusOK,
				contains: []string{"Tienes un lugar confirmado en esta sesión."}, absent: []string{`action="` + reserve() + `"`}},
		})
	})
}
