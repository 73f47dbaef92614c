package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	ical "github.com/emersion/go-ical"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// regOf reads the registration of account email for forum forumID.
func regOf(t *testing.T, db *storetest.DB, forumID int64, email string) registration.Registration {
	t.Helper()
	var r registration.Registration
	if err := db.NewSelect().Model(&r).Where("forum_id = ? AND email = ?", forumID, email).Scan(context.Background()); err != nil {
		t.Fatalf("the registration of %s: %v", email, err)
	}
	return r
}

// demoOnline is the demo's online consultation, with its session that has places of its own
// and one that has not.
func demoOnline(t *testing.T, db *storetest.DB) (forums.Forum, forums.SessionView, forums.SessionView) {
	t.Helper()
	ctx := context.Background()
	online, err := forums.BySlug(ctx, db.DB, "consulta-en-linea")
	if err != nil {
		t.Fatal(err)
	}
	list, err := forums.Programme(ctx, db.DB, online.ID)
	if err != nil {
		t.Fatal(err)
	}
	var workshop, open forums.SessionView
	for _, sv := range list {
		if sv.Capacity > 0 {
			workshop = sv
		} else {
			open = sv
		}
	}
	if workshop.ID == 0 || open.ID == 0 {
		t.Fatal("the demo's online forum needs a session with places and one without")
	}
	return online, workshop, open
}

// demoHybrid is the demo's hybrid session, and the one question its form asks.
func demoHybrid(t *testing.T, db *storetest.DB) (forums.Forum, registration.Question) {
	t.Helper()
	ctx := context.Background()
	hybrid, err := forums.BySlug(ctx, db.DB, "sesion-hibrida-infraestructuras")
	if err != nil {
		t.Fatal(err)
	}
	qs, err := registration.Questions(ctx, db.DB, hybrid.ID)
	if err != nil || len(qs) != 1 {
		t.Fatalf("the demo's question: %v %v", qs, err)
	}
	return hybrid, qs[0]
}

