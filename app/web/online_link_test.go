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

// TestOnlineLinkForParticipants: at a forum that takes registrations, the link to join online
// is for its confirmed participants and its organisers. Its pages say it is sent to them and
// show it to organisers only (pages and feeds are cached for every member alike); its feeds,
// schedule exports and change log leave it out; the API gives it to the confirmed; "My
// registrations" shows it to them. A forum without registration shows its link to everyone.
func TestOnlineLinkForParticipants(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		sessions, err := forums.Programme(ctx, db.DB, hybrid.ID)
		if err != nil || len(sessions) == 0 {
			t.Fatalf("the demo forum's sessions: %d, %v", len(sessions), err)
		}
		link := hybrid.OnlineURL
		page, session := "/forums/"+hybrid.Slug, fmt.Sprintf("/sessions/%d", sessions[0].ID)
		api := fmt.Sprintf("/api/v1/forums/%d", hybrid.ID)
		hidden := "Se envía a las personas con inscripción confirmada"
		anon, org, member := d.client(), d.organiser("org@example.org"), d.as("member")
		form := url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "country": {"MX"}, "role": {"participant"},
			"privacy": {privacy.Version}, fmt.Sprintf("answers.%d", q.ID): {"1"}}
		// A calendar folds its lines at 75 octets: the link is looked for in the unfolded text.
		inCalendar := func(want bool) func(t *testing.T, r *response) {
			return func(t *testing.T, r *response) {
				if got := strings.Contains(strings.ReplaceAll(r.body, "\r\n ", ""), link); got != want {
					t.Fatalf("the link in the calendar: %v, want %v", got, want)
				}
			}
		}
		var steps []scenario
		for _, path := range []string{page, session, page + "/schedule.xml", page + "/schedule.json", page + "/changes",
			api, api + "/sessions", "/api/v1" + session, "/api/v1/processes/encs-2017/forums"} {
			steps = append(steps, scenario{name: "the public: " + path, as: anon, method: "GET", url: path, status: http.StatusOK, absent: []string{link}})
		}
		for _, path := range []string{page + ".ics", session + ".ics", "/processes/encs-2017.ics"} {
			steps = append(steps, scenario{name: "the public: " + path, as: anon, method: "GET", url: path, status: http.StatusOK, after: inCalendar(false)})
		}
		steps = append(steps,
			scenario{name: "the forum's page says who gets the link", as: anon, method: "GET", url: page, status: http.StatusOK, contains: []string{hidden}},
			scenario{name: "a member not registered, by the API", as: member, method: "GET", url: api, status: http.StatusOK, absent: []string{link}},
			scenario{name: "the organisers' page", as: org, method: "GET", url: page, status: http.StatusOK, contains: []string{link}},
			scenario{name: "the organisers' feed", as: org, method: "GET", url: page + ".ics", status: http.StatusOK, after: inCalendar(true)},
			scenario{name: "the member registers", as: member, method: "POST", url: page + "/register", form: form, status: http.StatusSeeOther,
				after: func(t *testing.T, _ *response) {
					if r := regOf(t, db, hybrid.ID, "member@example.org"); r.Status != registration.StatusConfirmed {
						t.Fatalf("registered as %s", r.Status)
					}
				}},
			scenario{name: "confirmed: My registrations", as: member, method: "GET", url: "/registrations", status: http.StatusOK, contains: []string{link}},
			scenario{name: "confirmed: the API's forum", as: member, method: "GET", url: api, status: http.StatusOK, contains: []string{link}},
			scenario{name: "confirmed: the API's session", as: member, method: "GET", url: "/api/v1" + session, status: http.StatusOK, contains: []string{link}},
			scenario{name: "confirmed: the page stays as every member's", as: member, method: "GET", url: page, status: http.StatusOK,
				contains: []string{hidden}, absent: []string{link}},
			scenario{name: "still not for the public", as: anon, method: "GET", url: api, status: http.StatusOK, absent: []string{link}},
			scenario{name: "a forum without registration", as: anon, method: "GET", url: "/forums/" + d.igf.Slug, status: http.StatusOK,
				contains: []string{"https://www.intgovforum.org/"}, absent: []string{hidden}},
		)
		runAll(t, steps)
	})
}
