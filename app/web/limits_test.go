package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// from makes the client send from another loopback address, so that limits per address of one
// row do not touch another's.
func (c *client) from(ip string) *client {
	c.http.Transport = &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
	return c
}

// signedIn signs the client in through the service, leaving the sign-in limit of its address
// untouched.
func (c *client) signedIn(email string) *client {
	c.t.Helper()
	token, _, err := c.s.accounts.SignIn(context.Background(), email, "correct horse battery", "test", "", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	u, _ := url.Parse(c.s.base)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "convene_login", Value: token, Path: "/"}})
	return c
}

// TestEveryLimitedRouteRefuses: with every limit at one request, the second request to each
// limited route is refused by the middleware itself (the handler is never reached, so none can
// forget the limit), forms come back with the wait, and every write route of the route table
// is either limited here or listed as unlimited with its reason.
func TestEveryLimitedRouteRefuses(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		one := config.Rate{Max: 1, Window: time.Hour}
		d := newDemoSite(t, db, func(c *config.Config) {
			c.RateSignIn, c.RateSignUp, c.RateReset, c.RateAPI, c.RateRegister, c.RateGuest, c.RateRecipient = one, one, one, one, one, one, one
			c.RateQuestion, c.RateVote, c.RateMinutes, c.RateComment, c.RateMark = one, one, one, one, one
		})
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		_, workshop, _ := demoOnline(t, db)
		qs, _ := qaSession(t, d, forums.QAOpen)
		asked, err := d.app.QA.Ask(ctx, qa.Who{AccountID: d.user("asked@example.org", false).ID, Name: "A"}, qs.ID, qa.AskInput{Body: "¿Sí?"})
		if err != nil {
			t.Fatal(err)
		}
		questions := fmt.Sprintf("/sessions/%d/questions", qs.ID)
		var draft, comment int64
		if err := db.NewSelect().Table("draft_comments").Column("draft_id", "id").Where("parent_id IS NULL").OrderExpr("id").Limit(1).Scan(ctx, &draft, &comment); err != nil {
			t.Fatal(err)
		}
		regForm := url.Values{"mode": {"in_person"}, "stakeholder_group": {"academia"}, "role": {"participant"},
			"privacy": {privacy.Version}, fmt.Sprintf("answers.%d", q.ID): {"2"}}
		guestForm := func(email string) url.Values {
			f := url.Values{"name": {"Invitada"}, "email": {email}}
			for k, v := range regForm {
				f[k] = v
			}
			return f
		}
		// A guest confirmed at the online forum, and one still to confirm, by their links.
		online, _, _ := demoOnline(t, db)
		guest := func(email string, confirm bool) string {
			f := registration.Form{Name: "Invitada", Email: email, Mode: registration.ModeOnline, Group: "academia", Role: "participant",
				PrivacyVersion: privacy.Version}
			_, token, err := d.app.Registration.Register(ctx, online.ID, registration.Owner{Language: "es"}, f)
			if err != nil {
				t.Fatal(err)
			}
			if confirm {
				if _, err := d.app.Registration.ConfirmGuest(ctx, token); err != nil {
					t.Fatal(err)
				}
			}
			return "/registrations/guest/" + token
		}
		member := func(email string) (accounts.Account, string) {
			a := d.user(email, false)
			r, _, err := d.app.Registration.Register(ctx, online.ID, registration.Owner{AccountID: a.ID, Name: a.Name, Email: a.Email, Language: "es"},
				registration.Form{Mode: registration.ModeOnline, Group: "academia", Role: "participant", PrivacyVersion: privacy.Version})
			if err != nil {
				t.Fatal(err)
			}
			return a, fmt.Sprint(r.ID)
		}
		rows := []struct {
			route, method, path string
			who                 string // an account's address, or "" for a visitor
			form                url.Values
			json                string
			onForm              bool // refused on its form, with the wait
		}{
			{route: "/signup", path: "/signup", form: url.Values{"email": {"a@example.org"}}, onForm: true},
			{route: "/verify/:token", path: "/verify/x"},
			{route: "/verify", path: "/verify", form: url.Values{"email": {"a@example.org"}}, onForm: true},
			{route: "/signin", path: "/signin", form: url.Values{"email": {"a@example.org"}, "password": {"wrong"}}, onForm: true},
			{route: "/reset", path: "/reset", form: url.Values{"email": {"a@example.org"}}, onForm: true},
			{route: "/reset/:token", path: "/reset/x", form: url.Values{"password": {"x"}}, onForm: true},
			{route: "/profile/password", path: "/profile/password", who: "pw@example.org", form: url.Values{"current_password": {"wrong"}}, onForm: true},
			{route: "/profile/delete", path: "/profile/delete", who: "del@example.org", form: url.Values{"delete_password": {"wrong"}}, onForm: true},
			{route: "/forums/:id/register", path: "/forums/" + hybrid.Slug + "/register", who: "reg@example.org", form: regForm, onForm: true},
			{route: "/forums/:id/register", path: "/forums/" + hybrid.Slug + "/register", form: guestForm("g1@example.org"), onForm: true},
			{route: "/sessions/:id<int>/register", path: fmt.Sprintf("/sessions/%d/register", workshop.ID), who: "ses@example.org"},
			{route: "/registrations/:id<int>/cancel", who: "cancel@example.org", form: url.Values{}},
			{route: "/registrations/:id<int>/mode", who: "mode@example.org", form: url.Values{"mode": {"in_person"}}},
			{route: "/registrations/:id<int>/accept", who: "accept@example.org", form: url.Values{}},
			{route: "/registrations/link", path: "/registrations/link", form: url.Values{"email": {"perdido@example.org"}}, onForm: true},
			{route: "/registrations/guest/:token/confirm", path: guest("confirm@example.org", false) + "/confirm"},
			{route: "/registrations/guest/:token/cancel", path: guest("gcancel@example.org", true) + "/cancel"},
			{route: "/registrations/guest/:token/mode", path: guest("gmode@example.org", true) + "/mode", form: url.Values{"mode": {"online"}}},
			{route: "/registrations/guest/:token/accept", path: guest("gaccept@example.org", true) + "/accept"},
			{route: "/registrations/guest/:token/erase", path: guest("gerase@example.org", true) + "/erase", form: url.Values{}},
			{route: "/registrations/guest/:token/sessions/:sid<int>", path: guest("gses@example.org", true) + fmt.Sprintf("/sessions/%d", workshop.ID)},
			{route: "/api/v1/forums/:id/registrations", method: "POST", path: fmt.Sprintf("/api/v1/forums/%d/registrations", online.ID), who: "api@example.org",
				json: `{"mode":"online","stakeholder_group":"academia","role":"participant","privacy_version":"` + privacy.Version + `"}`},
			{route: "/sessions/:id<int>/questions", path: questions, who: "asker@example.org", form: url.Values{"body": {"¿Una?"}}, onForm: true},
			{route: "/sessions/:id<int>/questions/:qid<int>/:action", path: fmt.Sprintf("%s/%d/vote", questions, asked.ID), who: "voter@example.org"},
			{route: "/sessions/:id<int>/questions/settings", path: questions + "/settings", who: "settings@example.org",
				form: url.Values{"who_asks": {"members"}}},
			{route: "/sessions/:id<int>/minutes/edit", path: fmt.Sprintf("/sessions/%d/minutes/edit", qs.ID), who: "minutes@example.org",
				form: url.Values{"summary": {"x"}}},
			{route: "/sessions/:id<int>/minutes/publish", path: fmt.Sprintf("/sessions/%d/minutes/publish", qs.ID), who: "publish@example.org"},
			{route: "/sessions/:id<int>/minutes/send-back", path: fmt.Sprintf("/sessions/%d/minutes/send-back", qs.ID), who: "back@example.org"},
			{route: "/sessions/:id<int>/minutes/proposals", path: fmt.Sprintf("/sessions/%d/minutes/proposals", qs.ID), who: "propose@example.org"},
			{route: "/sessions/:id<int>/minutes/proposals/:pid<int>", path: fmt.Sprintf("/sessions/%d/minutes/proposals/1", qs.ID),
				who: "answer@example.org"},
			{route: "/drafts/:id<int>/comments", path: fmt.Sprintf("/drafts/%d/comments", draft), who: "commenter@example.org",
				form: url.Values{"version": {"2"}, "paragraph": {"1"}, "body": {"Un comentario."}, "group": {"academia"}}, onForm: true},
			{route: "/drafts/:id<int>/marks", path: fmt.Sprintf("/drafts/%d/marks", draft), who: "marker@example.org",
				form: url.Values{"version": {"2"}, "paragraph": {"1"}, "mark": {"agree"}, "mark_group": {"academia"}}},
			{route: "/drafts/:id<int>/submissions", path: fmt.Sprintf("/drafts/%d/submissions", draft), who: "submitter@example.org",
				form: url.Values{"organisation": {"Cámara"}, "group": {"legislature"}, "signatory_role": {"Diputada"}}, onForm: true},
			{route: "/submissions/:id<int>/points", path: "/submissions/1/points", who: "pointer@example.org", form: url.Values{"paragraph": {"1"}, "body": {"x"}}},
			{route: "/comments/:id<int>/:action", path: fmt.Sprintf("/comments/%d/flag", comment), who: "flagger@example.org"},
			{route: "/inputs/:ref/disposition", path: "/inputs/ENCS2017-0001/disposition", who: "dispose@example.org"},
			{route: "/invitations/:token/accept", path: "/invitations/x/accept", who: "invited@example.org"},
			{route: "/invitations/:token/decline", path: "/invitations/x/decline"},
			{route: "/api/v1/processes", method: "POST", path: "/api/v1/processes", who: "apiadmin@example.org", json: `{}`},
		}
		limited := map[string]bool{}
		for i, row := range rows {
			limited[row.route] = true
			t.Run(fmt.Sprintf("%s %s", row.route, row.who), func(t *testing.T) {
				c := d.client().from(fmt.Sprintf("127.0.0.%d", 10+i))
				path := row.path
				if row.who != "" {
					a, id := member(row.who)
					c.signedIn(a.Email)
					if path == "" {
						path = strings.Replace(row.route, ":id<int>", id, 1)
					}
					if row.json != "" {
						tok, _, err := d.accounts.CreateAPIToken(ctx, a.ID, "test")
						if err != nil {
							t.Fatal(err)
						}
						c.token = tok
					}
				}
				send := func() *response {
					if row.json != "" {
						return c.api(row.method, path, row.json)
					}
					return c.post(path, row.form)
				}
				if r := send(); r.status == http.StatusTooManyRequests {
					t.Fatalf("the first request was refused: %s", excerpt(r.body))
				}
				before := []int{d.count("registrations"), d.count("outbox"), d.count("audit_log"), d.count("logins"), d.count("accounts")}
				r := send()
				if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
					t.Fatalf("the second request: status %d, Retry-After %q, want 429 with the wait: %s", r.status, r.header.Get("Retry-After"), excerpt(r.body))
				}
				if row.onForm && !strings.Contains(r.body, "Podrás enviar este formulario de nuevo en") {
					t.Fatalf("the refusal is not on the form: %s", excerpt(r.body))
				}
				after := []int{d.count("registrations"), d.count("outbox"), d.count("audit_log"), d.count("logins"), d.count("accounts")}
				if fmt.Sprint(before) != fmt.Sprint(after) {
					t.Fatalf("the refused request wrote: %v, then %v", before, after)
				}
			})
		}

		// The mail a guest registration sends is limited per address typed, whoever asks.
		t.Run("one mailbox, asked for from two addresses", func(t *testing.T) {
			path := "/forums/" + hybrid.Slug + "/register"
			if r := d.client().from("127.0.0.200").post(path, guestForm("Flood@example.org")); r.status != http.StatusOK {
				t.Fatalf("first: %d %s", r.status, excerpt(r.body))
			}
			r := d.client().from("127.0.0.201").post(path, guestForm("flood@example.org"))
			if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Podrás enviar este formulario de nuevo en") {
				t.Fatalf("the same mailbox from another address: %d %s", r.status, excerpt(r.body))
			}
		})

		// Every write route is limited above, or here with the reason it is not.
		unlimited := map[string]string{
			"/language":                     "the language of a signed-in account: no mail, no cost",
			"/signout":                      "ends the caller's own login",
			"/profile/":                     "the caller's own name and language",
			"/profile/tokens":               "the caller's own tokens",
			"/profile/tokens/:id/revoke":    "the caller's own tokens",
			"/profile/logins/:id/end":       "the caller's own logins",
			"/registrations/calendar/reset": "the caller's own feed address",
		}
		for _, rt := range d.srv.App.GetRoutes(true) {
			if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
				continue
			}
			switch {
			case limited[rt.Path], unlimited[rt.Path] != "":
			case strings.HasPrefix(rt.Path, "/admin/"):
				// organisers and admins at work: authorised per object, audited
			case strings.HasPrefix(rt.Path, "/api/v1/"):
				// every API write is limited per address (write) or per account (registering)
			default:
				t.Errorf("%s %s is neither limited in this table nor listed as unlimited", rt.Method, rt.Path)
			}
		}
	})
}
