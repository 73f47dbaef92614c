package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

// TestAdminFindsAndNames: the accounts page counts in words, shows each account's roles by
// process, and finds people who registered without an account, whose data an admin erases at
// their request; the audit log names and links what each entry was done to, and is filtered by
// process, by who acted and by what was done.
func TestAdminFindsAndNames(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		admin := d.as("admin")
		org := d.organiser("nombrada@example.org")
		hybrid, q := demoHybrid(t, db)
		guest := d.client()
		if r := guest.post("/forums/"+hybrid.Slug+"/register", url.Values{"name": {"Invitada Borrable"}, "email": {"borrable@example.org"},
			"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "privacy": {privacy.Version},
			fmt.Sprintf("answers.%d", q.ID): {"2"}}); r.status != http.StatusOK {
			t.Fatalf("the guest registers: %d", r.status)
		}
		// An organiser's change to a session, for the log to name.
		if r := org.get(fmt.Sprintf("/admin/forums/%d", hybrid.ID)); r.status != http.StatusOK {
			t.Fatalf("the organiser's forum page: %d", r.status)
		}
		if _, err := d.app.Registration.CheckInByCode(ctx, systemActor(), hybrid.ID, "0000000000"); err == nil {
			t.Fatal("a code that is nobody's checked in")
		}
		runAll(t, []scenario{
			{name: "one account found, in words", as: admin, method: "GET", url: "/admin/accounts?q=nombrada", status: http.StatusOK,
				contains: []string{"1 cuenta<", `organizador/a · <a href="/admin/processes/encs-2017/people">`}},
			{name: "a guest found by address", as: admin, method: "GET", url: "/admin/accounts?q=borrable", status: http.StatusOK,
				contains: []string{"Inscripciones sin cuenta", "borrable@example.org", "Invitada Borrable", `action="/admin/guests/erase"`}},
			{name: "erasing asks first", as: admin, method: "POST", url: "/admin/guests/erase", form: url.Values{"email": {"borrable@example.org"}},
				status: http.StatusOK, contains: []string{"¿Borrar los datos de esta dirección?"}, unchanged: []string{"audit_log"}},
			{name: "an organiser may not erase", as: org, method: "POST", url: "/admin/guests/erase",
				form: url.Values{"email": {"borrable@example.org"}, "confirm": {"yes"}}, status: http.StatusForbidden, unchanged: []string{"audit_log"}},
			{name: "the admin erases the guest's data", as: admin, method: "POST", url: "/admin/guests/erase",
				form: url.Values{"email": {"borrable@example.org"}, "confirm": {"yes"}}, status: http.StatusSeeOther},
			{name: "the guest is no longer found", as: admin, method: "GET", url: "/admin/accounts?q=borrable", status: http.StatusOK,
				contains: []string{"Ninguna dirección sin cuenta coincide"}, absent: []string{"Invitada Borrable"}},
			{name: "the log by process, naming and linking", as: admin, method: "GET", url: "/admin/audit?process=encs-2017", status: http.StatusOK,
				contains: []string{`<a href="/admin/processes/encs-2017">encs-2017</a>`}, absent: []string{"Datos de personas sin cuenta</li>"}},
			{name: "the log by what was done", as: admin, method: "GET", url: "/admin/audit?family=guest", status: http.StatusOK,
				contains: []string{"1 entrada<"}},
			{name: "the log by who acted", as: admin, method: "GET", url: "/admin/audit?actor=nadie-actuo", status: http.StatusOK,
				contains: []string{"0 entradas"}},
			{name: "the log is the admins'", as: org, method: "GET", url: "/admin/audit", status: http.StatusForbidden},
		})
		var left int
		if err := db.NewSelect().Table("registrations").ColumnExpr("count(*)").Where("email = ? OR name = ?", "borrable@example.org", "Invitada Borrable").
			Scan(ctx, &left); err != nil || left != 0 {
			t.Fatalf("the guest's data: %d rows left, %v", left, err)
		}
		if r := admin.get("/admin/audit"); !strings.Contains(r.body, `<a href="/sessions/`) && !strings.Contains(r.body, `<a href="/forums/`) {
			t.Errorf("no entry names a forum or a session: %s", excerpt(r.body))
		}
	})
}
