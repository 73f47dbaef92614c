package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// qaSession adds a session taking questions in mode to the demo's Mexico City forum, with a
// moderator, and returns it with the moderator's client.
func qaSession(t *testing.T, d *demoSite, mode string) (forums.Session, *client) {
	t.Helper()
	ctx := context.Background()
	s, err := d.app.Forums.CreateSession(ctx, audit.Actor{}, d.processID, d.cdmx.ID, forums.SessionInput{Kind: forums.KindPanel,
		QAMode: mode, Start: d.cdmx.StartsOn + "T18:00", End: d.cdmx.StartsOn + "T19:00", ConfirmClash: true,
		Title: translated.Text{"es": "Preguntas abiertas", "en": "Open questions"}})
	if err != nil {
		t.Fatal(err)
	}
	a := d.user("moderadora@example.org", false)
	if err := d.app.Access.Grant(ctx, audit.Actor{}, a.ID, access.Moderator, d.processID, s.ID); err != nil {
		t.Fatal(err)
	}
	c := d.client()
	c.signIn(a.Email)
	return s, c
}

// TestQuestionPages: without JavaScript, people read, ask and vote with forms; a second vote is
// refused; the moderators' page is theirs alone, and its forms decline with a reason that the
// asker then reads on their page; the projector shows the pinned question and the top five.
func TestQuestionPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		s, mod := qaSession(t, d, forums.QAOpen)
		page := fmt.Sprintf("/sessions/%d/questions", s.ID)
		off, err := d.app.Forums.CreateSession(context.Background(), audit.Actor{}, d.processID, d.cdmx.ID, forums.SessionInput{Kind: forums.KindPanel,
			QAMode: forums.QAOff, Start: d.cdmx.StartsOn + "T20:00", End: d.cdmx.StartsOn + "T21:00", ConfirmClash: true,
			Title: translated.Text{"es": "Sin preguntas", "en": "No questions"}})
		if err != nil {
			t.Fatal(err)
		}
		member, other, anon := d.as("member"), d.client(), d.client()
		d.user("otra@example.org", false)
		other.signIn("otra@example.org")
		var id int64
		questionID := func(t *testing.T, _ *response) {
			if err := db.NewSelect().Model((*qa.Question)(nil)).Column("id").Where("session_id = ?", s.ID).Limit(1).Scan(context.Background(), &id); err != nil {
				t.Fatal(err)
			}
		}
		at := func(action string) func() string {
			return func() string { return fmt.Sprintf("%s/%d/%s", page, id, action) }
		}
		runAll(t, []scenario{
			{name: "the page, signed out", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"Inicia sesión para preguntar y votar", "Todavía no hay preguntas", "Fuera de tema"}},
			{name: "a question too long", as: member, method: "POST", url: page, form: url.Values{"body": {strings.Repeat("x", 301)}},
				status: http.StatusUnprocessableEntity, contains: []string{"de uno a 300 caracteres"}, unchanged: []string{"questions"}},
			{name: "a group the process lacks", as: member, method: "POST", url: page, form: url.Values{"body": {"¿Hola?"}, "group": {"martians"}},
				status: http.StatusUnprocessableEntity, unchanged: []string{"questions"}},
			{name: "asks", as: member, method: "POST", url: page, form: url.Values{"body": {"¿Quién vigila a quien vigila?"}, "group": {"academia"}},
				status: http.StatusSeeOther, after: questionID},
			{name: "the question on the page", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"¿Quién vigila a quien vigila?", "Academia"}},
			{name: "votes", as: other, method: "POST", at: at("vote"), form: url.Values{}, status: http.StatusSeeOther},
			{name: "votes again", as: other, method: "POST", at: at("vote"), form: url.Values{}, status: http.StatusConflict,
				contains: []string{"Ya votaste"}},
			{name: "a label too long", as: mod, method: "POST", at: at("label"), form: url.Values{"labels": {strings.Repeat("x", 41)}},
				status: http.StatusUnprocessableEntity, unchanged: []string{"questions"}},
			{name: "labels", as: mod, method: "POST", at: at("label"), form: url.Values{"labels": {"Eje 2, para la ministra"}}, status: http.StatusSeeOther},
			{name: "the labels on the page", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{`<ul class="q-labels"><li>Eje 2</li><li>para la ministra</li></ul>`}},
			{name: "a member may not label", as: other, method: "POST", at: at("label"), form: url.Values{"labels": {"spam"}}, status: http.StatusForbidden},
			{name: "a member may not moderate", as: other, method: "GET", url: page + "/moderate", status: http.StatusForbidden},
			{name: "a member may not decline", as: other, method: "POST", at: at("hide"), form: url.Values{"reason": {"off_topic"}},
				status: http.StatusForbidden},
			{name: "the moderators' page", as: mod, method: "GET", url: page + "/moderate", status: http.StatusOK,
				contains: []string{"¿Quién vigila a quien vigila?", "Por sector", "Quién puede preguntar"}},
			{name: "pins", as: mod, method: "POST", at: at("pin"), form: url.Values{"back": {page + "/moderate"}}, status: http.StatusSeeOther,
				location: "", after: func(t *testing.T, r *response) {
					if !strings.HasPrefix(r.header.Get("Location"), page+"/moderate") {
						t.Fatalf("back to %q", r.header.Get("Location"))
					}
				}},
			{name: "the projector", as: anon, method: "GET", url: page + "/present", status: http.StatusOK,
				contains: []string{"Respondiendo ahora", "¿Quién vigila a quien vigila?", "qr.png", fmt.Sprintf("<strong>%s/q/%d</strong>",
					strings.TrimPrefix(d.base, "http://"), s.ID)},
				absent: []string{"siguiendo en vivo"}},
			{name: "the projector, asked to show how many follow", as: anon, method: "GET", url: page + "/present?count=1", status: http.StatusOK,
				contains: []string{"0 siguiendo en vivo"}},
			{name: "the short link", as: anon, method: "GET", url: fmt.Sprintf("/q/%d", s.ID), status: http.StatusSeeOther, location: page},
			{name: "the QR code", as: anon, method: "GET", url: page + "/qr.png", status: http.StatusOK},
			{name: "declines with a reason", as: mod, method: "POST", at: at("hide"), form: url.Values{"reason": {"personal_data"}, "note": {"Sin nombres, por favor"}},
				status: http.StatusSeeOther},
			{name: "others no longer see it", as: other, method: "GET", url: page, status: http.StatusOK, absent: []string{"¿Quién vigila a quien vigila?"}},
			{name: "its asker reads why", as: member, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"¿Quién vigila a quien vigila?", "Datos personales", "Sin nombres, por favor"}},
			{name: "the export, as CSV", as: mod, method: "GET", url: page + ".csv", status: http.StatusOK,
				contains: []string{"id,asked_at,body,author,group,channel,status,votes,reason", "¿Quién vigila a quien vigila?", "personal_data", "Sin nombres, por favor"}},
			{name: "the export, as JSON", as: mod, method: "GET", url: page + ".json", status: http.StatusOK, contains: []string{`"reason":"personal_data"`}},
			{name: "the export is the moderators'", as: other, method: "GET", url: page + ".csv", status: http.StatusForbidden},
			{name: "closes", as: mod, method: "POST", url: page + "/settings", form: url.Values{"who_asks": {"members"}, "closed": {"yes"}}, status: http.StatusSeeOther},
			{name: "closed", as: member, method: "POST", url: page, form: url.Values{"body": {"¿Otra?"}}, status: http.StatusConflict,
				unchanged: []string{"questions"}},
			{name: "once closed, everyone sees whose questions were taken", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"Quién preguntó y de quién se tomaron las preguntas", "Academia", "Datos personales 1"}},
			{name: "a session without questions", as: anon, method: "GET", url: fmt.Sprintf("/sessions/%d/questions", off.ID), status: http.StatusNotFound},
		})
	})
}