// TestRegistrationPages: a member registers through the form (every refusal names its field
// and keeps what was typed), gets the invite by mail, changes mode, and cancels; a guest
// registers with name and address and confirms by the mailed link; nobody reaches another's
// registration; organisers approve, check in at the door and download the list, which is
// audited and holds no gender; organisers of other processes, members and the public reach
// none of it.
func TestRegistrationPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		hybrid, q := demoHybrid(t, db)
		answer := fmt.Sprintf("answers.%d", q.ID)
		org, anon := d.organiser("org@example.org"), d.client()
		member := d.as("member")
		other := d.client()
		d.user("otra@example.org", false)
		other.signIn("otra@example.org")
		if _, err := d.app.Processes.Create(ctx, systemActor(), demoProcess("otro-proceso")); err != nil {
			t.Fatal(err)
		}
		var otherProcess int64
		_ = db.NewSelect().Table("processes").Column("id").Where("slug = 'otro-proceso'").Scan(ctx, &otherProcess)
		outsider := d.user("ajeno@example.org", false)
		if err := d.app.Access.Grant(ctx, systemActor(), outsider.ID, "organiser", otherProcess, 0); err != nil {
			t.Fatal(err)
		}
		outsiderC := d.client()
		outsiderC.signIn("ajeno@example.org")
		good := url.Values{"mode": {"in_person"}, "stakeholder_group": {"civil_society"}, "organisation": {"Red ciudadana"},
			"country": {"MX"}, "role": {"participant"}, "languages": {"es", "en"}, "gender": {"woman"},
			"privacy": {privacy.Version}, answer: {"2"}, "accessibility": {"Intérprete de LSM"}}
		without := func(k string) url.Values {
			out := url.Values{}
			for kk, vv := range good {
				if kk != k {
					out[kk] = vv
				}
			}
			return out
		}
		with := func(v url.Values, k, val string) url.Values {
			out := url.Values{}
			for kk, vv := range v {
				out[kk] = vv
			}
			out.Set(k, val)
			return out
		}
		reg := "/forums/sesion-hibrida-infraestructuras/register"
		var mine registration.Registration
		runAll(t, []scenario{
			{name: "the forum offers registration", as: anon, method: "GET", url: "/forums/sesion-hibrida-infraestructuras", status: http.StatusOK,
				contains: []string{"Inscribirme", reg}},
			{name: "the form, to a guest", as: anon, method: "GET", url: reg, status: http.StatusOK,
				contains: []string{`name="name"`, `name="email"`, "¿Tu organización opera o regula una infraestructura crítica?", "En persona, en la sede"}},
			{name: "the form, to a member", as: member, method: "GET", url: reg, status: http.StatusOK,
				contains: []string{`name="stakeholder_group"`, "Sociedad civil"}, absent: []string{`name="email"`}},
			{name: "no consent to the privacy notice", as: member, method: "POST", url: reg, form: without("privacy"),
				status: http.StatusUnprocessableEntity, contains: []string{"Error:", "acepta el aviso de privacidad", `value="Red ciudadana"`},
				unchanged: []string{"registrations", "outbox"}},
			{name: "an old privacy notice", as: member, method: "POST", url: reg, form: with(good, "privacy", "2020-01-01"),
				status: http.StatusUnprocessableEntity, unchanged: []string{"registrations"}},
			{name: "the required question unanswered", as: member, method: "POST", url: reg, form: without(answer),
				status: http.StatusUnprocessableEntity, contains: []string{"f-" + answer}, unchanged: []string{"registrations"}},
			{name: "a group the process does not invite", as: member, method: "POST", url: reg, form: with(good, "stakeholder_group", "pirates"),
				status: http.StatusUnprocessableEntity, contains: []string{"Elige el sector"}, unchanged: []string{"registrations"}},
			{name: "a country that does not exist", as: member, method: "POST", url: reg, form: with(good, "country", "XX"),
				status: http.StatusUnprocessableEntity, unchanged: []string{"registrations"}},
			{name: "registers", as: member, method: "POST", url: reg, form: good, status: http.StatusSeeOther,
				after: func(t *testing.T, r *response) {
					mine = regOf(t, db, hybrid.ID, "member@example.org")
					if mine.Status != registration.StatusConfirmed || mine.Group != "civil_society" || mine.Gender != "woman" ||
						mine.PrivacyVersion != privacy.Version || mine.Answers[q.ID][0] != "2" || r.header.Get("Location") != fmt.Sprintf("/registrations#registration-%d", mine.ID) {
						t.Fatalf("registered: %+v, to %s", mine, r.header.Get("Location"))
					}
					m, err := mail.Latest(ctx, db.DB, "member@example.org")
					if err != nil || !strings.Contains(m.Calendar, "METHOD:REQUEST") || !strings.Contains(m.Text, mine.Code) {
						t.Fatalf("the confirmation: %+v %v", m, err)
					}
					cal, err := ical.NewDecoder(strings.NewReader(m.Calendar)).Decode()
					if err != nil {
						t.Fatalf("the invite does not parse: %v", err)
					}
					ev := cal.Events()
					if len(ev) != 1 || !strings.HasPrefix(ev[0].Props.Get(ical.PropUID).Value, "session-") ||
						!strings.Contains(ev[0].Props.Get(ical.PropAttendee).Value, "member@example.org") {
						t.Fatalf("the invite's event, want the forum's one session: %+v", ev)
					}
				}},
			{name: "registers twice", as: member, method: "POST", url: reg, form: good, status: http.StatusConflict,
				contains: []string{"Ya te inscribiste"}, unchanged: []string{"registrations"}},
			{name: "the form says they are in", as: member, method: "GET", url: reg, status: http.StatusOK,
				contains: []string{"Ya tienes un lugar confirmado"}, absent: []string{`name="stakeholder_group"`}},
		})
		id := fmt.Sprint(mine.ID)
		runAll(t, []scenario{
			{name: "my registrations", as: member, method: "GET", url: "/registrations", status: http.StatusOK,
				contains: []string{"Sesión híbrida: infraestructuras críticas", "Confirmada", mine.Code, "Cambiar a asistencia en línea"}},
			{name: "my registrations, anonymous", as: anon, method: "GET", url: "/registrations", status: http.StatusSeeOther},
			{name: "another's registrations list holds none of mine", as: other, method: "GET", url: "/registrations", status: http.StatusOK,
				absent: []string{mine.Code}},
			{name: "another cannot cancel it", as: other, method: "POST", url: "/registrations/" + id + "/cancel", form: url.Values{"confirm": {"yes"}},
				status: http.StatusNotFound, unchanged: []string{"outbox"}},
			{name: "another cannot move it", as: other, method: "POST", url: "/registrations/" + id + "/mode", form: url.Values{"mode": {"online"}},
				status: http.StatusNotFound},
			{name: "another cannot read it by API", as: d.apiClient(d.user("api-otra@example.org", false)), method: "GET",
				url: "/api/v1/registrations/" + id, status: http.StatusNotFound},
			{name: "moves online", as: member, method: "POST", url: "/registrations/" + id + "/mode", form: url.Values{"mode": {"online"}},
				status: http.StatusSeeOther, after: func(t *testing.T, _ *response) {
					if r := regOf(t, db, hybrid.ID, "member@example.org"); r.Mode != registration.ModeOnline || r.Status != registration.StatusConfirmed {
						t.Fatalf("moved: %+v", r)
					}
				}},
			{name: "moves to the mode they have", as: member, method: "POST", url: "/registrations/" + id + "/mode", form: url.Values{"mode": {"online"}},
				status: http.StatusConflict},
			{name: "cancel asks first", as: member, method: "POST", url: "/registrations/" + id + "/cancel", form: url.Values{},
				status: http.StatusOK, contains: []string{"¿Cancelar tu inscripción al foro?"}, unchanged: []string{"outbox"}},
			{name: "cancels", as: member, method: "POST", url: "/registrations/" + id + "/cancel", form: url.Values{"confirm": {"yes"}},
				status: http.StatusSeeOther, after: func(t *testing.T, _ *response) {
					if r := regOf(t, db, hybrid.ID, "member@example.org"); r.Status != registration.StatusCancelled {
						t.Fatalf("cancelled: %+v", r)
					}
					if m, _ := mail.Latest(ctx, db.DB, "member@example.org"); !strings.Contains(m.Calendar, "METHOD:CANCEL") {
						t.Fatalf("the cancellation carries no METHOD:CANCEL: %q", m.Calendar)
					}
				}},
		})

		// A guest registers, confirms by the link, and manages the registration with it.
		guest := d.client()
		var link string
		runAll(t, []scenario{
			{name: "a guest without a name", as: guest, method: "POST", url: reg, form: with(good, "email", "invitada@example.org"),
				status: http.StatusUnprocessableEntity, unchanged: []string{"registrations"}},
			{name: "a guest registers", as: guest, method: "POST", url: reg,
				form: with(with(good, "email", "invitada@example.org"), "name", "Invitada Pérez"), status: http.StatusOK,
				contains: []string{"Revisa tu correo", "invitada@example.org"}, after: func(t *testing.T, _ *response) {
					m, err := mail.Latest(ctx, db.DB, "invitada@example.org")
					if err != nil {
						t.Fatal(err)
					}
					link = regexp.MustCompile(`/registrations/guest/[A-Za-z0-9_.-]+`).FindString(m.Text)
					if link == "" {
						t.Fatalf("no link in %q", m.Text)
					}
					if r := regOf(t, db, hybrid.ID, "invitada@example.org"); r.Status != registration.StatusPending {
						t.Fatalf("a guest is seated before confirming: %s", r.Status)
					}
				}},
		})
		runAll(t, []scenario{
			{name: "the link, before confirming", as: anon, method: "GET", url: link, status: http.StatusOK, contains: []string{"Confirmar mi correo"}},
			{name: "a forged link", as: anon, method: "GET", url: link[:len(link)-3] + "abc", status: http.StatusGone},
			{name: "confirms", as: anon, method: "POST", url: link + "/confirm", form: url.Values{}, status: http.StatusSeeOther},
			{name: "the link, confirmed", as: anon, method: "GET", url: link, status: http.StatusOK,
				contains: []string{"Confirmada", "Cancelar mi inscripción"}},
		})

		// The organisers' side, on the Mexico City forum, which approves registrations.
		cdmx := fmt.Sprint(d.cdmx.ID)
		admin := "/admin/forums/" + cdmx
		var pending registration.Registration
		runAll(t, []scenario{
			{name: "registers for a forum that approves", as: other, method: "POST", url: "/forums/foro-cdmx/register",
				form:   url.Values{"mode": {"in_person"}, "stakeholder_group": {"academia"}, "role": {"expert"}, "privacy": {privacy.Version}},
				status: http.StatusSeeOther, after: func(t *testing.T, _ *response) {
					pending = regOf(t, db, d.cdmx.ID, "otra@example.org")
					if pending.Status != registration.StatusPending {
						t.Fatalf("approval: %s", pending.Status)
					}
				}},
		})
		act := admin + "/registrants/" + fmt.Sprint(pending.ID)
		runAll(t, []scenario{
			{name: "registrants", as: org, method: "GET", url: admin + "/registrants", status: http.StatusOK,
				contains: []string{"otra@example.org", "En revisión", "Aprobar"}},
			{name: "registrants, searched", as: org, method: "GET", url: admin + "/registrants?q=nadie", status: http.StatusOK,
				absent: []string{"otra@example.org"}},
			{name: "registrants, a status that does not exist", as: org, method: "GET", url: admin + "/registrants?status=maybe",
				status: http.StatusUnprocessableEntity},
			{name: "registrants, member", as: member, method: "GET", url: admin + "/registrants", status: http.StatusForbidden},
			{name: "registrants, another process's organiser", as: outsiderC, method: "GET", url: admin + "/registrants",
				status: http.StatusForbidden, absent: []string{"otra@example.org"}},
			{name: "registrants, anonymous", as: anon, method: "GET", url: admin + "/registrants", status: http.StatusSeeOther},
			{name: "another process's organiser cannot approve", as: outsiderC, method: "POST", url: act + "/approve", form: url.Values{},
				status: http.StatusForbidden},
			{name: "a registrant of another forum through this one", as: org, method: "POST",
				url: admin + "/registrants/" + fmt.Sprint(mine.ID) + "/approve", form: url.Values{}, status: http.StatusNotFound},
			{name: "approves", as: org, method: "POST", url: act + "/approve", form: url.Values{}, status: http.StatusSeeOther,
				after: func(t *testing.T, _ *response) {
					if r := regOf(t, db, d.cdmx.ID, "otra@example.org"); r.Status != registration.StatusConfirmed {
						t.Fatalf("approved: %s", r.Status)
					}
				}},
			{name: "approves twice", as: org, method: "POST", url: act + "/approve", form: url.Values{}, status: http.StatusConflict},
			{name: "an unknown action", as: org, method: "POST", url: act + "/promote", form: url.Values{}, status: http.StatusNotFound},
			{name: "the door", as: org, method: "GET", url: admin + "/checkin?q=otra", status: http.StatusOK,
				contains: []string{"otra", "Registrar entrada"}},
			{name: "a code that is no one's", as: org, method: "POST", url: admin + "/checkin", form: url.Values{"code": {"0000000000"}},
				status: http.StatusNotFound, contains: []string{"ese código"}},
			{name: "checks in by code, typed loosely", as: org, method: "POST", url: admin + "/checkin",
				form: url.Values{"code": {strings.ToLower(pending.Code[:5]) + "-" + pending.Code[5:]}}, status: http.StatusSeeOther,
				after: func(t *testing.T, _ *response) {
					if r := regOf(t, db, d.cdmx.ID, "otra@example.org"); r.CheckedInAt == nil {
						t.Fatal("not checked in")
					}
				}},
			{name: "checks in twice", as: org, method: "POST", url: admin + "/checkin", form: url.Values{"code": {pending.Code}},
				status: http.StatusConflict, contains: []string{"ya registró su entrada"}},
			{name: "the list as a spreadsheet", as: org, method: "GET", url: admin + "/registrants.csv", status: http.StatusOK,
				contains: []string{"otra@example.org", "Academia", "Persona experta"}, absent: []string{"woman", "Mujer"},
				after: func(t *testing.T, r *response) {
					if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
						t.Fatalf("content type %s", r.header.Get("Content-Type"))
					}
					if n, _ := db.NewSelect().Table("audit_log").Where("action = 'registration.export'").Count(ctx); n != 1 {
						t.Fatalf("%d export entries in the audit log", n)
					}
				}},
			{name: "the spreadsheet, another process's organiser", as: outsiderC, method: "GET", url: admin + "/registrants.csv",
				status: http.StatusForbidden, unchanged: []string{"audit_log"}},
			{name: "settings", as: org, method: "GET", url: admin + "/registration", status: http.StatusOK,
				contains: []string{`name="capacity_in_person"`, `value="40"`, "¿Qué te gustaría que el foro discutiera?"}},
			{name: "settings, a capacity that is not a number", as: org, method: "POST", url: admin + "/registration",
				form: url.Values{"capacity_in_person": {"cuarenta"}, "quota_rows": {"0"}, "question_rows": {"0"}}, status: http.StatusUnprocessableEntity,
				unchanged: []string{"audit_log"}},
			{name: "settings, fewer places than given", as: org, method: "POST", url: admin + "/registration",
				form: url.Values{"capacity_in_person": {"0"}, "quota_rows": {"0"}, "question_rows": {"0"}}, status: http.StatusUnprocessableEntity,
				contains: []string{"Ya hay 1 lugar ocupado"}, unchanged: []string{"audit_log"}},
			{name: "settings, closing before opening", as: org, method: "POST", url: admin + "/registration",
				form:   url.Values{"opens_at": {"2030-01-02T10:00"}, "closes_at": {"2030-01-01T10:00"}, "quota_rows": {"0"}, "question_rows": {"0"}},
				status: http.StatusUnprocessableEntity, unchanged: []string{"audit_log"}},
			{name: "settings, another process's organiser", as: outsiderC, method: "POST", url: admin + "/registration",
				form: url.Values{"capacity_in_person": {"1000"}}, status: http.StatusForbidden},
			{name: "settings saved", as: org, method: "POST", url: admin + "/registration",
				form:   url.Values{"capacity_in_person": {"50"}, "approval": {"yes"}, "offer_hours": {"24"}, "quota_rows": {"0"}, "question_rows": {"0"}},
				status: http.StatusSeeOther},
		})

		// The API: what the form asks, registering, and the organisers' list.
		apiMember := d.apiClient(d.user("api-member@example.org", false))
		apiOrg := d.apiClient(d.user("api-org@example.org", false))
		if err := d.app.Access.Grant(ctx, systemActor(), accountID(t, db, "api-org@example.org"), "organiser", d.processID, 0); err != nil {
			t.Fatal(err)
		}
		apiOutsider := d.apiClient(outsider)
		hid := fmt.Sprint(hybrid.ID)
		body := fmt.Sprintf(`{"mode":"online","stakeholder_group":"academia","role":"participant","privacy_version":%q,"answers":{"%d":["0"]}}`,
			privacy.Version, q.ID)
		runAll(t, []scenario{
			{name: "what the form asks", as: anon, method: "GET", url: "/api/v1/forums/" + hid + "/registration", status: http.StatusOK,
				contains: []string{`"privacy_version":"` + privacy.Version + `"`, `"modes":["in_person","online"]`, `"kind":"single"`}},
			{name: "register by API, anonymous", as: anon, method: "POST", url: "/api/v1/forums/" + hid + "/registrations", json: body,
				status: http.StatusUnauthorized, unchanged: []string{"registrations"}},
			{name: "register by API, bad answer key", as: apiMember, method: "POST", url: "/api/v1/forums/" + hid + "/registrations",
				json: strings.Replace(body, fmt.Sprintf(`"%d"`, q.ID), `"x"`, 1), status: http.StatusUnprocessableEntity, unchanged: []string{"registrations"}},
			{name: "register by API, unknown member", as: apiMember, method: "POST", url: "/api/v1/forums/" + hid + "/registrations",
				json: strings.Replace(body, `"role"`, `"rol"`, 1), status: http.StatusUnprocessableEntity, unchanged: []string{"registrations"}},
			{name: "register by API", as: apiMember, method: "POST", url: "/api/v1/forums/" + hid + "/registrations", json: body,
				status: http.StatusCreated, contains: []string{`"status":"confirmed"`, `"mode":"online"`, `"check_in_code"`}},
			{name: "mine by API", as: apiMember, method: "GET", url: "/api/v1/registrations", status: http.StatusOK,
				contains: []string{`"total":1`, `"forum_id":` + hid}},
			{name: "the organisers' list by API", as: apiOrg, method: "GET", url: "/api/v1/forums/" + hid + "/registrations?mode=online",
				status: http.StatusOK, contains: []string{"api-member@example.org"}},
			{name: "the list, another process's organiser", as: apiOutsider, method: "GET", url: "/api/v1/forums/" + hid + "/registrations",
				status: http.StatusForbidden, absent: []string{"api-member@example.org"}},
			{name: "the list, a member", as: apiMember, method: "GET", url: "/api/v1/forums/" + hid + "/registrations", status: http.StatusForbidden},
			{name: "the list, anonymous", as: anon, method: "GET", url: "/api/v1/forums/" + hid + "/registrations", status: http.StatusUnauthorized},
			{name: "the list, a bad limit", as: apiOrg, method: "GET", url: "/api/v1/forums/" + hid + "/registrations?limit=0", status: http.StatusUnprocessableEntity},
		})

		// The API: a place at a session with places of its own, for those confirmed at its forum.
		online, workshop, open := demoOnline(t, db)
		places := fmt.Sprintf("/api/v1/sessions/%d/registrations", workshop.ID)
		oid := fmt.Sprint(online.ID)
		runAll(t, []scenario{
			{name: "session place, anonymous", as: anon, method: "POST", url: places, status: http.StatusUnauthorized, unchanged: []string{"registrations"}},
			{name: "session place, not at the forum", as: apiMember, method: "POST", url: places, status: http.StatusConflict,
				contains: []string{`"code":"registration_forum_first"`}, unchanged: []string{"registrations"}},
			{name: "session place, a session without places", as: apiMember, method: "POST", url: fmt.Sprintf("/api/v1/sessions/%d/registrations", open.ID),
				status: http.StatusConflict, unchanged: []string{"registrations"}},
			{name: "session place, no such session", as: apiMember, method: "POST", url: "/api/v1/sessions/999999/registrations",
				status: http.StatusNotFound, unchanged: []string{"registrations"}},
			{name: "registers at the forum", as: apiMember, method: "POST", url: "/api/v1/forums/" + oid + "/registrations",
				json:   fmt.Sprintf(`{"mode":"online","stakeholder_group":"academia","role":"participant","privacy_version":%q}`, privacy.Version),
				status: http.StatusCreated, contains: []string{`"status":"confirmed"`}},
			{name: "session place", as: apiMember, method: "POST", url: places, status: http.StatusCreated,
				contains: []string{`"status":"confirmed"`, fmt.Sprintf(`"session_id":%d`, workshop.ID)}},
			{name: "session place, again", as: apiMember, method: "POST", url: places, status: http.StatusConflict, unchanged: []string{"registrations"}},
		})
	})
}

