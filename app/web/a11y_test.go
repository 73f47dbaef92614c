//go:build !race

// Browser tests drive the real server through Chromium; they run in make test's plain pass, not
// under -race, which would multiply the server's CPU per page tenfold and find nothing the HTTP
// tests, which do run under -race against the same handlers, do not.

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// axeSource is the pinned axe-core that make test fetches into .cache/axe (.ci/ensure-axe), or
// the file CONVENE_TEST_AXE names.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CONVENE_TEST_AXE")
	if path == "" {
		path = filepath.Join("..", "..", ".cache", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("axe-core not found (%v): run .ci/ensure-axe, or make test, which runs it", err)
	}
	return string(b)
}

// axeRun runs axe on the page for WCAG 2.0, 2.1 and 2.2 at levels A and AA and returns the
// violations, one line each: rule, impact and the first nodes it found.
// Only violations are gathered: passes and inapplicable rules, which the check never reads, were
// most of axe's work on a page.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, resultTypes: ["violations"]})
  .then(r => r.violations.map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")))`

// pageWidth is how wide the page is, to compare with the viewport: nothing may scroll sideways.
const pageWidth = `Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)`

// TestAccessibilityEveryPage visits every page as each kind of visitor, in Spanish and English,
// at a phone's width (390 px) and a laptop's (1366 px): axe finds no WCAG 2.2 AA violation and
// no page is wider than the window.
func TestAccessibilityEveryPage(t *testing.T) {
	t.Parallel()
	db := storetest.OpenFrom(t, storetest.Postgres, demo)
	s := newSite(t, db)
	ctx := context.Background()
	s.onDemo()
	var topicID int64
	if err := db.NewSelect().Table("topics").Column("id").Where("code = 'O1'").Scan(ctx, &topicID); err != nil {
		t.Fatal(err)
	}
	var processID int64
	if err := db.NewSelect().Table("processes").Column("id").Where("slug = 'encs-2017'").Scan(ctx, &processID); err != nil {
		t.Fatal(err)
	}
	var sessionID, forumID int64
	if err := db.NewSelect().Table("forums").Column("id").Where("slug = 'foro-cdmx'").Scan(ctx, &forumID); err != nil {
		t.Fatal(err)
	}
	if err := db.NewSelect().Table("sessions").Column("id").Where("CAST(title AS TEXT) LIKE '%Panel: sociedad%'").Scan(ctx, &sessionID); err != nil {
		t.Fatal(err)
	}
	// The pages a mailed link opens: confirm an address, choose a new password.
	if err := s.accounts.SignUp(ctx, accounts.SignUpInput{Email: "nueva@example.org", Name: "Nueva", Password: "a long passphrase",
		PasswordConfirm: "a long passphrase", Language: "es", AcceptPrivacy: true}); err != nil {
		t.Fatal(err)
	}
	verifyLink := mailedLink(t, s, "nueva@example.org")
	s.user("olvido@example.org", false)
	if err := s.accounts.RequestPasswordReset(ctx, "olvido@example.org"); err != nil {
		t.Fatal(err)
	}
	resetLink := mailedLink(t, s, "olvido@example.org")
	// A guest's page, reached by the link mailed to them.
	hybridForm := registration.Form{Name: "Invitada", Email: "invitada@example.org", Mode: registration.ModeOnline, Group: "academia",
		Role: "participant", PrivacyVersion: privacy.Version}
	var hybridID int64
	if err := db.NewSelect().Table("forums").Column("id").Where("slug = 'sesion-hibrida-infraestructuras'").Scan(ctx, &hybridID); err != nil {
		t.Fatal(err)
	}
	qs, err := registration.Questions(ctx, db.DB, hybridID)
	if err != nil || len(qs) == 0 {
		t.Fatalf("the demo's question: %v", err)
	}
	hybridForm.Answers = map[int64][]string{qs[0].ID: {"0"}}
	_, guestToken, err := s.app.Registration.Register(ctx, hybridID, registration.Owner{Language: "es"}, hybridForm)
	if err != nil {
		t.Fatal(err)
	}
	guestLink := "/registrations/guest/" + guestToken
	hybridForm.Email = "invitado@example.org"
	_, seatedToken, err := s.app.Registration.Register(ctx, hybridID, registration.Owner{Language: "es"}, hybridForm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.Registration.ConfirmGuest(ctx, seatedToken); err != nil {
		t.Fatal(err)
	}
	seatedLink := "/registrations/guest/" + seatedToken
	if err := (access.Invitations{Notifier: s.app.Outbox, BaseURL: s.base}).Invite(ctx, db.DB, s.clock.Now(), audit.Actor{},
		access.InviteInput{Email: "invitada@example.org", Role: access.Moderator, ProcessID: processID, SessionID: sessionID, Languages: []string{"es", "en"}}); err != nil {
		t.Fatal(err)
	}
	invitation := invitationLink(t, s, "invitada@example.org")
	var igfSession int64
	if err := db.NewSelect().Table("sessions").Column("id").Where("forum_id = (SELECT id FROM forums WHERE slug = 'igf-2017-open-forum')").
		Limit(1).Scan(ctx, &igfSession); err != nil {
		t.Fatal(err)
	}
	var draftID int64
	if err := db.NewSelect().Table("drafts").Column("id").Limit(1).Scan(ctx, &draftID); err != nil {
		t.Fatal(err)
	}
	draft := fmt.Sprintf("/drafts/%d", draftID)
	axe := axeSource(t)
	// A page is a path, or "submit PATH FORM [with NAME=VALUE ...]": the page at PATH with its
	// form sent as it stands or filled in (a form showing its errors, the page that follows it,
	// or the confirmation page an action asks on).
	public := []string{"/", "/processes/encs-2017", "/forums/foro-cdmx", "/forums/consulta-en-linea", "/forums/igf-2017-open-forum",
		fmt.Sprintf("/sessions/%d", sessionID), "/forums/foro-cdmx/changes", "/forums/foro-cdmx?topic=O1", "/signin", "/signup", "/reset", "/verify", "/privacy", "/no/such/page",
		verifyLink, resetLink, "submit /signup main form", "submit /signin main form",
		"submit /reset main form with email=olvido@example.org", "submit /registrations/link main form with email=olvido@",
		"/registrations/guest/perdido.enlace", "/forums/sesion-hibrida-infraestructuras/register",
		"submit /forums/sesion-hibrida-infraestructuras/register main form", guestLink, seatedLink, seatedLink + "/badge",
		"submit " + seatedLink + ` form[action$="/erase"]`, invitation,
		fmt.Sprintf("/sessions/%d/questions", sessionID), fmt.Sprintf("/sessions/%d/questions/present", sessionID),
		fmt.Sprintf("/sessions/%d/questions", igfSession), fmt.Sprintf("/sessions/%d/minutes", igfSession), "/inputs/ENCS2017-0005",
		"/processes/encs-2017/inputs", "/processes/encs-2017/inputs?q=civil&topic=E3", "/processes/encs-2017/inputs?standing=lost",
		"/processes/encs-2017/open-data", "/processes/encs-2017/dashboard", "/processes/encs-2017/report"}
	roles := []struct {
		name  string
		pages []string
	}{
		// A visitor's pages, in two tabs: in one, they take longer than any other role's.
		{"anonymous", public[:14]}, {"anonymous-forms", public[14:]},
		{"member", []string{"/", "/profile/", "/profile/advanced", "/forums/foro-cdmx/register", "/registrations",
			"/forums/sesion-hibrida-infraestructuras/register", `submit /registrations form[action$="/cancel"]`, invitation,
			fmt.Sprintf("submit /sessions/%d/questions form.ask with body=", sessionID),
			fmt.Sprintf("submit /sessions/%d/questions form.ask with body=¿Cómo?", sessionID)}},
		{"organiser", []string{"/profile/", "/admin/", "/admin/processes/encs-2017", "/admin/processes/encs-2017/topics",
			"/admin/processes/encs-2017/questions", "submit /admin/processes/encs-2017/questions main form with words=" + strings.Repeat("x", 101),
			fmt.Sprintf("/admin/processes/encs-2017/topics/%d", topicID), "/admin/processes/encs-2017/forums",
			"/admin/processes/encs-2017/forums/new", fmt.Sprintf("/admin/forums/%d", forumID),
			fmt.Sprintf("/admin/forums/%d/sessions/new", forumID), fmt.Sprintf("/admin/forums/%d/sessions/%d", forumID, sessionID),
			"submit /admin/processes/encs-2017/forums/new main form",
			fmt.Sprintf("submit /admin/forums/%d/sessions/new main form with title.es= speakers.0.country=XX", forumID),
			fmt.Sprintf(`submit /admin/forums/%d form[action$="/cancel"]`, forumID)}},
		// The organiser's minutes, in a tab of their own: in one with the pages above, the walk
		// took longer than any other.
		{"organiser-minutes", []string{fmt.Sprintf("/sessions/%d/minutes/edit", sessionID), fmt.Sprintf("submit /sessions/%d/minutes/edit main form with inputs.0.kind=x inputs.0.body=y", sessionID),
			fmt.Sprintf("/sessions/%d/minutes/edit", igfSession), "/inputs/ENCS2017-0001", "/admin/processes/encs-2017/minutes"}},
		// The consultation on the draft, as its organiser (who moderates too) sees and uses it.
		{"organiser-draft", []string{draft, draft + "?version=1", draft + "/paragraphs/14", "submit " + draft + "/paragraphs/14 form.comment-form with body=",
			draft + "/paragraphs/0", draft + "/diff?from=1&to=2", draft + "/moderate", "/admin/processes/encs-2017/drafts",
			"submit /admin/processes/encs-2017/drafts main form", "/admin/drafts/" + fmt.Sprint(draftID),
			draft + "/submissions", draft + "/submissions/new", "submit " + draft + "/submissions/new main form", "/submissions/1", "/inputs/ENCS2017-0006"}},
		// The organiser's pages, in two tabs: one tab's pages in order take longer than any other.
		{"organiser-forums", []string{fmt.Sprintf("/admin/forums/%d/registration", forumID), fmt.Sprintf("/admin/forums/%d/registrants", forumID),
			fmt.Sprintf("/admin/forums/%d/checkin?q=a", forumID), fmt.Sprintf("submit /admin/forums/%d/checkin main form", forumID),
			fmt.Sprintf(`submit /admin/forums/%d/checkin form[action$="/walk-in"]`, forumID),
			fmt.Sprintf("submit /admin/forums/%d/registration main form with capacity_in_person=0", forumID),
			fmt.Sprintf("/admin/forums/%d/registrants/message", forumID), fmt.Sprintf("/sessions/%d/questions/moderate", sessionID),
			fmt.Sprintf("submit /admin/forums/%d/registrants/message main form with subject=", forumID),
			fmt.Sprintf("submit /admin/forums/%d/registrants/message main form with subject=Aviso body=Hola", forumID)}},
		{"admin", []string{"/admin/", "/admin/accounts", "/admin/accounts?q=example", "/admin/audit?process=encs-2017", "/admin/processes/new", "/admin/processes/encs-2017/people",
			"/processes/encs-2017", "submit /admin/processes/new main form",
			`submit /admin/processes/encs-2017/topics #topic-E5 form[action$="/delete"]`, `submit /admin/accounts form[action$="/admin"]`,
			`submit /admin/processes/encs-2017/topics form[action$="/topics"]`, `submit /admin/processes/encs-2017/people form[action$="/grants"]`}},
	}
	for _, role := range roles {
		for _, lang := range []string{"es", "en"} {
			t.Run(role.name+"/"+lang, func(t *testing.T) {
				t.Parallel() // a tab each: the browser's processes use the cores the Go side waits with
				// Some 25 pages at two widths, each checked by axe: on a loaded 2-core machine that is
				// minutes, not the 90 seconds of a journey.
				tb := tabFor(t, 6*time.Minute)
				if strings.HasPrefix(role.name, "anonymous") {
					if err := chromedp.Do(tb, chromedp.Navigate(s.base+"/language/"+lang+"?next=/"), waitLang(lang)); err != nil {
						t.Fatal(err)
					}
				} else {
					email := role.name + "-" + lang + "@example.org"
					a, err := s.accounts.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: email, Name: "Persona " + role.name,
						Password: "correct horse battery", Admin: role.name == "admin", Language: lang})
					if err != nil {
						t.Fatal(err)
					}
					if role.name == "member" {
						// Registrations to show: one waiting for approval, one confirmed.
						owner := registration.Owner{AccountID: a.ID, Name: a.Name, Email: a.Email, Language: lang}
						for id, f := range map[int64]registration.Form{forumID: {Mode: registration.ModeInPerson, Group: "academia", Role: "expert",
							PrivacyVersion: privacy.Version}, hybridID: {Mode: registration.ModeInPerson, Group: "academia", Role: "participant",
							PrivacyVersion: privacy.Version, Answers: hybridForm.Answers}} {
							if _, _, err := s.app.Registration.Register(ctx, id, owner, f); err != nil {
								t.Fatal(err)
							}
						}
					}
					if strings.HasPrefix(role.name, "organiser") {
						if err := s.app.Access.Grant(ctx, audit.Actor{}, a.ID, access.Organiser, processID, 0); err != nil {
							t.Fatal(err)
						}
					}
					if err := chromedp.Do(tb, chromedp.Navigate(s.base+"/signin"),
						chromedp.SetValue(chromedp.ID("f-email"), email), chromedp.SetValue(chromedp.ID("f-password"), "correct horse battery"),
						chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)), waitLang(lang),
						waitJS("signed in", `document.querySelector('form[action="/signout"]') !== null`)); err != nil {
						t.Fatal(err)
					}
				}
				// axe is in every page the tab opens, from the start, rather than sent over the
				// protocol to each page again.
				if _, err := chromedp.Call(tb, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: axe}); err != nil {
					t.Fatalf("loading axe: %v", err)
				}
				// Each page is opened once, at a phone's width, then checked at both: the layout
				// follows the window's width without a reload.
				for _, p := range role.pages {
					if err := chromedp.Do(tb, chromedp.EmulateViewport(390, 844)); err != nil {
						t.Fatal(err)
					}
					if err := visit(tb, s.base, p, lang); err != nil {
						t.Fatalf("%s: %v", p, err)
					}
					for _, width := range []int64{390, 1366} {
						if width != 390 {
							if err := chromedp.Do(tb, chromedp.EmulateViewport(width, 844)); err != nil {
								t.Fatal(err)
							}
						}
						violations, err := chromedp.Run(tb, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
						if err != nil {
							t.Fatalf("running axe on %s: %v", p, err)
						}
						for _, v := range violations {
							t.Errorf("%s at %d px: %s", p, width, v)
						}
						if dir := os.Getenv("CONVENE_TEST_SCREENSHOTS"); dir != "" {
							shot(t, tb, filepath.Join(dir, fmt.Sprintf("%s-%s-%d%s.png", role.name, lang, width,
								strings.NewReplacer("/", "_", "?", "_").Replace(p))))
						}
						w, err := chromedp.Run(tb, chromedp.Evaluate[int64](pageWidth))
						if err != nil {
							t.Fatal(err)
						}
						if w > width {
							wide, _ := chromedp.Run(tb, chromedp.Evaluate[[]string](widest))
							b, _ := json.Marshal(wide)
							t.Errorf("%s at %d px is %d px wide: %s", p, width, w, strings.TrimSpace(string(b)))
						}
					}
				}
			})
		}
	}
}

