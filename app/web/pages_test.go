package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

// TestPageBasics: responses are compressed, the favicon is there, pages carry a description
// and a link preview, a flash shows once, and a form with errors says so in the title.
func TestPageBasics(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.Open(t, storetest.SQLite))
	c := s.client()
	r := c.do(http.MethodGet, "/signin", nil, map[string]string{"Accept-Encoding": "gzip"})
	if r.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("HTML not compressed: %v", r.header)
	}
	if r := c.get("/favicon.ico"); r.status != http.StatusMovedPermanently || !strings.HasSuffix(r.header.Get("Location"), "/favicon.svg") {
		t.Errorf("favicon: %d %s", r.status, r.header.Get("Location"))
	}
	home := c.get("/")
	for _, want := range []string{`<meta name="description" content="`, `<meta property="og:title"`, `rel="icon"`} {
		if !strings.Contains(home.body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	bad := c.post("/signin", url.Values{"email": {""}, "password": {""}})
	if !strings.Contains(bad.body, "<title>Error:") {
		t.Errorf("a form with errors does not say so in the title: %s", excerpt(bad.body))
	}
	// A flash shows on the next page only, and its cookie is cleared where it was set.
	m := s.as("member")
	r = m.post("/profile/", url.Values{"name": {"Nueva"}, "language": {"es"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("profile: %d", r.status)
	}
	if first := m.get("/profile/"); !strings.Contains(first.body, `class="notice"`) {
		t.Fatal("the flash did not show")
	}
	if again := m.get("/"); strings.Contains(again.body, `class="notice"`) {
		t.Fatal("the flash showed twice")
	}
}

// TestPrivacyNotice: the notice is a page of its own in both languages, with its version,
// linked from every page's footer and from sign-up; an account keeps the version it accepted.
func TestPrivacyNotice(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		c := s.client()
		// It says what registration collects, which of it is sensitive, and how long guests' data stays.
		for lang, want := range map[string][]string{"es": {"<h1>Aviso de privacidad</h1>", "necesidades de accesibilidad", "datos sensibles",
			"se anonimizan 90 días después de que termina el foro"}, "en": {"<h1>Privacy notice</h1>", "accessibility needs", "sensitive",
			"anonymised 90 days after the forum ends"}} {
			r := c.do(http.MethodGet, "/privacy", nil, map[string]string{"Accept-Language": lang})
			if r.status != http.StatusOK || !strings.Contains(r.body, privacy.Version) {
				t.Fatalf("%s notice: %d %s", lang, r.status, excerpt(r.body))
			}
			for _, w := range want {
				if !strings.Contains(r.body, w) {
					t.Errorf("the %s notice lacks %q", lang, w)
				}
			}
		}
		// Each public process names who is responsible for its data and how to reach them.
		d := newDemoSite(t, db)
		if r := d.client().get("/privacy"); !strings.Contains(r.body, "Responsables por proceso") ||
			!strings.Contains(r.body, "Estrategia Nacional de Ciberseguridad 2017: escribe a quienes administran el sitio") {
			t.Errorf("the notice names no one responsible per process: %s", excerpt(r.body))
		}
		if r := c.get("/signup"); !strings.Contains(r.body, `href="/privacy"`) || !strings.Contains(r.body, `name="privacy" value="`+privacy.Version+`"`) {
			t.Fatal("sign-up neither links the notice nor asks to accept it")
		}
		r := c.post("/signup", url.Values{"name": {"Ana"}, "email": {"ana@example.org"}, "password": {"a long passphrase"},
			"password_confirm": {"a long passphrase"}, "language": {"es"}, "privacy": {privacy.Version}})
		if r.status != http.StatusOK {
			t.Fatalf("sign-up: %d", r.status)
		}
		a, err := accounts.ByEmail(context.Background(), db.DB, "ana@example.org")
		if err != nil || a.PrivacyVersion != privacy.Version || a.PrivacyAcceptedAt == nil {
			t.Fatalf("account %+v (%v)", a, err)
		}
	})
}

// TestConfirmationPages: without JavaScript, a destructive or privilege action first shows a
// page of its own that says what will happen, and changes nothing until that page's button.
func TestConfirmationPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		s := newSite(t, db)
		ctx := context.Background()
		s.onDemo()
		admin := s.as("admin")
		other := s.user("luis@example.org", false)
		_, othersToken, err := s.accounts.CreateAPIToken(ctx, other.ID, "luis")
		if err != nil {
			t.Fatal(err)
		}
		var topicID int64
		if err := db.NewSelect().Table("topics").Column("id").Where("code = 'E5'").Scan(ctx, &topicID); err != nil {
			t.Fatal(err)
		}
		deleteTopic := fmt.Sprintf("/admin/processes/encs-2017/topics/%d/delete", topicID)
		runAll(t, []scenario{
			{name: "delete a topic: asks first", as: admin, method: "POST", url: deleteTopic, form: url.Values{},
				status: http.StatusOK, contains: []string{"E5", `name="confirm" value="yes"`, "no se puede deshacer"}, after: s.unchanged("topics")},
			{name: "delete a topic: confirmed", as: admin, method: "POST", url: deleteTopic, form: url.Values{"confirm": {"yes"}},
				status: http.StatusSeeOther},
			{name: "make an admin: asks first", as: admin, method: "POST", url: fmt.Sprintf("/admin/accounts/%d/admin", other.ID),
				form: url.Values{"admin": {"true"}}, status: http.StatusOK, contains: []string{"luis@example.org", `name="admin" value="true"`},
				after: func(t *testing.T, r *response) {
					if a, _ := accounts.ByID(ctx, db.DB, other.ID); a.IsAdmin {
						t.Fatal("made admin without confirmation")
					}
				}},
			{name: "make an admin: confirmed", as: admin, method: "POST", url: fmt.Sprintf("/admin/accounts/%d/admin", other.ID),
				form: url.Values{"admin": {"true"}, "confirm": {"yes"}}, status: http.StatusSeeOther,
				after: func(t *testing.T, r *response) {
					if a, _ := accounts.ByID(ctx, db.DB, other.ID); !a.IsAdmin {
						t.Fatal("not made admin after confirmation")
					}
				}},
			{name: "revoke someone else's token: not found, no page", as: admin, method: "POST",
				url: fmt.Sprintf("/profile/tokens/%d/revoke", othersToken.ID), form: url.Values{"confirm": {"yes"}}, status: http.StatusNotFound,
				after: func(t *testing.T, r *response) {
					if tok, err := accounts.APITokenOf(ctx, db.DB, other.ID, othersToken.ID); err != nil || tok.RevokedAt != nil {
						t.Fatalf("the other person's token was touched: %+v %v", tok, err)
					}
				}},
		})
	})
}

