package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestPlacesBeforeTheForm: the forum's page and its form say, mode by mode, whether places are
// free, how few are left, or that a new registration joins the waitlist, before anyone fills
// the form; the cached page says it anew as places go, and not otherwise.
func TestPlacesBeforeTheForm(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		if _, err := d.app.Registration.Configure(ctx, systemActor(), d.processID, hybrid.ID, registration.SettingsInput{InPerson: seats(2)}); err != nil {
			t.Fatal(err)
		}
		page, reg := "/forums/"+hybrid.Slug, "/forums/"+hybrid.Slug+"/register"
		anon := d.client()
		register := func(email string) func(t *testing.T, r *response) {
			return func(t *testing.T, _ *response) {
				c := d.client()
				c.signedIn(d.user(email, false).Email)
				if r := c.post(reg, url.Values{"mode": {"in_person"}, "stakeholder_group": {"academia"}, "role": {"participant"},
					"privacy": {privacy.Version}, fmt.Sprintf("answers.%d", q.ID): {"2"}}); r.status != http.StatusSeeOther {
					t.Fatalf("registering %s: %d %s", email, r.status, excerpt(r.body))
				}
			}
		}
		runAll(t, []scenario{
			{name: "two places left in person; online has no limit", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"<strong>En persona:</strong> quedan 2 lugares", "<strong>En línea:</strong> hay lugares disponibles"}},
			{name: "the form says so beside each mode", as: anon, method: "GET", url: reg, status: http.StatusOK,
				contains: []string{"(quedan 2 lugares)", "(hay lugares disponibles)"}, after: register("primera@example.org")},
			{name: "the cached page says one is left", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"queda 1 lugar"}, after: register("segunda@example.org")},
			{name: "then that it is full", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"<strong>En persona:</strong> sin lugares: las nuevas inscripciones pasan a la lista de espera",
					"<strong>En línea:</strong> hay lugares disponibles"}, after: register("tercera@example.org")},
			{name: "in English too", as: anon, method: "GET", url: page, header: map[string]string{"Accept-Language": "en"}, status: http.StatusOK,
				contains: []string{"<strong>In person:</strong> full: new registrations join the waitlist"}},
		})
		if got := regOf(t, db, hybrid.ID, "tercera@example.org"); got.Status != registration.StatusWaitlisted {
			t.Fatalf("the third: %s, want waitlisted", got.Status)
		}
		// A registration that changes nothing the page says leaves the cache alone.
		var before, after int64
		if err := db.NewSelect().Table("revisions").Column("value").Where("name = 'content'").Scan(ctx, &before); err != nil {
			t.Fatal(err)
		}
		register("cuarta@example.org")(t, nil)
		if err := db.NewSelect().Table("revisions").Column("value").Where("name = 'content'").Scan(ctx, &after); err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Fatalf("a fourth registration, into the waitlist as the page says, grew the content revision from %d to %d", before, after)
		}
	})
}
