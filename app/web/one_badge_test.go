package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestOneBadge: a person with a place at a forum and at one of its workshops has one badge and
// one code, which list the workshop; the workshop's place has no badge of its own and says the
// forum's covers it; cancelling says what goes (the session's place, the forum stays).
func TestOneBadge(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		cdmx, err := forums.BySlug(ctx, db.DB, "foro-cdmx")
		if err != nil {
			t.Fatal(err)
		}
		list, err := forums.Programme(ctx, db.DB, cdmx.ID)
		if err != nil {
			t.Fatal(err)
		}
		var workshop forums.SessionView
		for _, sv := range list {
			if sv.Capacity > 0 && workshop.ID == 0 {
				workshop = sv
			}
		}
		member := d.client()
		a := d.user("un-gafete@example.org", false)
		member.signedIn(a.Email)
		if r := member.post("/forums/foro-cdmx/register", url.Values{"mode": {"in_person"}, "stakeholder_group": {"academia"},
			"role": {"participant"}, "privacy": {privacy.Version}}); r.status != http.StatusSeeOther {
			t.Fatalf("registering: %d %s", r.status, excerpt(r.body))
		}
		forum := regOf(t, db, cdmx.ID, a.Email)
		if forum.Status == registration.StatusPending {
			if _, err := d.app.Registration.Approve(ctx, systemActor(), cdmx.ID, forum.ID); err != nil {
				t.Fatal(err)
			}
		}
		if r := member.post(fmt.Sprintf("/sessions/%d/register", workshop.ID), url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("reserving the workshop: %d %s", r.status, excerpt(r.body))
		}
		var place registration.Registration
		if err := db.NewSelect().Model(&place).Where("session_id = ? AND account_id = ?", workshop.ID, a.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		title := workshop.Title["es"]
		runAll(t, []scenario{
			{name: "one card lists the workshop; its own place has no badge", as: member, method: "GET", url: "/registrations", status: http.StatusOK,
				contains: []string{"Tus lugares en sesiones con cupo:", fmt.Sprintf("/registrations/%d/badge", forum.ID),
					"muestra tu gafete del foro"},
				absent: []string{fmt.Sprintf("/registrations/%d/badge", place.ID), place.Code}},
			{name: "the forum's badge lists the workshop", as: member, method: "GET", url: fmt.Sprintf("/registrations/%d/badge", forum.ID),
				status: http.StatusOK, contains: []string{"Sesiones reservadas", title, forum.Code}},
			{name: "the workshop's page says how many places are left", as: d.client(), method: "GET", url: fmt.Sprintf("/sessions/%d", workshop.ID),
				status: http.StatusOK, contains: []string{fmt.Sprintf("%d lugares · hay lugares disponibles", workshop.Capacity), "Reservar un lugar o ver el tuyo"}},
			{name: "the workshop's page tells them they have a place", as: member, method: "GET", url: fmt.Sprintf("/sessions/%d", workshop.ID),
				status: http.StatusOK, contains: []string{"Tienes un lugar en esta sesión."}},
			{name: "the forum's page no longer offers to register", as: member, method: "GET", url: "/forums/foro-cdmx", status: http.StatusOK,
				contains: []string{"Ya tienes un lugar confirmado en este foro.", "Ver mis inscripciones"}, absent: []string{`href="/forums/foro-cdmx/register"`}},
			{name: "cancelling the workshop says what goes", as: member, method: "POST", url: fmt.Sprintf("/registrations/%d/cancel", place.ID),
				form: url.Values{}, status: http.StatusOK, contains: []string{"¿Cancelar tu lugar en esta sesión?", "Tu inscripción al foro sigue en pie"}},
		})
		if r := member.get("/registrations"); strings.Count(r.body, "Cancelar mi inscripción al foro") != 1 {
			t.Errorf("the forum's cancel button: %d", strings.Count(r.body, "Cancelar mi inscripción al foro"))
		}
	})
}
