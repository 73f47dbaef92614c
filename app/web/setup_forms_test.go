package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store/storetest"
)

// TestSetUpForms: a process and a forum without a typed web address take one from their title;
// a question whose options differ in number between languages says which language lacks how
// many, naming the field in words; several questions are added in one save.
func TestSetUpForms(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		admin := d.as("admin")
		org := d.organiser("montaje@example.org")
		p := processForm()
		p.Del("slug")
		p.Set("title.es", "Política Nacional de Ciberseguridad, Mérida")
		f := url.Values{"title.es": {"Foro de Ciberseguridad: Península"}, "title.en": {"Cybersecurity forum"}, "format": {"in_person"},
			"time_zone": {"America/Merida"}, "starts_on": {"2027-03-04"}, "ends_on": {"2027-03-05"}, "venue_name": {"Gran Museo"}}
		hybrid, _ := demoHybrid(t, db)
		settings := fmt.Sprintf("/admin/forums/%d/registration", hybrid.ID)
		question := url.Values{"quota_rows": {"0"}, "question_rows": {"1"}, "questions.0.kind": {"single"},
			"questions.0.label.es": {"¿Cómo llegas?"}, "questions.0.label.en": {"How do you come?"},
			"questions.0.options.es": {"Metro\nAutobús\nA pie"}, "questions.0.options.en": {"Metro\nBus"}}
		runAll(t, []scenario{
			{name: "a process without an address takes its title's", as: admin, method: "POST", url: "/admin/processes", form: p,
				status: http.StatusSeeOther, location: "/admin/processes/politica-nacional-de-ciberseguridad-merida"},
			{name: "a forum without an address takes its title's", as: org, method: "POST", url: "/admin/processes/encs-2017/forums", form: f,
				status: http.StatusSeeOther},
			{name: "several empty question rows", as: org, method: "GET", url: settings, status: http.StatusOK,
				contains: []string{`name="questions.3.label.es"`}},
			{name: "options that differ in number", as: org, method: "POST", url: settings, form: question, status: http.StatusUnprocessableEntity,
				contains: []string{"En «Pregunta 1: Opciones (inglés)»", "hay 2 de 3"}, absent: []string{": options"},
				unchanged: []string{"registration_questions"}},
		})
		if _, err := processes.BySlug(ctx, db.DB, "politica-nacional-de-ciberseguridad-merida"); err != nil {
			t.Fatalf("the process: %v", err)
		}
		if _, err := forums.BySlug(ctx, db.DB, "foro-de-ciberseguridad-peninsula"); err != nil {
			t.Fatalf("the forum: %v", err)
		}
		if r := org.get("/admin/processes/encs-2017/forums/new"); !strings.Contains(r.body, `id="f-slug"`) {
			t.Fatalf("the new forum form has no address field: %s", excerpt(r.body))
		}
	})
}
