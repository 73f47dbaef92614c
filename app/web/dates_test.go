package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store/storetest"
)

// TestDatesAsPeopleSayThem: a registration window that ends at midnight ends the day before at
// 23:59; a forum under way says so among the coming ones; the change log writes a forum's days
// as days and its status in the forum's gender (Spanish: «publicado», «cancelado»), with a verb
// that agrees.
func TestDatesAsPeopleSayThem(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, _ := demoHybrid(t, db)
		anon := d.client()
		if r := anon.get("/forums/" + hybrid.Slug); !strings.Contains(r.body, ", 23:59 (hora de Ciudad de México)") || strings.Contains(r.body, ", 00:00 (hora de") {
			t.Errorf("the registration window's end: %s", excerpt(r.body[strings.Index(r.body, "register-box"):]))
		}
		if r := anon.get("/processes/encs-2017"); strings.Count(r.body, `<strong class="badge live">En curso</strong>`) != 1 ||
			!strings.Contains(r.body, "Foros en curso y próximos") {
			t.Errorf("the forum under way is not said to be: %s", excerpt(r.body))
		}
		online, err := forums.BySlug(ctx, db.DB, "consulta-en-linea")
		if err != nil {
			t.Fatal(err)
		}
		in := online.Input()
		end, err := time.Parse(time.DateOnly, in.EndsOn)
		if err != nil {
			t.Fatal(err)
		}
		in.EndsOn = end.AddDate(0, 0, 1).Format(time.DateOnly)
		if _, err := d.app.Forums.Update(ctx, audit.Actor{}, online.ProcessID, online.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := d.app.Forums.Cancel(ctx, audit.Actor{}, online.ProcessID, online.ID); err != nil {
			t.Fatal(err)
		}
		r := anon.get("/forums/consulta-en-linea/changes")
		for _, want := range []string{"Las fechas cambiaron de «", " de diciembre de 20", "El estado cambió de «publicado» a «cancelado»."} {
			if !strings.Contains(r.body, want) {
				t.Errorf("the change log lacks %q", want)
			}
		}
		if strings.Contains(r.body, "«20") {
			t.Errorf("the change log writes raw dates: %s", excerpt(r.body[strings.Index(r.body, "«20")-100:]))
		}
		runAll(t, []scenario{{name: "in English", as: anon, method: "GET", url: "/forums/consulta-en-linea/changes",
			header: map[string]string{"Accept-Language": "en"}, status: http.StatusOK,
			contains: []string{"The dates changed from “", "The status changed from “published” to “cancelled”."}}})
	})
}