// visit opens a page of the walk: a path, or "submit PATH FORM" (see TestAccessibilityEveryPage).
func visit(tb context.Context, base, page, lang string) error {
	path, rest, isForm := strings.Cut(strings.TrimPrefix(page, "submit "), " ")
	if !strings.HasPrefix(page, "submit ") || !isForm {
		return chromedp.Do(tb, chromedp.Navigate(base+page), waitLang(lang))
	}
	form, fill, _ := strings.Cut(rest, " with ")
	sel, _ := json.Marshal(form)
	values := map[string]string{}
	for _, kv := range strings.Fields(fill) {
		k, v, _ := strings.Cut(kv, "=")
		values[k] = v
	}
	vals, _ := json.Marshal(values)
	if err := chromedp.Do(tb, chromedp.Navigate(base+path), waitLang(lang)); err != nil {
		return err
	}
	if _, err := chromedp.Run(tb, chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const f = document.querySelector(%s);
		for (const [k, v] of Object.entries(%s)) { f.elements[k].value = v; }
		window.beforeSubmit = true; f.submit(); return true })()`, sel, vals))); err != nil {
		return fmt.Errorf("sending the form: %w", err)
	}
	if err := chromedp.Do(tb, waitJS("the answer to the form", `window.beforeSubmit === undefined && document.readyState === "complete"`), waitLang(lang)); err != nil {
		return err
	}
	// The form's answer, not an error page (a refused CSRF token, a failed action).
	errorPage, err := chromedp.Run(tb, chromedp.Evaluate[bool](`document.querySelector(".error-page") !== null`))
	if err == nil && errorPage {
		text, _ := chromedp.Run(tb, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		return fmt.Errorf("the form led to an error page: %s", text)
	}
	return err
}

// shot saves what the tab shows, whole page, as a PNG, for a person to look at
// (CONVENE_TEST_SCREENSHOTS=dir).
func shot(t *testing.T, tb context.Context, path string) {
	img, err := chromedp.Run(tb, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("no screenshot of %s: %v", path, err)
		return
	}
	if err := os.WriteFile(path, img, 0o644); err != nil {
		t.Logf("saving %s: %v", path, err)
	}
}

// widest names the elements that stick out of the window, for the failure message.
const widest = `Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "") + " " + Math.round(e.getBoundingClientRect().right))`
