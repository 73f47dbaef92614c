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

// TestCheckInDeskForms: the desk without its script checks a code in and shows who came in
// large type; a wrong code says so on the field; the script's JSON says who or why not, with
// the counts; someone who came without registering is registered at the door in a few fields,
// confirmed and checked in, and an address already registered is sent to its code; only the
// forum's organisers use the desk, and only the desk may use the camera.
func TestCheckInDeskForms(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		desk := fmt.Sprintf("/admin/forums/%d/checkin", hybrid.ID)
		org := d.organiser("puerta@example.org")
		member := d.as("member")
		code := func(email, name string) string {
			a := d.user(email, false)
			r, _, err := d.app.Registration.Register(ctx, hybrid.ID, registration.Owner{AccountID: a.ID, Name: name, Email: a.Email, Language: "es"},
				registration.Form{Mode: registration.ModeInPerson, Group: "government", Organisation: "SSPC", Role: "participant",
					PrivacyVersion: privacy.Version, Answers: map[int64][]string{q.ID: {"2"}}})
			if err != nil || r.Status != registration.StatusConfirmed {
				t.Fatalf("%s: %+v %v", name, r, err)
			}
			return r.Code
		}
		first, second := code("primera-puerta@example.org", "Primera Persona"), code("segunda-puerta@example.org", "Segunda Persona")
		json := map[string]string{"Accept": "application/json"}
		walkIn := url.Values{"walkin_name": {"Llegó Sin Inscripción"}, "walkin_group": {"civil_society"}, "walkin_organisation": {"R3D"}}
		with := func(v url.Values, kv ...string) url.Values {
			out := url.Values{}
			for k, vs := range v {
				out[k] = vs
			}
			for i := 0; i+1 < len(kv); i += 2 {
				out.Set(kv[i], kv[i+1])
			}
			return out
		}
		runAll(t, []scenario{
			{name: "the desk may use the camera", as: org, method: "GET", url: desk, status: http.StatusOK,
				contains: []string{`id="f-code"`, "autofocus", "Escanear con la cámara", "Llegó alguien sin inscripción"},
				after: func(t *testing.T, r *response) {
					if p := r.header.Get("Permissions-Policy"); !strings.Contains(p, "camera=(self)") {
						t.Fatalf("Permissions-Policy %q", p)
					}
				}},
			{name: "no other page may", as: org, method: "GET", url: fmt.Sprintf("/admin/forums/%d/registrants", hybrid.ID), status: http.StatusOK,
				after: func(t *testing.T, r *response) {
					if p := r.header.Get("Permissions-Policy"); !strings.Contains(p, "camera=()") {
						t.Fatalf("Permissions-Policy %q", p)
					}
				}},
			{name: "a member may not use the desk", as: member, method: "POST", url: desk, form: url.Values{"code": {first}},
				status: http.StatusForbidden, unchanged: []string{"audit_log"}},
			{name: "nor register walk-ins", as: member, method: "POST", url: desk + "/walk-in", form: walkIn,
				status: http.StatusForbidden, unchanged: []string{"registrations"}},
			{name: "a code, without the script", as: org, method: "POST", url: desk, form: url.Values{"code": {strings.ToLower(first)}},
				status: http.StatusSeeOther, after: func(t *testing.T, r *response) {
					page := org.get(r.header.Get("Location"))
					if !strings.Contains(page.body, `<p class="desk-name">Primera Persona</p>`) || !strings.Contains(page.body, "Gobierno · SSPC · En persona") {
						t.Fatalf("who came is not shown: %s", excerpt(page.body))
					}
				}},
			{name: "a code that is nobody's", as: org, method: "POST", url: desk, form: url.Values{"code": {"ZZZZZZZZZZ"}},
				status: http.StatusNotFound, contains: []string{`id="e-code"`}, unchanged: []string{"audit_log"}},
			{name: "the script's code: who, and the counts", as: org, method: "POST", url: desk, form: url.Values{"code": {second}}, header: json,
				status: http.StatusOK, contains: []string{`"ok":true`, `"name":"Segunda Persona"`, `"checked_in":2`}},
			{name: "the script's code again: when they came", as: org, method: "POST", url: desk, form: url.Values{"code": {second}}, header: json,
				status: http.StatusConflict, contains: []string{`"ok":false`, "ya registró su entrada"}},
			{name: "a walk-in without a name", as: org, method: "POST", url: desk + "/walk-in", form: with(walkIn, "walkin_name", " "),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-walkin_name"`, "<details class=\"walkin\" open>"}, unchanged: []string{"registrations"}},
			{name: "a walk-in whose address is registered", as: org, method: "POST", url: desk + "/walk-in",
				form: with(walkIn, "walkin_email", "Primera-Puerta@example.org"), status: http.StatusUnprocessableEntity,
				contains: []string{`id="e-walkin_email"`, "registra su entrada con su código"}, unchanged: []string{"registrations"}},
			{name: "a walk-in", as: org, method: "POST", url: desk + "/walk-in", form: walkIn, status: http.StatusSeeOther,
				after: func(t *testing.T, r *response) {
					page := org.get(r.header.Get("Location"))
					if !strings.Contains(page.body, `<p class="desk-name">Llegó Sin Inscripción</p>`) {
						t.Fatalf("the walk-in is not shown: %s", excerpt(page.body))
					}
				}},
		})
		var walked registration.Registration
		if err := db.NewSelect().Model(&walked).Where("name = ?", "Llegó Sin Inscripción").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if walked.Status != registration.StatusConfirmed || walked.CheckedInAt == nil || walked.Group != "civil_society" || walked.Mode != registration.ModeInPerson {
			t.Fatalf("the walk-in: %+v", walked)
		}
	})
}
