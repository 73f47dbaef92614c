package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/store/storetest"
)

var invitationRE = regexp.MustCompile(`/invitations/[A-Za-z0-9_-]+`)

// invitationLink is the link of the newest invitation mailed to addr.
func invitationLink(t *testing.T, s *site, addr string) string {
	t.Helper()
	return mailedLinkMatching(t, s, addr, invitationRE)
}

// TestRoleInvitations: an organiser names a session's moderators and rapporteur by address;
// the API answers alike whether an address has an account (it probes nothing), each address
// gets an invitation by mail, and nobody holds the role or is named on the programme before
// accepting. Accepting needs an account; declining, the link only; an answered or withdrawn
// link is gone; the session's form lists who is waiting; a change to another field keeps the
// invitations.
func TestRoleInvitations(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		orgAccount := d.user("org@example.org", false)
		if err := d.app.Access.Grant(ctx, systemActor(), orgAccount.ID, access.Organiser, d.processID, 0); err != nil {
			t.Fatal(err)
		}
		org, orgPages := d.apiClient(orgAccount), d.client()
		orgPages.signIn("org@example.org")
		member := d.user("luisa@example.org", false)
		luisa, anon := d.client(), d.client()
		luisa.signIn(member.Email)
		api, page := fmt.Sprintf("/api/v1/sessions/%d", d.panel.ID), fmt.Sprintf("/sessions/%d", d.panel.ID)
		edit := fmt.Sprintf("/admin/forums/%d/sessions/%d", d.cdmx.ID, d.panel.ID)
		var known, unknown *response
		var luisaLink, nadieLink string
		runAll(t, []scenario{
			{name: "a member's address", as: org, method: "PATCH", url: api, json: `{"moderators":["Luisa@Example.org"]}`, status: http.StatusOK,
				absent: []string{"Luisa", "luisa@"}, after: func(t *testing.T, r *response) { known = r }},
			{name: "an address without an account", as: org, method: "PATCH", url: api, json: `{"moderators":["luisa@example.org","nadie@example.org"]}`,
				status: http.StatusOK, absent: []string{"nadie"}, after: func(t *testing.T, r *response) {
					unknown = r
					if known.body != unknown.body {
						t.Fatalf("the answers differ:\n%s\n%s", excerpt(known.body), excerpt(unknown.body))
					}
					luisaLink, nadieLink = invitationLink(t, d.site, "luisa@example.org"), invitationLink(t, d.site, "nadie@example.org")
				}},
			{name: "another field, the invitations kept", as: org, method: "PATCH", url: api, json: `{"qa_mode":"open"}`, status: http.StatusOK,
				after: func(t *testing.T, _ *response) {
					if n := d.count("outbox"); n == 0 {
						t.Fatal("no mail at all")
					}
					pending, err := access.PendingFor(ctx, db.DB, d.clock.Now(), d.panel.ID)
					if err != nil || len(pending) != 2 {
						t.Fatalf("pending after another change: %+v %v", pending, err)
					}
				}},
			{name: "the form lists who is waiting", as: orgPages, method: "GET", url: edit, status: http.StatusOK,
				contains: []string{"luisa@example.org", "nadie@example.org", "en espera de respuesta"}},
			{name: "not named before accepting", as: anon, method: "GET", url: page, status: http.StatusOK, absent: []string{member.Name}},
			{name: "the invitation's page, signed out", as: anon, method: "GET", at: func() string { return luisaLink }, status: http.StatusOK,
				contains: []string{"Te invitan a moderar", "tu nombre aparece en el programa", "/signin?next="}},
			{name: "accepting signed out", as: anon, method: "POST", at: func() string { return luisaLink + "/accept" }, form: url.Values{}, status: http.StatusSeeOther,
				after: func(t *testing.T, r *response) {
					if !strings.HasPrefix(r.header.Get("Location"), "/signin") {
						t.Fatalf("sent to %q, want the sign-in page", r.header.Get("Location"))
					}
				}},
			{name: "accepting", as: luisa, method: "POST", at: func() string { return luisaLink + "/accept" }, form: url.Values{}, status: http.StatusSeeOther, location: page},
			{name: "named once accepted", as: anon, method: "GET", url: page, status: http.StatusOK, contains: []string{member.Name}},
			{name: "the link answered", as: luisa, method: "GET", at: func() string { return luisaLink }, status: http.StatusGone},
			{name: "declining by the link", as: anon, method: "POST", at: func() string { return nadieLink + "/decline" }, form: url.Values{}, status: http.StatusSeeOther},
			{name: "the declined link", as: anon, method: "GET", at: func() string { return nadieLink }, status: http.StatusGone},
			{name: "a made-up link", as: anon, method: "GET", url: "/invitations/abc", status: http.StatusNotFound},
			{name: "taken off the list", as: org, method: "PATCH", url: api, json: `{"moderators":[]}`, status: http.StatusOK,
				after: func(t *testing.T, _ *response) {
					if ok, _ := access.Has(ctx, db.DB, access.Subject{AccountID: member.ID}, access.Moderator, d.processID, d.panel.ID); ok {
						t.Fatal("the role outlived the name")
					}
				}},
		})
	})
}