// accountID is the id of the account with email.
func accountID(t *testing.T, db *storetest.DB, email string) int64 {
	t.Helper()
	var id int64
	if err := db.NewSelect().Table("accounts").Column("id").Where("email = ?", email).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestBadgeAndFeed: a confirmed registration has a badge with its code as a QR image; the
// personal calendar feed holds the confirmed forums' sessions under a secret address that a
// reset replaces; nobody else reaches either.
func TestBadgeAndFeed(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		member, other, anon := d.as("member"), d.client(), d.client()
		d.user("otra@example.org", false)
		other.signIn("otra@example.org")
		online, err := forums.BySlug(ctx, db.DB, "consulta-en-linea")
		if err != nil {
			t.Fatal(err)
		}
		hybrid, q := demoHybrid(t, db)
		runAll(t, []scenario{{name: "registers", as: member, method: "POST", url: "/forums/consulta-en-linea/register",
			form:   url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "privacy": {privacy.Version}},
			status: http.StatusSeeOther}})
		r := regOf(t, db, online.ID, "member@example.org")
		id := fmt.Sprint(r.ID)
		// Online, there is no door: no badge. In person, the badge and its QR code.
		runAll(t, []scenario{
			{name: "no badge online", as: member, method: "GET", url: "/registrations/" + id + "/badge", status: http.StatusNotFound,
				contains: []string{"no necesitan gafete"}, absent: []string{"badge.png"}},
			registersInPerson(member, hybrid, q),
		})
		r = regOf(t, db, hybrid.ID, "member@example.org")
		id = fmt.Sprint(r.ID)
		page := member.get("/registrations")
		feed := regexp.MustCompile(`/calendar/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.ics`).FindString(page.body)
		if feed == "" || !strings.Contains(page.body, "webcal://") {
			t.Fatalf("no feed on My registrations: %s", excerpt(page.body))
		}
		runAll(t, []scenario{
			{name: "the badge", as: member, method: "GET", url: "/registrations/" + id + "/badge", status: http.StatusOK,
				contains: []string{r.Code, "/registrations/" + id + "/badge.png", "Sesión híbrida"}},
			{name: "the QR code", as: member, method: "GET", url: "/registrations/" + id + "/badge.png", status: http.StatusOK,
				after: func(t *testing.T, res *response) {
					if res.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(res.body, "\x89PNG") {
						t.Fatalf("not a PNG: %s", res.header.Get("Content-Type"))
					}
				}},
			{name: "another's badge", as: other, method: "GET", url: "/registrations/" + id + "/badge", status: http.StatusNotFound,
				absent: []string{r.Code}},
			{name: "another's QR code", as: other, method: "GET", url: "/registrations/" + id + "/badge.png", status: http.StatusNotFound},
			{name: "the badge, anonymous", as: anon, method: "GET", url: "/registrations/" + id + "/badge", status: http.StatusSeeOther},
			{name: "the feed", as: anon, method: "GET", url: feed, status: http.StatusOK,
				contains: []string{"BEGIN:VCALENDAR", "Sala de preguntas abierta", "Taller virtual"}},
			{name: "a forged feed", as: anon, method: "GET", url: feed[:len(feed)-8] + "abc.ics", status: http.StatusGone},
			{name: "reset asks first", as: member, method: "POST", url: "/registrations/calendar/reset", form: url.Values{},
				status: http.StatusOK, contains: []string{"¿Cambiar la dirección de tu calendario?"}},
			{name: "reset", as: member, method: "POST", url: "/registrations/calendar/reset", form: url.Values{"confirm": {"yes"}},
				status: http.StatusSeeOther},
			{name: "the old feed", as: anon, method: "GET", url: feed, status: http.StatusGone},
		})
		if next := regexp.MustCompile(`/calendar/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.ics`).FindString(member.get("/registrations").body); next == "" || next == feed {
			t.Fatalf("the new feed address %q", next)
		}
		runAll(t, []scenario{
			{name: "cancels", as: member, method: "POST", url: "/registrations/" + id + "/cancel", form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther},
			{name: "no badge once cancelled", as: member, method: "GET", url: "/registrations/" + id + "/badge", status: http.StatusConflict},
		})
	})
}