// TestFieldErrorsNameTheirField: every field error says which field and what to do, in the
// page's language, on forms and in the API alike.
func TestFieldErrorsNameTheirField(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.Open(t, storetest.SQLite))
	es, en := s.client(), s.client()
	en.get("/language/en")
	long := strings.Repeat("x", 201)
	runAll(t, []scenario{
		{name: "required, es", as: es, method: "POST", url: "/signup", form: url.Values{"email": {"a@example.org"}}, status: 422,
			contains: []string{"Escribe tu nombre completo.", "Escribe una contraseña.", "Error:"}, absent: []string{"Completa este campo."}},
		{name: "required, en", as: en, method: "POST", url: "/signup", form: url.Values{"email": {"a@example.org"}}, status: 422,
			contains: []string{"Enter your full name.", "Enter a password."}},
		{name: "too long names the field, es", as: es, method: "POST", url: "/signup", form: url.Values{"name": {long}}, status: 422,
			contains: []string{"«Nombre completo» admite como máximo 200 caracteres"}},
		{name: "too long names the field, en", as: en, method: "POST", url: "/signup", form: url.Values{"name": {long}}, status: 422,
			contains: []string{"“Full name” takes at most 200 characters"}},
	})
	api := s.client()
	api.token = func() string {
		tok, _, err := s.accounts.CreateAPIToken(context.Background(), s.user("api@example.org", true).ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}()
	r := api.api(http.MethodPost, "/api/v1/processes", `{"slug":"x","code":"X1","time_zone":"UTC","languages":["es","en"],"stakeholder_groups":["academia"],"status":"open","title":{"en":"T"}}`)
	if r.status != 422 || !strings.Contains(r.body, `"field":"title.es"`) || !strings.Contains(r.body, "Escribe el título en español.") {
		t.Fatalf("API field error: %d %s", r.status, r.body)
	}
}

