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

// TestWriteToRegistrants: a forum's organisers write to its registrants, all in force or by
// status, mode or group, after a confirmation that says how many it reaches; each person gets a
// mail of their own, the audit log has it; a malformed subject is refused naming its field and
// sends nothing; members, the public and another process's organisers cannot.
func TestWriteToRegistrants(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		online, _, _ := demoOnline(t, db)
		for _, p := range []struct{ email, group string }{{"academica@example.org", "academia"}, {"civil@example.org", "civil_society"}} {
			a := d.user(p.email, false)
			if _, _, err := d.app.Registration.Register(ctx, online.ID, registration.Owner{AccountID: a.ID, Name: a.Name, Email: a.Email, Language: "es"},
				registration.Form{Mode: registration.ModeOnline, Group: p.group, Role: "participant", PrivacyVersion: privacy.Version}); err != nil {
				t.Fatal(err)
			}
		}
		org := d.organiser("escribe@example.org")
		member := d.as("member")
		path := fmt.Sprintf("/admin/forums/%d/registrants/message", online.ID)
		msg := url.Values{"status": {"confirmed"}, "stakeholder_group": {"civil_society"}, "subject": {"Cambio de sala"},
			"body": {"La sesión de mañana será en la sala 2.\nhttps://example.org/mapa"}}
		with := func(k, v string) url.Values {
			out := url.Values{}
			for kk, vv := range msg {
				out[kk] = vv
			}
			out.Set(k, v)
			return out
		}
		sent := func(to string) int {
			n, err := db.NewSelect().Table("outbox").Where("recipient = ? AND subject LIKE ?", to, "%Cambio de sala").Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		runAll(t, []scenario{
			{name: "the form", as: org, method: "GET", url: path, status: http.StatusOK, contains: []string{"Quiénes lo reciben", "Personas a las que llega con lo elegido ahora: 2"}},
			{name: "a member", as: member, method: "GET", url: path, status: http.StatusForbidden},
			{name: "the public", as: d.client(), method: "POST", url: path, form: msg, status: http.StatusSeeOther, unchanged: []string{"outbox"}},
			{name: "a member writing", as: member, method: "POST", url: path, form: with("confirm", "yes"), status: http.StatusForbidden, unchanged: []string{"outbox"}},
			{name: "a subject of two lines", as: org, method: "POST", url: path, form: with("subject", "Cambio\r\nBcc: x@example.org"),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-subject"`}, unchanged: []string{"outbox", "audit_log"}},
			{name: "a group the process does not invite", as: org, method: "POST", url: path, form: with("stakeholder_group", "pirates"),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-stakeholder_group"`}, unchanged: []string{"outbox"}},
			{name: "asks first, saying to how many", as: org, method: "POST", url: path, form: msg, status: http.StatusOK,
				contains: []string{"¿Enviar el mensaje?", "Personas a las que llega: 1,"}, unchanged: []string{"outbox", "audit_log"}},
			{name: "sends", as: org, method: "POST", url: path, form: with("confirm", "yes"), status: http.StatusSeeOther,
				after: func(t *testing.T, _ *response) {
					if sent("civil@example.org") != 1 || sent("academica@example.org") != 0 {
						t.Fatalf("the message reached civil %d times and academia %d times, want 1 and 0", sent("civil@example.org"), sent("academica@example.org"))
					}
					if n, _ := db.NewSelect().Table("audit_log").Where("action = 'registration.message'").Count(ctx); n != 1 {
						t.Fatalf("%d audit entries", n)
					}
				}},
		})
	})
}