// TestPersonalDataRights: a participant downloads everything held about them, registrations
// included; an admin can download and erase an account at the person's request, which cancels
// their registrations and leaves them without a name; members cannot; each download and each
// erasure is in the audit log.
func TestPersonalDataRights(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		member, admin, other := d.as("member"), d.as("admin"), d.client()
		d.user("otra@example.org", false)
		other.signIn("otra@example.org")
		runAll(t, []scenario{{name: "registers", as: member, method: "POST", url: "/forums/consulta-en-linea/register",
			form: url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "organisation": {"Observatorio"},
				"privacy": {privacy.Version}}, status: http.StatusSeeOther}})
		id := fmt.Sprint(accountID(t, db, "member@example.org"))
		audited := func(action string, want int) func(t *testing.T, _ *response) {
			return func(t *testing.T, _ *response) {
				if n, _ := db.NewSelect().Table("audit_log").Where("action = ?", action).Count(ctx); int(n) != want {
					t.Fatalf("%d %s entries, want %d", n, action, want)
				}
			}
		}
		runAll(t, []scenario{
			{name: "downloads my data", as: member, method: "GET", url: "/profile/data.json", status: http.StatusOK,
				contains: []string{`"registrations"`, "Observatorio", `"privacy_version"`}, after: audited("account.export", 1)},
			{name: "a member cannot download another's", as: other, method: "GET", url: "/admin/accounts/" + id + "/data.json",
				status: http.StatusForbidden, after: audited("account.export", 1)},
			{name: "an admin downloads it on request", as: admin, method: "GET", url: "/admin/accounts/" + id + "/data.json",
				status: http.StatusOK, contains: []string{"Observatorio"}, after: audited("account.export", 2)},
			{name: "a member cannot erase another", as: other, method: "POST", url: "/admin/accounts/" + id + "/erase",
				form: url.Values{"confirm": {"yes"}}, status: http.StatusForbidden, unchanged: []string{"accounts"}},
			{name: "erasing asks first", as: admin, method: "POST", url: "/admin/accounts/" + id + "/erase", form: url.Values{},
				status: http.StatusOK, contains: []string{"¿Borrar la cuenta de esta persona?"}, unchanged: []string{"accounts"}},
			{name: "an admin erases it on request", as: admin, method: "POST", url: "/admin/accounts/" + id + "/erase",
				form: url.Values{"confirm": {"yes"}}, status: http.StatusSeeOther, after: func(t *testing.T, r *response) {
					audited("account.delete", 1)(t, r)
					var left []registration.Registration
					if err := db.NewSelect().Model(&left).Where("organisation = 'Observatorio' OR email = 'member@example.org'").Scan(ctx); err != nil || len(left) != 0 {
						t.Fatalf("the registration keeps personal data: %+v %v", left, err)
					}
					var n int
					if err := db.NewSelect().Table("registrations").ColumnExpr("COUNT(*)").Where("status = 'cancelled' AND email = '' AND stakeholder_group = 'academia'").Scan(ctx, &n); err != nil || n != 1 {
						t.Fatalf("the anonymous registration aggregates count: %d %v", n, err)
					}
				}},
		})
	})
}