// TestQuestionsAPI: the same actions under /api/v1, with a token: reads are public, asking and
// voting need an account, a second vote is refused, only moderators moderate, and a declined
// question leaves others' lists.
func TestQuestionsAPI(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		s, _ := qaSession(t, d, forums.QAOpen)
		list := fmt.Sprintf("/api/v1/sessions/%d/questions", s.ID)
		member := d.apiClient(d.user("api-member@example.org", false))
		other := d.apiClient(d.user("api-other@example.org", false))
		var modAccount int64
		if err := db.NewSelect().Table("accounts").Column("id").Where("email = 'moderadora@example.org'").Scan(context.Background(), &modAccount); err != nil {
			t.Fatal(err)
		}
		mod := d.apiClient(accounts.Account{ID: modAccount, Email: "moderadora@example.org"})
		anon := d.client()
		var id int64
		created := func(t *testing.T, r *response) {
			var v struct{ ID int64 }
			if err := json.Unmarshal([]byte(r.body), &v); err != nil || v.ID == 0 {
				t.Fatalf("the question: %s", r.body)
			}
			id = v.ID
		}
		q := func(suffix string) func() string {
			return func() string { return fmt.Sprintf("/api/v1/questions/%d%s", id, suffix) }
		}
		runAll(t, []scenario{
			{name: "the list, anonymous", as: anon, method: "GET", url: list, status: http.StatusOK, contains: []string{`"questions":[]`, `"who_asks":"members"`}},
			{name: "asking without a token", as: anon, method: "POST", url: list, json: `{"body":"¿Hola?"}`, status: http.StatusUnauthorized},
			{name: "a question too long", as: member, method: "POST", url: list, json: fmt.Sprintf(`{"body":%q}`, strings.Repeat("x", 301)),
				status: http.StatusUnprocessableEntity, contains: []string{`"field":"body"`}, unchanged: []string{"questions"}},
			{name: "asks", as: member, method: "POST", url: list, json: `{"body":"¿Qué se mide?","group":"academia"}`, status: http.StatusCreated,
				after: created},
			{name: "votes", as: other, method: "POST", at: q("/votes"), json: `{}`, status: http.StatusOK, contains: []string{`"votes":1`}},
			{name: "votes again", as: other, method: "POST", at: q("/votes"), json: `{}`, status: http.StatusConflict, contains: []string{"question_voted"}},
			{name: "a member may not moderate", as: other, method: "POST", at: q("/moderation"), json: `{"action":"hide","reason":"off_topic"}`,
				status: http.StatusForbidden},
			{name: "an unknown reason", as: mod, method: "POST", at: q("/moderation"), json: `{"action":"hide","reason":"boring"}`,
				status: http.StatusUnprocessableEntity, contains: []string{`"field":"reason"`}},
			{name: "declines", as: mod, method: "POST", at: q("/moderation"), json: `{"action":"hide","reason":"off_topic","note":"Otra mesa"}`,
				status: http.StatusOK, contains: []string{`"reason":"off_topic"`}},
			{name: "gone from others' list", as: other, method: "GET", url: list, status: http.StatusOK, absent: []string{"¿Qué se mide?"}},
			{name: "its asker reads why", as: member, method: "GET", url: list, status: http.StatusOK, contains: []string{"¿Qué se mide?", `"note":"Otra mesa"`}},
			{name: "a question that is not there", as: other, method: "POST", url: "/api/v1/questions/999999/votes", json: `{}`, status: http.StatusNotFound},
		})
	})
}