// TestProfileForCitizens: signed-in browsers are named as people know them, with how long ago
// they were used; dates are written out in the reader's language and zone; the time zone is
// picked from a list of cities.
func TestProfileForCitizens(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.Open(t, storetest.SQLite))
	a := s.user("ana@example.org", false)
	c := s.client()
	f := url.Values{"email": {a.Email}, "password": {"correct horse battery"}, "_csrf": {c.csrf()}}
	r := c.do(http.MethodPost, "/signin", strings.NewReader(f.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded",
		"User-Agent":   "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", r.status)
	}
	page := c.get("/profile/").body
	for _, want := range []string{"Chrome en Windows", "ahora mismo", `<option value="America/Mexico_City"`, "Ciudad de México (UTC"} {
		if !strings.Contains(page, want) {
			t.Errorf("the profile lacks %q", want)
		}
	}
	if strings.Contains(page, "Mozilla/5.0") {
		t.Error("the profile shows a raw user-agent string")
	}
	if r := c.post("/profile/", url.Values{"name": {"Ana"}, "language": {"es"}, "time_zone": {"America/Mexico_City"}}); r.status != http.StatusSeeOther {
		t.Fatalf("choosing a zone: %d %s", r.status, excerpt(r.body))
	}
	page = c.get("/profile/").body
	month := []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}[s.clock.Now().In(mexico(t)).Month()-1]
	if !strings.Contains(page, " de "+month+" de ") || !strings.Contains(page, "(hora de Ciudad de México)") {
		t.Errorf("dates are not written out in Spanish and Mexico City time: %s", excerpt(page))
	}
}

func mexico(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestSpanishAdminStaysSpanish: the admin serve creates speaks the instance's language, so
// signing in from an English browser does not switch a Spanish organiser to English.
func TestSpanishAdminStaysSpanish(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.Open(t, storetest.SQLite))
	created, email, password, err := s.accounts.EnsureAdmin(context.Background())
	if err != nil || !created {
		t.Fatalf("EnsureAdmin: %v %v", created, err)
	}
	c := s.client()
	f := url.Values{"email": {email}, "password": {password}, "_csrf": {c.csrf()}}
	if r := c.do(http.MethodPost, "/signin", strings.NewReader(f.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en-US,en"}); r.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", r.status)
	}
	if r := c.do(http.MethodGet, "/admin/", nil, map[string]string{"Accept-Language": "en-US,en"}); !strings.Contains(r.body, `<html lang="es">`) {
		t.Fatalf("the admin's pages are not in Spanish: %s", excerpt(r.body))
	}
}

// TestFormsKeepWhatWasChosen: a form that comes back with errors keeps every choice (an admin
// who picked Moderator and mistyped the email must not grant Organiser on the second try), and
// its language switch returns to the page the form was on.
func TestFormsKeepWhatWasChosen(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.OpenFrom(t, storetest.SQLite, demo))
	s.onDemo()
	admin := s.as("admin")
	f := url.Values{"grant_email": {"nadie@example.org"}, "grant_role": {"moderator"}, "_csrf": {admin.csrf()}}
	r := admin.do(http.MethodPost, "/admin/processes/encs-2017/grants", strings.NewReader(f.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Referer": s.base + "/admin/processes/encs-2017/people"})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="moderator" selected`) {
		t.Fatalf("the role was not kept: %d %s", r.status, excerpt(r.body))
	}
	if !strings.Contains(r.body, `name="next" value="/admin/processes/encs-2017/people"`) {
		t.Fatalf("the language switch does not return to the form's page: %s", excerpt(r.body))
	}
}

// TestAuditNamesDeletedActors: what a since-deleted person did is not put on the system.
func TestAuditNamesDeletedActors(t *testing.T) {
	t.Parallel()
	s := newSite(t, storetest.OpenFrom(t, storetest.SQLite, demo))
	s.onDemo()
	root := s.as("admin")
	leaver := s.client()
	leaver.signIn(s.user("temporal@example.org", true).Email)
	if r := leaver.post("/admin/processes/encs-2017/topics", url.Values{"kind": {"axis"}, "code": {"E99"}, "title.es": {"Nuevo"}, "title.en": {"New"}}); r.status != http.StatusSeeOther {
		t.Fatalf("adding a topic: %d", r.status)
	}
	if r := leaver.post("/profile/delete", url.Values{"delete_password": {"correct horse battery"}}); r.status != http.StatusSeeOther {
		t.Fatalf("deleting the account: %d %s", r.status, excerpt(r.body))
	}
	page := root.get("/admin/audit").body
	if !strings.Contains(page, "Una cuenta ya borrada añadió E99 a ENCS2017.") || strings.Contains(page, "Convene (automáticamente) añadió E99") {
		t.Fatalf("the audit log: %s", excerpt(page))
	}
}
