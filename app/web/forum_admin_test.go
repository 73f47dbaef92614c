package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store/storetest"
)

// TestForumAdminPages: an organiser schedules through the forms (a forum, a room, sessions,
// publication, a move, cancellations); every refused form comes back with the field named and
// what was typed, and changes nothing; members and the organisers of other processes cannot
// reach the pages.
func TestForumAdminPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		org, member, anon := d.organiser("org@example.org"), d.as("member"), d.client()
		if _, err := d.app.Processes.Create(ctx, systemActor(), demoProcess("otro-proceso")); err != nil {
			t.Fatal(err)
		}
		var otherID, o1 int64
		_ = db.NewSelect().Table("processes").Column("id").Where("slug = 'otro-proceso'").Scan(ctx, &otherID)
		_ = db.NewSelect().Table("topics").Column("id").Where("process_id = ? AND code = 'O1'", d.processID).Scan(ctx, &o1)
		other := d.user("ajeno@example.org", false)
		if err := d.app.Access.Grant(ctx, systemActor(), other.ID, "organiser", otherID, 0); err != nil {
			t.Fatal(err)
		}
		outsider := d.client()
		outsider.signIn("ajeno@example.org")
		forum := url.Values{"title.es": {"Foro híbrido de prueba"}, "title.en": {"Hybrid test forum"}, "slug": {"foro-prueba"},
			"format": {"hybrid"}, "time_zone": {"America/Mexico_City"}, "starts_on": {"2027-03-04"}, "ends_on": {"2027-03-05"},
			"venue_name": {"Casa de la Cultura"}, "online_url": {"https://meet.example.org/prueba"}}
		with := func(v url.Values, k, val string) url.Values {
			out := url.Values{}
			for kk, vv := range v {
				out[kk] = vv
			}
			out.Set(k, val)
			return out
		}
		var forumID int64
		runAll(t, []scenario{
			{name: "forums tab", as: org, method: "GET", url: "/admin/processes/encs-2017/forums", status: http.StatusOK,
				contains: []string{"Nuevo foro", "Foro nacional de ciberseguridad, Ciudad de México", "Publicado"}},
			{name: "forums tab, member", as: member, method: "GET", url: "/admin/processes/encs-2017/forums", status: http.StatusForbidden},
			{name: "forums tab, anonymous", as: anon, method: "GET", url: "/admin/processes/encs-2017/forums", status: http.StatusSeeOther},
			{name: "new forum form", as: org, method: "GET", url: "/admin/processes/encs-2017/forums/new", status: http.StatusOK,
				contains: []string{`name="title.es"`, `name="starts_on"`, "Ciudad de México"}},
			{name: "new forum, ends before it starts", as: org, method: "POST", url: "/admin/processes/encs-2017/forums",
				form: with(forum, "ends_on", "2027-03-01"), status: http.StatusUnprocessableEntity,
				contains: []string{"El último día no puede ser anterior al primero", `value="Foro híbrido de prueba"`, "Error:"}, unchanged: []string{"forums"}},
			{name: "new forum, unknown time zone", as: org, method: "POST", url: "/admin/processes/encs-2017/forums",
				form: with(forum, "time_zone", "Mars/Base"), status: http.StatusUnprocessableEntity, unchanged: []string{"forums"}},
			{name: "new forum, malformed date", as: org, method: "POST", url: "/admin/processes/encs-2017/forums",
				form: with(forum, "starts_on", "4 de marzo"), status: http.StatusUnprocessableEntity,
				contains: []string{"Escribe la fecha como 2026-12-17"}, unchanged: []string{"forums"}},
			{name: "new forum, hybrid without a link", as: org, method: "POST", url: "/admin/processes/encs-2017/forums",
				form: with(forum, "online_url", ""), status: http.StatusUnprocessableEntity,
				contains: []string{"Un foro virtual o híbrido necesita el enlace"}, unchanged: []string{"forums"}},
			{name: "new forum, outsider", as: outsider, method: "POST", url: "/admin/processes/encs-2017/forums", form: forum,
				status: http.StatusForbidden, unchanged: []string{"forums"}},
			{name: "new forum", as: org, method: "POST", url: "/admin/processes/encs-2017/forums", form: forum, status: http.StatusSeeOther,
				after: func(t *testing.T, r *response) {
					f, err := forums.BySlug(ctx, db.DB, "foro-prueba")
					if err != nil || f.Status != forums.StatusDraft || r.header.Get("Location") != fmt.Sprintf("/admin/forums/%d", f.ID) {
						t.Fatalf("%+v %v %s", f, err, r.header.Get("Location"))
					}
					forumID = f.ID
				}},
		})
		fpath := fmt.Sprintf("/admin/forums/%d", forumID)
		var roomID int64
		runAll(t, []scenario{
			{name: "the forum's page", as: org, method: "GET", url: fpath, status: http.StatusOK,
				contains: []string{"Publicar el foro", "Nueva sesión", "Añadir la sala", `value="foro-prueba"`}},
			{name: "the forum's page, outsider", as: outsider, method: "GET", url: fpath, status: http.StatusNotFound},
			{name: "the forum's page, member", as: member, method: "GET", url: fpath, status: http.StatusNotFound},
			{name: "a room without a name", as: org, method: "POST", url: fpath + "/rooms", form: url.Values{"room_name": {""}, "room_capacity": {"30"}},
				status: http.StatusUnprocessableEntity, contains: []string{"Nombre de la sala"}, unchanged: []string{"rooms"}},
			{name: "a room with a capacity that is not a number", as: org, method: "POST", url: fpath + "/rooms",
				form: url.Values{"room_name": {"Sala"}, "room_capacity": {"muchos"}}, status: http.StatusUnprocessableEntity,
				contains: []string{`value="Sala"`}, unchanged: []string{"rooms"}},
			{name: "a room", as: org, method: "POST", url: fpath + "/rooms", form: url.Values{"room_name": {"Sala Grande"}, "room_capacity": {"80"}},
				status: http.StatusSeeOther, after: func(t *testing.T, r *response) {
					rooms, _ := forums.Rooms(ctx, db.DB, forumID)
					if len(rooms) != 1 {
						t.Fatal(rooms)
					}
					roomID = rooms[0].ID
				}},
			{name: "new session form", as: org, method: "GET", url: fpath + "/sessions/new", status: http.StatusOK,
				contains: []string{`name="speakers.0.name"`, `name="topics"`, "Sala Grande", "México", `type="datetime-local"`}},
		})
		session := func(title, start, end string) url.Values {
			return url.Values{"title.es": {title}, "title.en": {title}, "kind": {"workshop"}, "start": {start}, "end": {end},
				"room_id": {fmt.Sprint(roomID)}, "qa_mode": {"open"}, "languages": {"es", "en"}, "languages_other": {"de"}, "topics": {fmt.Sprint(o1)},
				"speakers.0.name": {"Ana Pérez"}, "speakers.0.country": {"MX"}, "speakers.0.group": {"academia"},
				"speakers.1.name": {""}, "moderators": {"org@example.org"}}
		}
		runAll(t, []scenario{
			{name: "a session", as: org, method: "POST", url: fpath + "/sessions", form: session("Taller uno", "2027-03-04T10:00", "2027-03-04T11:00"),
				status: http.StatusSeeOther},
			{name: "a session in the same room at once", as: org, method: "POST", url: fpath + "/sessions",
				form: with(session("Taller dos", "2027-03-04T10:30", "2027-03-04T11:30"), "speakers.0.name", "Luis"), status: http.StatusUnprocessableEntity,
				contains: []string{"Esa sala ya está ocupada a esa hora por «Taller uno»", `value="Taller dos"`}, unchanged: []string{"sessions"}},
			{name: "a session ending before it starts", as: org, method: "POST", url: fpath + "/sessions",
				form: session("Taller tres", "2027-03-04T12:00", "2027-03-04T11:00"), status: http.StatusUnprocessableEntity,
				contains: []string{"La sesión debe terminar después de empezar"}, unchanged: []string{"sessions"}},
			{name: "a session with a speaker from no country", as: org, method: "POST", url: fpath + "/sessions",
				form: with(session("Taller tres", "2027-03-04T12:00", "2027-03-04T13:00"), "speakers.0.country", "XX"), status: http.StatusUnprocessableEntity,
				contains: []string{"Ponente 1: País"}, unchanged: []string{"sessions"}},
			{name: "a session with a room that is not a number", as: org, method: "POST", url: fpath + "/sessions",
				form: with(session("Taller cinco", "2027-03-04T15:00", "2027-03-04T16:00"), "room_id", "abc"), status: http.StatusUnprocessableEntity,
				contains: []string{"Elige una sala de este foro"}, unchanged: []string{"sessions"}},
			{name: "a session with a topic that is not a number", as: org, method: "POST", url: fpath + "/sessions",
				form: with(session("Taller cinco", "2027-03-04T15:00", "2027-03-04T16:00"), "topics", "O1"), status: http.StatusUnprocessableEntity,
				contains: []string{"Elige objetivos y ejes de este proceso"}, unchanged: []string{"sessions"}},
			{name: "a session with the same speaker elsewhere", as: org, method: "POST", url: fpath + "/sessions",
				form: with(session("Taller cuatro", "2027-03-04T10:30", "2027-03-04T11:30"), "room_id", ""), status: http.StatusConflict,
				contains: []string{"Ana Pérez ya participa a esa hora en «Taller uno»", `name="confirm_clash"`}, unchanged: []string{"sessions"}},
			{name: "the same, confirmed", as: org, method: "POST", url: fpath + "/sessions",
				form:   with(with(session("Taller cuatro", "2027-03-04T10:30", "2027-03-04T11:30"), "room_id", ""), "confirm_clash", "yes"),
				status: http.StatusSeeOther},
			{name: "publish", as: org, method: "POST", url: fpath + "/publish", form: url.Values{}, status: http.StatusSeeOther},
			{name: "the public programme shows it", as: anon, method: "GET", url: "/forums/foro-prueba", status: http.StatusOK,
				contains: []string{"Taller uno", "Taller cuatro", "Sala Grande"}},
		})
		list, _ := forums.Programme(ctx, db.DB, forumID)
		first := list[0]
		spath := fmt.Sprintf("%s/sessions/%d", fpath, first.ID)
		runAll(t, []scenario{
			{name: "edit form", as: org, method: "GET", url: spath, status: http.StatusOK,
				contains: []string{`value="Taller uno"`, `value="2027-03-04T10:00"`, `value="org@example.org"`, `value="Ana Pérez"`,
					`name="languages" value="en" checked`, `name="languages_other" type="text" value="de"`}},
			{name: "a session of another forum under this one", as: org, method: "GET", url: fmt.Sprintf("%s/sessions/%d", fpath, d.panel.ID), status: http.StatusNotFound},
			{name: "move it", as: org, method: "POST", url: spath, form: session("Taller uno", "2027-03-05T10:00", "2027-03-05T11:00"), status: http.StatusSeeOther},
			{name: "cancel it, without JavaScript: asked first", as: org, method: "POST", url: spath + "/cancel", form: url.Values{}, status: http.StatusOK,
				contains: []string{"¿Cancelar la sesión?", "Taller uno"}, after: func(t *testing.T, r *response) {
					if sv, _ := forums.SessionByID(ctx, db.DB, first.ID); sv.Status != forums.SessionScheduled {
						t.Fatal("cancelled without confirmation")
					}
				}},
			{name: "cancel it", as: org, method: "POST", url: spath + "/cancel", form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther},
			{name: "the change log", as: anon, method: "GET", url: "/forums/foro-prueba/changes", status: http.StatusOK,
				contains: []string{"jueves 4 de marzo de 2027, 10:00–11:00", "viernes 5 de marzo de 2027, 10:00–11:00", "cancelada"}},
			{name: "cancel the forum", as: org, method: "POST", url: fpath + "/cancel", form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther},
			{name: "the cancelled forum's page", as: org, method: "GET", url: fpath, status: http.StatusOK,
				contains: []string{"Cancelado: el foro ya no se puede cambiar"}, absent: []string{"Añadir la sala"}},
		})
		if strings.Contains(d.client().get("/forums/foro-prueba").body, "Cancelado") == false {
			t.Error("the public page does not say the forum is cancelled")
		}
	})
}