// TestRedrawLeavesTheFlash: the moderators' page, fetched again by its script to redraw in
// place, leaves the message of the action just done to the page the browser goes to (the
// action's own event asks for the redraw, which used to take the message first).
func TestRedrawLeavesTheFlash(t *testing.T) {
	t.Parallel()
	db := storetest.OpenFrom(t, storetest.SQLite, demo)
	d := newDemoSite(t, db)
	s, mod := qaSession(t, d, forums.QAOpen)
	page := fmt.Sprintf("/sessions/%d/questions", s.ID)
	if r := mod.post(page, url.Values{"body": {"¿Quién vigila a quien vigila?"}, "channel": {"room"}}); r.status != http.StatusSeeOther {
		t.Fatalf("adding a question: %d", r.status)
	}
	var id int64
	if err := db.NewSelect().Model((*qa.Question)(nil)).Column("id").Where("session_id = ?", s.ID).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	if r := mod.post(fmt.Sprintf("%s/%d/pin", page, id), url.Values{"back": {page + "/moderate"}}); r.status != http.StatusSeeOther {
		t.Fatalf("pinning: %d", r.status)
	}
	if r := mod.do(http.MethodGet, page+"/moderate", nil, map[string]string{"X-Convene-Refresh": "1"}); r.status != http.StatusOK || strings.Contains(r.body, "Hecho.") {
		t.Fatalf("the redraw took the message: %d", r.status)
	}
	if r := mod.get(page + "/moderate"); !strings.Contains(r.body, "Hecho.") {
		t.Fatal("the page the browser goes to lost the message")
	}
}
