package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestRegistrantsInOrganisersWords: the organisers' list speaks to them, not to participants
// (columns, filters, statuses, the clear link); a person whose data was erased says so; the
// answers to the forum's questions are on the list; minimum-share warnings are one notice; and
// a waitlisted person is admitted directly, the room growing by one place for them.
func TestRegistrantsInOrganisersWords(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		if _, err := d.app.Registration.Configure(ctx, systemActor(), d.processID, hybrid.ID, registration.SettingsInput{InPerson: seats(1), MinShare: 30,
			Questions: []registration.QuestionInput{{ID: q.ID, Kind: q.Kind, Label: q.Label, Options: q.Options, Required: q.Required}}}); err != nil {
			t.Fatal(err)
		}
		register := func(email, name, group string) registration.Registration {
			a := d.user(email, false)
			r, _, err := d.app.Registration.Register(ctx, hybrid.ID, registration.Owner{AccountID: a.ID, Name: name, Email: a.Email, Language: "es"},
				registration.Form{Mode: registration.ModeInPerson, Group: group, Role: "participant", PrivacyVersion: privacy.Version,
					Answers: map[int64][]string{q.ID: {"1"}}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		register("sentada-org@example.org", "Persona Sentada", "government")
		waiting := register("espera-org@example.org", "Persona en Espera", "academia")
		if waiting.Status != registration.StatusWaitlisted {
			t.Fatalf("the second: %s", waiting.Status)
		}
		if _, err := db.NewUpdate().Table("registrations").Set("name = '', email = ''").Where("email = ?", "sentada-org@example.org").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		org := d.organiser("lista@example.org")
		list := fmt.Sprintf("/admin/forums/%d/registrants", hybrid.ID)
		option := q.Options[1]["es"]
		runAll(t, []scenario{
			{name: "the list in organisers' words", as: org, method: "GET", url: list + "?status=waitlisted", status: http.StatusOK,
				contains: []string{">Sector</th>", ">Modalidad</th>", "En lista de espera", "Mostrar a todas las personas inscritas",
					q.Label["es"] + "</span> " + option, "Admitir"},
				absent: []string{"¿Cómo asistirás?", "Sector al que perteneces", "Lugar disponible para ti", "Mostrar todo el programa", "?:"}},
			{name: "an erased person says so", as: org, method: "GET", url: list, status: http.StatusOK,
				contains: []string{"Datos borrados"}, after: func(t *testing.T, r *response) {
					if n := strings.Count(r.body, `class="notice warning"`); n != 1 {
						t.Errorf("%d share warnings, want one notice", n)
					}
				}},
			{name: "a member may not admit", as: d.as("member"), method: "POST", url: fmt.Sprintf("%s/%d/admit", list, waiting.ID),
				form: url.Values{}, status: http.StatusForbidden, unchanged: []string{"audit_log"}},
			{name: "admits from the waitlist", as: org, method: "POST", url: fmt.Sprintf("%s/%d/admit", list, waiting.ID),
				form: url.Values{}, status: http.StatusSeeOther},
		})
		if got := regOf(t, db, hybrid.ID, "espera-org@example.org"); got.Status != registration.StatusConfirmed || got.PlaceID == nil {
			t.Fatalf("admitted: %+v", got)
		}
		places, err := registration.Places(ctx, db.DB, hybrid.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range places {
			if p.Mode == registration.ModeInPerson && p.Group == "" && (p.Capacity == nil || *p.Capacity != 2 || p.Taken != 2) {
				t.Fatalf("the places in person: capacity %v, taken %d; want 2 of 2", p.Capacity, p.Taken)
			}
		}
	})
}
