package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store/storetest"
)

// TestForumAPIWrites: organisers create, change, publish and cancel forums and sessions through
// the API; bad input gets a 4xx naming the field and changes nothing; nobody else may write,
// not even the organiser of another process.
func TestForumAPIWrites(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		orgAccount := d.user("org@example.org", false)
		if err := d.app.Access.Grant(ctx, systemActor(), orgAccount.ID, "organiser", d.processID, 0); err != nil {
			t.Fatal(err)
		}
		org := d.apiClient(orgAccount)
		if _, err := d.app.Processes.Create(ctx, systemActor(), demoProcess("otro-proceso")); err != nil {
			t.Fatal(err)
		}
		a := d.user("ajeno@example.org", false)
		var otherID int64
		if err := db.NewSelect().Table("processes").Column("id").Where("slug = 'otro-proceso'").Scan(ctx, &otherID); err != nil {
			t.Fatal(err)
		}
		if err := d.app.Access.Grant(ctx, systemActor(), a.ID, "organiser", otherID, 0); err != nil {
			t.Fatal(err)
		}
		outsider, member, anon := d.apiClient(a), d.apiClient(d.user("member@example.org", false)), d.client()
		var o1 int64
		if err := db.NewSelect().Table("topics").Column("id").Where("process_id = ? AND code = 'O1'", d.processID).Scan(ctx, &o1); err != nil {
			t.Fatal(err)
		}
		forum := `{"slug":"taller-hibrido","format":"hybrid","venue_name":"Casa de la Cultura","online_url":"https://meet.example.org/taller",
			"time_zone":"America/Mexico_City","starts_on":"2027-02-10","ends_on":"2027-02-10",
			"title":{"es":"Taller híbrido","en":"Hybrid workshop"}}`
		var created struct {
			ID    int64 `json:"id"`
			Rooms []struct {
				ID int64 `json:"id"`
			} `json:"rooms"`
		}
		var roomID, sessionID int64
		session := func(extra string) string {
			return `{"kind":"workshop","start":"2027-02-10T10:00","end":"2027-02-10T11:00","title":{"es":"Sesión","en":"Session"}` + extra + `}`
		}
		runAll(t, []scenario{
			{name: "create, anonymous", as: anon, method: "POST", url: "/api/v1/processes/encs-2017/forums", json: forum, status: http.StatusUnauthorized},
			{name: "create, member", as: member, method: "POST", url: "/api/v1/processes/encs-2017/forums", json: forum, status: http.StatusForbidden},
			{name: "create, organiser of another process", as: outsider, method: "POST", url: "/api/v1/processes/encs-2017/forums", json: forum, status: http.StatusForbidden},
			{name: "create, ends before it starts", as: org, method: "POST", url: "/api/v1/processes/encs-2017/forums",
				json: strings.Replace(forum, `"ends_on":"2027-02-10"`, `"ends_on":"2027-02-09"`, 1), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"ends_on"`}, unchanged: []string{"forums"}},
			{name: "create, unknown time zone", as: org, method: "POST", url: "/api/v1/processes/encs-2017/forums",
				json: strings.Replace(forum, "America/Mexico_City", "Mars/Olympus", 1), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"time_zone"`}, unchanged: []string{"forums"}},
			{name: "create, malformed date", as: org, method: "POST", url: "/api/v1/processes/encs-2017/forums",
				json: strings.Replace(forum, `"starts_on":"2027-02-10"`, `"starts_on":"10/02/2027"`, 1), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"starts_on"`}, unchanged: []string{"forums"}},
			{name: "create, a member of the wrong type", as: org, method: "POST", url: "/api/v1/processes/encs-2017/forums",
				json: strings.Replace(forum, `"format":"hybrid"`, `"format":3`, 1), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"format"`}, unchanged: []string{"forums"}},
			{name: "create, an unknown member", as: org, method: "POST", url: "/api/v1/processes/encs-2017/forums",
				json: strings.Replace(forum, `{"slug"`, `{"colour":"red","slug"`, 1), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"colour"`}, unchanged: []string{"forums"}},
			{name: "create", as: org, method: "POST", url: "/api/v1/processes/encs-2017/forums", json: forum, status: http.StatusCreated,
				contains: []string{`"status":"draft"`, `"slug":"taller-hibrido"`},
				after:    func(t *testing.T, r *response) { r.json(t, &created) }},
			{name: "the draft is not public", as: anon, method: "GET", url: "/api/v1/processes/encs-2017/forums", status: http.StatusOK,
				absent: []string{"taller-hibrido"}},
		})
		fpath := fmt.Sprintf("/api/v1/forums/%d", created.ID)
		runAll(t, []scenario{
			{name: "add a room", as: org, method: "POST", url: fpath + "/rooms", json: `{"name":"Sala 1","capacity":40}`, status: http.StatusCreated,
				after: func(t *testing.T, r *response) {
					var room struct{ ID int64 }
					r.json(t, &room)
					roomID = room.ID
				}},
			{name: "add a room without a name", as: org, method: "POST", url: fpath + "/rooms", json: `{"name":"","capacity":40}`,
				status: http.StatusUnprocessableEntity, contains: []string{`"field":"room_name"`}},
			{name: "change, another process's organiser", as: outsider, method: "PATCH", url: fpath, json: `{"venue_name":"Otra"}`, status: http.StatusNotFound},
			{name: "change, member", as: member, method: "PATCH", url: fpath, json: `{"venue_name":"Otra"}`, status: http.StatusNotFound},
			{name: "change, anonymous", as: anon, method: "PATCH", url: fpath, json: `{"venue_name":"Otra"}`, status: http.StatusUnauthorized},
			{name: "publish", as: org, method: "POST", url: fpath + "/publish", status: http.StatusOK, contains: []string{`"status":"published"`}},
			{name: "change, another process's organiser, published", as: outsider, method: "PATCH", url: fpath, json: `{"venue_name":"Otra"}`, status: http.StatusForbidden},
		})
		runAll(t, []scenario{
			{name: "a session, ends before it starts", as: org, method: "POST", url: fpath + "/sessions",
				json:   strings.Replace(session(""), `"end":"2027-02-10T11:00"`, `"end":"2027-02-10T09:00"`, 1),
				status: http.StatusUnprocessableEntity, contains: []string{`"field":"end"`}, unchanged: []string{"sessions"}},
			{name: "a session, unknown topic", as: org, method: "POST", url: fpath + "/sessions", json: session(`,"topic_ids":[999999]`),
				status: http.StatusUnprocessableEntity, contains: []string{`"field":"topics"`}, unchanged: []string{"sessions"}},
			{name: "a session, malformed time", as: org, method: "POST", url: fpath + "/sessions",
				json: strings.Replace(session(""), "2027-02-10T10:00", "10am", 1), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"start"`}, unchanged: []string{"sessions"}},
			{name: "a session outside the forum's days", as: org, method: "POST", url: fpath + "/sessions",
				json: strings.ReplaceAll(session(""), "2027-02-10", "2027-02-11"), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"start"`}, unchanged: []string{"sessions"}},
			{name: "a session, by the organiser of another process", as: outsider, method: "POST", url: fpath + "/sessions", json: session(""),
				status: http.StatusForbidden, unchanged: []string{"sessions"}},
			{name: "a session in another process's forum", as: outsider, method: "POST", url: fmt.Sprintf("/api/v1/forums/%d/sessions", d.cdmx.ID),
				json: session(""), status: http.StatusForbidden, unchanged: []string{"sessions"}},
			{name: "a session", as: org, method: "POST", url: fpath + "/sessions",
				json:   session(fmt.Sprintf(`,"room_id":%d,"topic_ids":[%d],"languages":["es","en"],"qa_mode":"open","speakers":[{"name":"Ana Pérez","country":"MX"}]`, roomID, o1)),
				status: http.StatusCreated, contains: []string{`"start":"2027-02-10T10:00:00-06:00"`, `"code":"O1"`, `"name":"Sala 1"`, `"sequence":0`},
				after: func(t *testing.T, r *response) {
					var s struct{ ID int64 }
					r.json(t, &s)
					sessionID = s.ID
				}},
		})
		runAll(t, []scenario{
			{name: "a second session in the same room at the same time", as: org, method: "POST", url: fpath + "/sessions",
				json: session(fmt.Sprintf(`,"room_id":%d`, roomID)), status: http.StatusUnprocessableEntity,
				contains: []string{`"field":"room_id"`, "Sesión"}, unchanged: []string{"sessions"}},
			{name: "the same speaker at the same time elsewhere", as: org, method: "POST", url: fpath + "/sessions",
				json: session(`,"speakers":[{"name":"Ana Pérez"}]`), status: http.StatusConflict,
				contains: []string{`"code":"speaker_clash"`, `"field":"confirm_clash"`}, unchanged: []string{"sessions"}},
			{name: "the same speaker, confirmed", as: org, method: "POST", url: fpath + "/sessions",
				json: session(`,"speakers":[{"name":"Ana Pérez"}],"confirm_clash":true`), status: http.StatusCreated},
			{name: "the sessions, public", as: anon, method: "GET", url: fpath + "/sessions", status: http.StatusOK, contains: []string{"Ana Pérez"}},
		})
		spath := fmt.Sprintf("/api/v1/sessions/%d", sessionID)
		runAll(t, []scenario{
			{name: "move the session", as: org, method: "PATCH", url: spath, json: `{"start":"2027-02-10T12:00","end":"2027-02-10T13:00"}`,
				status: http.StatusOK, contains: []string{`"start":"2027-02-10T12:00:00-06:00"`, `"sequence":1`, `"code":"O1"`, `"name":"Sala 1"`, "Ana Pérez"}},
			{name: "move it, member", as: member, method: "PATCH", url: spath, json: `{"start":"2027-02-10T15:00"}`, status: http.StatusForbidden},
			{name: "the move is in the change log", as: anon, method: "GET", url: "/forums/taller-hibrido/changes", status: http.StatusOK,
				contains: []string{"10:00–11:00", "12:00–13:00"}},
			{name: "cancel the session", as: org, method: "POST", url: spath + "/cancel", status: http.StatusOK,
				contains: []string{`"status":"cancelled"`, `"sequence":2`}},
			{name: "one session, public", as: anon, method: "GET", url: spath, status: http.StatusOK, contains: []string{`"status":"cancelled"`}},
			{name: "cancel the forum", as: org, method: "POST", url: fpath + "/cancel", status: http.StatusOK, contains: []string{`"status":"cancelled"`}},
			{name: "change a cancelled forum", as: org, method: "PATCH", url: fpath, json: `{"venue_name":"Otra"}`, status: http.StatusConflict},
		})
		if n, _ := db.NewSelect().Table("schedule_changes").Where("session_id = ?", sessionID).Count(ctx); n != 2 {
			t.Errorf("%d changes recorded for the session, want 2", n)
		}
		if _, err := forums.Get(ctx, db.DB, created.ID); err != nil {
			t.Fatal(err)
		}
	})
}
