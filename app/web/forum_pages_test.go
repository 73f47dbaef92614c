package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/schedule"
	"github.com/convene/convene/app/schedule/schedtest"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// demoSite is a site with the demo loaded, and the ids the tests need.
type demoSite struct {
	*site
	processID int64
	cdmx, igf forums.Forum
	panel     forums.SessionView // the Mexico City forum's panel on society and rights
}

// demoAt is when the demo was loaded, once per test binary and database (demo): a demo site's
// clock starts there, as if it had loaded the demo itself.
var demoAt = time.Now().UTC().Truncate(time.Second)

// demo is the demo's content, for storetest.EachFrom and OpenFrom: loading it takes far longer
// than copying it.
var demo = storetest.NewSeed("demo", func(ctx context.Context, db *bun.DB) error {
	_, err := seed.Demo(ctx, db, clock.NewFixed(demoAt))
	return err
})

// newDemoSite serves db, which holds the demo (storetest.EachFrom(t, demo, ...)).
func newDemoSite(t *testing.T, db *storetest.DB, opts ...siteOption) *demoSite {
	t.Helper()
	s := newSite(t, db, opts...)
	s.onDemo()
	ctx := context.Background()
	d := &demoSite{site: s}
	if err := db.NewSelect().Table("processes").Column("id").Where("slug = 'encs-2017'").Scan(ctx, &d.processID); err != nil {
		t.Fatal(err)
	}
	var err error
	if d.cdmx, err = forums.BySlug(ctx, db.DB, "foro-cdmx"); err != nil {
		t.Fatal(err)
	}
	if d.igf, err = forums.BySlug(ctx, db.DB, "igf-2017-open-forum"); err != nil {
		t.Fatal(err)
	}
	list, err := forums.Programme(ctx, db.DB, d.cdmx.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range list {
		if strings.HasPrefix(sv.Title["en"], "Panel: society") {
			d.panel = sv
		}
	}
	return d
}

// onDemo checks the site serves a copy of the demo (storetest.EachFrom(t, demo, ...) or
// OpenFrom(t, d, demo)), and sets its clock to when the demo was loaded.
func (s *site) onDemo() {
	s.t.Helper()
	if s.db.Seed != "demo" {
		s.t.Fatal("this site needs a database copied from the demo: storetest.EachFrom(t, demo, ...) or OpenFrom(t, d, demo)")
	}
	s.clock.Set(demoAt)
}

// organiser returns a client signed in as an organiser of the demo process.
func (d *demoSite) organiser(email string) *client {
	d.t.Helper()
	a := d.user(email, false)
	if err := d.app.Access.Grant(context.Background(), audit.Actor{}, a.ID, access.Organiser, d.processID, 0); err != nil {
		d.t.Fatal(err)
	}
	c := d.client()
	c.signIn(email)
	return c
}

// apiClient returns a client that calls the API with a new token of account a.
func (s *site) apiClient(a accounts.Account) *client {
	s.t.Helper()
	token, _, err := s.accounts.CreateAPIToken(context.Background(), a.ID, "test")
	if err != nil {
		s.t.Fatal(err)
	}
	c := s.client()
	c.token = token
	return c
}

// TestForumPages: the public programme, a session, the process page and the home page, as the
// public and as organisers see them, in both languages; drafts only for those who run the
// process; bad filters refused naming the field.
func TestForumPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		draft, err := forums.Create(ctx, db.DB, d.clock.Now(), audit.Actor{}, d.processID, forums.Input{Slug: "borrador-secreto",
			Format: forums.FormatVirtual, OnlineURL: "https://meet.example.org/x", TimeZone: "UTC", StartsOn: "2030-01-10", EndsOn: "2030-01-10",
			Title: translated.Text{"es": "Foro en borrador", "en": "Draft forum"}})
		if err != nil {
			t.Fatal(err)
		}
		anon, en, org := d.client(), d.client(), d.organiser("org@example.org")
		en.get("/language/en?next=/")
		panel := fmt.Sprintf("/sessions/%d", d.panel.ID)
		runAll(t, []scenario{
			{name: "home leads with what is coming", as: anon, method: "GET", url: "/", status: http.StatusOK,
				contains: []string{"Foros en curso y próximos", "Foro nacional de ciberseguridad, Ciudad de México", "Consulta en línea", "Ver el programa y participar"},
				absent:   []string{"Foro abierto de México en el IGF 2017", "Foro en borrador"}},
			{name: "process page: upcoming first, how to take part, past below", as: anon, method: "GET", url: "/processes/encs-2017", status: http.StatusOK,
				contains: []string{"Cómo participar", "Foros en curso y próximos", "Foros celebrados", "Foro abierto de México en el IGF 2017", "En esta página",
					`href="/processes/encs-2017.ics"`, "webcal://"},
				absent: []string{"Foro en borrador"}},
			{name: "process page filtered by format", as: anon, method: "GET", url: "/processes/encs-2017?format=virtual", status: http.StatusOK,
				contains: []string{"Consulta en línea con personas expertas internacionales"}, absent: []string{"Palacio de Minería"}},
			{name: "process page filtered by topic", as: anon, method: "GET", url: "/processes/encs-2017?topic=E6", status: http.StatusOK,
				contains: []string{"Sesión híbrida: infraestructuras críticas"}, absent: []string{"Consulta en línea con personas"}},
			{name: "process page, unknown format", as: anon, method: "GET", url: "/processes/encs-2017?format=hologram", status: http.StatusUnprocessableEntity,
				contains: []string{"Elige si el foro es presencial, virtual o híbrido"}},
			{name: "process page, unknown topic", as: anon, method: "GET", url: "/processes/encs-2017?topic=Z9", status: http.StatusUnprocessableEntity},
			{name: "forum programme by slug", as: anon, method: "GET", url: "/forums/foro-cdmx", status: http.StatusOK,
				contains: []string{"Foro nacional de ciberseguridad, Ciudad de México", "Palacio de Minería", "Horario de Ciudad de México",
					"Programa por sala", "Salón de Actos", "Panel: sociedad, derechos y ciberespacio", "11:00–12:30", "webcal://", "calendar.google.com",
					"/forums/foro-cdmx/schedule.json", "/forums/foro-cdmx/changes"}},
			{name: "forum programme by id, in English", as: en, method: "GET", url: fmt.Sprintf("/forums/%d", d.cdmx.ID), status: http.StatusOK,
				contains: []string{"National cybersecurity forum, Mexico City", "Programme by room", "Panel: society, rights and cyberspace", "All times are Mexico City time"}},
			{name: "programme filtered by topic and kind", as: anon, method: "GET", url: "/forums/foro-cdmx?topic=O1&kind=panel", status: http.StatusOK,
				contains: []string{"Se muestra 1 sesión de 7", "Panel: sociedad, derechos y ciberespacio"}, absent: []string{"Taller: respuesta a incidentes"}},
			{name: "programme filtered by language", as: anon, method: "GET", url: "/forums/foro-cdmx?language=en", status: http.StatusOK,
				contains: []string{"Panel: economía digital e innovación"}, absent: []string{"Taller: respuesta a incidentes"}},
			{name: "programme, unknown topic", as: anon, method: "GET", url: "/forums/foro-cdmx?topic=Z9", status: http.StatusUnprocessableEntity,
				contains: []string{"Elige objetivos y ejes de este proceso"}},
			{name: "programme, unknown kind", as: anon, method: "GET", url: "/forums/foro-cdmx?kind=party", status: http.StatusUnprocessableEntity},
			{name: "programme, malformed language", as: anon, method: "GET", url: "/forums/foro-cdmx?language=English", status: http.StatusUnprocessableEntity},
			{name: "a forum held in 2017", as: anon, method: "GET", url: "/forums/igf-2017-open-forum", status: http.StatusOK,
				contains: []string{"Ya se celebró", "17 de diciembre de 2017", "Horario de Zúrich", "17:00–18:00"}},
			{name: "session page", as: anon, method: "GET", url: panel, status: http.StatusOK,
				contains: []string{"Panel: sociedad, derechos y ciberespacio", "Ponentes", "Defensora de derechos digitales (demo)", "México",
					"Sociedad civil", "O1 Sociedad y derechos", "español e inglés", "Con moderación", "Añade esta sesión a tu calendario",
					"action=TEMPLATE", "outlook.live.com", panel + ".ics"}},
			{name: "session page in English", as: en, method: "GET", url: panel, status: http.StatusOK,
				contains: []string{"Panel: society, rights and cyberspace", "Speakers", "Mexico", "Spanish and English"}},
			{name: "no such session", as: anon, method: "GET", url: "/sessions/999999", status: http.StatusNotFound},
			{name: "not a session id", as: anon, method: "GET", url: "/sessions/abc", status: http.StatusNotFound},
			{name: "no such forum", as: anon, method: "GET", url: "/forums/no-existe", status: http.StatusNotFound},
			{name: "a draft forum, public", as: anon, method: "GET", url: "/forums/borrador-secreto", status: http.StatusNotFound},
			{name: "a draft forum by id, public", as: anon, method: "GET", url: fmt.Sprintf("/forums/%d", draft.ID), status: http.StatusNotFound},
			{name: "a draft forum's calendar, public", as: anon, method: "GET", url: "/forums/borrador-secreto.ics", status: http.StatusNotFound},
			{name: "a draft forum, organiser", as: org, method: "GET", url: "/forums/borrador-secreto", status: http.StatusOK,
				contains: []string{"Foro en borrador", "Borrador", "Administrar este foro"}},
			{name: "the organiser's process page lists the draft", as: org, method: "GET", url: "/processes/encs-2017", status: http.StatusOK,
				contains: []string{"Foro en borrador"}},
			{name: "changes page before any change", as: anon, method: "GET", url: "/forums/foro-cdmx/changes", status: http.StatusOK,
				contains: []string{"El programa no ha cambiado"}},
		})
	})
}

// icsOf fetches a calendar and checks what every .ics must be: text/calendar, lines of at most
// 75 octets ending in CRLF, readable by go-ical, a VTIMEZONE for each TZID it uses.
func icsOf(t *testing.T, c *client, path string) (*ical.Calendar, *response) {
	t.Helper()
	r := c.get(path)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, excerpt(r.body))
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	if r.header.Get("ETag") == "" {
		t.Errorf("%s has no ETag", path)
	}
	if !strings.HasSuffix(r.body, "\r\n") {
		t.Errorf("%s does not end in CRLF", path)
	}
	for i, line := range strings.Split(strings.TrimSuffix(r.body, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("%s line %d has %d octets: %q", path, i+1, len(line), line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("%s line %d has a bare CR or LF", path, i+1)
		}
	}
	cal, err := ical.NewDecoder(strings.NewReader(r.body)).Decode()
	if err != nil {
		t.Fatalf("%s: go-ical cannot read it: %v", path, err)
	}
	zones := map[string]bool{}
	for _, ch := range cal.Children {
		if ch.Name == ical.CompTimezone {
			id, _ := ch.Props.Text(ical.PropTimezoneID)
			zones[id] = true
		}
	}
	for _, e := range cal.Events() {
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
			if tz := e.Props.Get(name).Params.Get(ical.PropTimezoneID); tz != "" && !zones[tz] {
				t.Errorf("%s uses TZID %s with no VTIMEZONE", path, tz)
			}
		}
		if st := e.Props.Get(ical.PropDateTimeStamp); st == nil || !strings.HasSuffix(st.Value, "Z") {
			t.Errorf("%s: DTSTAMP %v is not in UTC", path, st)
		}
		// libical's strict iTIP check (Evolution) refuses a published event without ORGANIZER.
		if m, _ := cal.Props.Text(ical.PropMethod); m == "PUBLISH" {
			if o := e.Props.Get(ical.PropOrganizer); o == nil || !strings.HasPrefix(o.Value, "mailto:") {
				t.Errorf("%s: a published event without an ORGANIZER", path)
			}
		}
	}
	// Thunderbird and ical.js show X-WR-CALNAME as it stands: an escaped comma shows its
	// backslash.
	if p := cal.Props.Get("X-WR-CALNAME"); p != nil && strings.Contains(p.Value, `\`) {
		t.Errorf("%s: X-WR-CALNAME %q shows a backslash", path, p.Value)
	}
	// The same body goes gzipped or not: its ETag must be weak, or differ between the two.
	if !strings.HasPrefix(r.header.Get("ETag"), "W/") {
		t.Errorf("%s: a strong ETag %s for a body sent gzipped too", path, r.header.Get("ETag"))
	}
	return cal, r
}

// TestCalendarsOfTheDemo walks every calendar route of the demo data: each process, forum and
// session .ics.
func TestCalendarsOfTheDemo(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		c := d.client()
		var slugs []string
		if err := db.NewSelect().Table("processes").Column("slug").Where("status <> 'draft'").Scan(ctx, &slugs); err != nil {
			t.Fatal(err)
		}
		var forumSlugs []string
		if err := db.NewSelect().Table("forums").Column("slug").Where("status <> 'draft'").Scan(ctx, &forumSlugs); err != nil {
			t.Fatal(err)
		}
		var sessionIDs []int64
		if err := db.NewSelect().Table("sessions").Column("id").Scan(ctx, &sessionIDs); err != nil {
			t.Fatal(err)
		}
		if len(slugs) == 0 || len(forumSlugs) < 4 || len(sessionIDs) < 10 {
			t.Fatalf("the demo is too small: %v %v %v", slugs, forumSlugs, sessionIDs)
		}
		events := 0
		for _, s := range slugs {
			cal, _ := icsOf(t, c, "/processes/"+s+".ics")
			events = len(cal.Events())
			icsOf(t, c, "/processes/"+s+".ics?lang=en")
		}
		if events != len(sessionIDs) {
			t.Errorf("the process calendar has %d events, want one per session (%d)", events, len(sessionIDs))
		}
		for _, f := range forumSlugs {
			icsOf(t, c, "/forums/"+f+".ics")
		}
		for _, id := range sessionIDs {
			cal, _ := icsOf(t, c, fmt.Sprintf("/sessions/%d.ics", id))
			if n := len(cal.Events()); n != 1 {
				t.Errorf("session %d: %d events", id, n)
			}
			uid, _ := cal.Events()[0].Props.Text(ical.PropUID)
			if uid != fmt.Sprintf("session-%d@127.0.0.1", id) {
				t.Errorf("session %d's UID %q", id, uid)
			}
		}
	})
}

// TestCalendarFollowsChanges: moving a session grows its SEQUENCE in every feed that holds it
// and changes the feed's ETag; a client holding the old ETag gets the new file, one holding the
// new gets 304; cancelling keeps the event, cancelled; the change log and its Atom feed show
// both.
func TestCalendarFollowsChanges(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		c := d.client()
		path := fmt.Sprintf("/sessions/%d.ics", d.panel.ID)
		seqOf := func(cal *ical.Calendar, uid string) (int, ical.EventStatus) {
			for _, e := range cal.Events() {
				if u, _ := e.Props.Text(ical.PropUID); u == uid {
					n, _ := e.Props.Get(ical.PropSequence).Int()
					st, _ := e.Status()
					return n, st
				}
			}
			t.Fatalf("no event %s", uid)
			return 0, ""
		}
		uid := fmt.Sprintf("session-%d@127.0.0.1", d.panel.ID)
		before, r := icsOf(t, c, path)
		oldTag := r.header.Get("ETag")
		if again := c.do("GET", path, nil, map[string]string{"If-None-Match": oldTag}); again.status != http.StatusNotModified || again.body != "" {
			t.Fatalf("a second fetch with the ETag: %d", again.status)
		}
		forumCal, _ := icsOf(t, c, "/forums/foro-cdmx.ics")
		seq0, _ := seqOf(before, uid)
		fseq0, _ := seqOf(forumCal, uid)
		// The organiser moves the panel an hour later, to another room.
		in := forums.SessionInput{Kind: d.panel.Kind, Start: "", QAMode: d.panel.QAMode, Languages: d.panel.Languages,
			Title: d.panel.Title, Description: d.panel.Description, TopicIDs: d.panel.TopicIDs, ConfirmClash: true}
		rooms, _ := forums.Rooms(ctx, db.DB, d.cdmx.ID)
		for _, rm := range rooms {
			if rm.Name == "Aula 3" {
				in.RoomID = rm.ID
			}
		}
		day := d.cdmx.StartsOn
		in.Start, in.End = day+"T12:00", day+"T13:30"
		if _, err := d.app.Forums.UpdateSession(ctx, audit.Actor{}, d.processID, d.cdmx.ID, d.panel.ID, in); err != nil {
			t.Fatal(err)
		}
		moved := c.do("GET", path, nil, map[string]string{"If-None-Match": oldTag})
		if moved.status != http.StatusOK || moved.header.Get("ETag") == oldTag {
			t.Fatalf("after the move, the old ETag got %d", moved.status)
		}
		after, _ := icsOf(t, c, path)
		forumAfter, _ := icsOf(t, c, "/forums/foro-cdmx.ics")
		processAfter, _ := icsOf(t, c, "/processes/encs-2017.ics")
		for name, cal := range map[string]*ical.Calendar{"session": after, "forum": forumAfter, "process": processAfter} {
			if n, _ := seqOf(cal, uid); n <= max(seq0, fseq0) {
				t.Errorf("the %s feed's SEQUENCE is %d after the move, was %d", name, n, seq0)
			}
		}
		ev := after.Events()[0]
		if loc, _ := ev.Props.Text(ical.PropLocation); !strings.HasPrefix(loc, "Aula 3, Palacio de Minería") {
			t.Errorf("location %q", loc)
		}
		if v := ev.Props.Get(ical.PropDateTimeStart).Value; v != strings.ReplaceAll(day, "-", "")+"T120000" {
			t.Errorf("DTSTART %s", v)
		}
		if _, err := d.app.Forums.CancelSession(ctx, audit.Actor{}, d.processID, d.cdmx.ID, d.panel.ID); err != nil {
			t.Fatal(err)
		}
		cancelled, _ := icsOf(t, c, "/forums/foro-cdmx.ics")
		if _, st := seqOf(cancelled, uid); st != ical.EventCancelled {
			t.Errorf("the cancelled session is %q in the forum feed", st)
		}
		// Schedule apps merge on reload: the cancelled session stays, marked, under its id.
		for _, format := range []string{"json", "xml"} {
			r := c.get("/forums/foro-cdmx/schedule." + format)
			if !strings.Contains(r.body, "Cancelada: Panel: sociedad, derechos y ciberespacio") || !strings.Contains(r.body, schedule.GUID(fmt.Sprintf("%s/sessions/%d", d.base, d.panel.ID))) ||
				strings.Contains(r.body, "cancelada-panel") {
				t.Errorf("schedule.%s does not keep the cancelled session, marked: %s", format, excerpt(r.body))
			}
		}
		runAll(t, []scenario{
			{name: "the change log shows the move and the cancellation", as: c, method: "GET", url: "/forums/foro-cdmx/changes", status: http.StatusOK,
				contains: []string{"La hora cambió de", "11:00–12:30", "12:00–13:30", "La sala cambió de «Salón de Actos» a «Aula 3»",
					"El estado cambió de «programada» a «cancelada»"}},
			{name: "the Atom feed of changes", as: c, method: "GET", url: "/forums/foro-cdmx/changes.atom?lang=en", status: http.StatusOK,
				contains: []string{`<feed xmlns="http://www.w3.org/2005/Atom"`, "The time changed from", "The room changed from", "tag:127.0.0.1,",
					`href="` + d.base + `/forums/foro-cdmx/changes.atom" rel="self" type="application/atom+xml"`},
				after: func(t *testing.T, r *response) {
					if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
						t.Errorf("Content-Type %q", ct)
					}
					if bytes.Count([]byte(r.body), []byte("<entry>")) != 3 {
						t.Errorf("want 3 entries: %s", excerpt(r.body))
					}
				}},
		})
	})
}

// TestScheduleExportsOfTheDemo: every demo forum's schedule.json and schedule.xml, in both
// languages, validate against the official C3VOC schemas (strictly), carry ETags, and hold
// each session.
func TestScheduleExportsOfTheDemo(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		var slugs []string
		if err := db.NewSelect().Table("forums").Column("slug").Where("status <> 'draft'").Scan(ctx, &slugs); err != nil {
			t.Fatal(err)
		}
		c := d.client()
		for _, slug := range slugs {
			for _, l := range []string{"es", "en"} {
				for _, format := range []string{"json", "xml"} {
					path := "/forums/" + slug + "/schedule." + format + "?lang=" + l
					r := c.get(path)
					if r.status != http.StatusOK || r.header.Get("ETag") == "" {
						t.Fatalf("GET %s: %d, ETag %q", path, r.status, r.header.Get("ETag"))
					}
					if format == "json" {
						schedtest.CheckJSON(t, path, []byte(r.body))
					} else {
						t.Run(path+" against the XSD", func(t *testing.T) { schedtest.CheckXML(t, path, []byte(r.body)) })
					}
				}
			}
		}
		r := c.get("/forums/foro-cdmx/schedule.json")
		if !strings.Contains(r.body, `"title": "Panel: sociedad, derechos y ciberespacio"`) || !strings.Contains(r.body, `"acronym": "foro_cdmx"`) {
			t.Errorf("the Mexico City programme: %s", excerpt(r.body))
		}
		if r := c.get("/forums/borrador/schedule.xml"); r.status != http.StatusNotFound {
			t.Errorf("a forum that does not exist: %d", r.status)
		}
	})
}

// TestProcessContactIsOrganizer: a process's contact address is the ORGANIZER of its calendars
// and invites, so replies from people's calendars reach its organisers; a malformed one is
// refused naming its field; without one, the site's sender organises.
func TestProcessContactIsOrganizer(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		admin := d.apiClient(d.user("contacto-admin@example.org", true))
		anon := d.client()
		organizer := func(path string) string {
			t.Helper()
			cal, _ := icsOf(t, anon, path)
			return cal.Events()[0].Props.Get(ical.PropOrganizer).Value
		}
		if o := organizer("/forums/foro-cdmx.ics"); o != "mailto:convene@example.org" {
			t.Fatalf("without a contact, the organizer is %s, want the site's sender", o)
		}
		runAll(t, []scenario{
			{name: "a malformed contact", as: admin, method: "PATCH", url: "/api/v1/processes/encs-2017", json: `{"contact_email":"equipo@example.org(x)"}`,
				status: http.StatusUnprocessableEntity, contains: []string{`"field":"contact_email"`}},
			{name: "a contact", as: admin, method: "PATCH", url: "/api/v1/processes/encs-2017", json: `{"contact_email":"Equipo@Example.org"}`,
				status: http.StatusOK, contains: []string{`"contact_email":"equipo@example.org"`}},
		})
		for _, path := range []string{"/forums/foro-cdmx.ics", "/processes/encs-2017.ics", fmt.Sprintf("/sessions/%d.ics", d.panel.ID)} {
			if o := organizer(path); o != "mailto:equipo@example.org" {
				t.Errorf("%s: organizer %s, want the process's contact", path, o)
			}
		}
	})
}

// TestProgrammeDrawnOnceForSignedInPeople: a signed-in person's page of a forum is drawn for
// them (it says where they stand), but the programme in it is drawn once for everyone who
// reads it in the same language and time zone: the next such reader's page reads no sessions.
// A reader in another zone gets times in theirs, and a change to a session shows at once.
func TestProgrammeDrawnOnceForSignedInPeople(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		reads := &queryCount{only: "ORDER BY starts_at, ends_at, id"} // the programme's sessions
		db = &storetest.DB{DB: db.WithQueryHook(reads), Dialect: db.Dialect, URL: db.URL, Seed: db.Seed}
		d := newDemoSite(t, db)
		ctx := context.Background()
		member := func(email, zone string) *client {
			d.user(email, false)
			if _, err := db.NewRaw("UPDATE accounts SET time_zone = ? WHERE email = ?", zone, email).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			c := d.client()
			c.signIn(email)
			return c
		}
		madrid := member("madrid@example.org", "Europe/Madrid")
		here := member("here@example.org", d.cdmx.TimeZone)
		alsoHere := member("alsohere@example.org", d.cdmx.TimeZone)
		page := "/forums/" + d.cdmx.Slug
		read := func(c *client) (string, int64) {
			t.Helper()
			before := reads.n.Load()
			r := c.get(page)
			if r.status != http.StatusOK {
				t.Fatalf("%s: %d", page, r.status)
			}
			return r.body, reads.n.Load() - before
		}
		// Madrid first: a programme kept without its zone would be given to the others.
		body, n := read(madrid)
		if n != 1 || !strings.Contains(body, `class="muted yours"`) {
			t.Fatalf("the reader in Madrid: %d reads of the sessions, times in their zone %v", n, strings.Contains(body, `class="muted yours"`))
		}
		body, n = read(here)
		if n != 1 || strings.Contains(body, `class="muted yours"`) {
			t.Fatalf("the first reader in the forum's zone: %d reads of the sessions, another zone's times %v", n, strings.Contains(body, `class="muted yours"`))
		}
		body, n = read(alsoHere)
		if n != 0 {
			t.Fatalf("the second reader in the forum's zone: %d reads of the sessions, want the programme drawn for the first", n)
		}
		if !strings.Contains(body, `data-profile-zone="`+d.cdmx.TimeZone+`"`) || !strings.Contains(body, d.panel.Title["es"]) {
			t.Fatalf("the second reader's page: drawn for them %v, with the programme %v",
				strings.Contains(body, `data-profile-zone="`+d.cdmx.TimeZone+`"`), strings.Contains(body, d.panel.Title["es"]))
		}
		if _, err := db.NewRaw("UPDATE sessions SET title = ? WHERE id = ?", `{"es":"Panel renombrado","en":"Renamed panel"}`, d.panel.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if err := store.ContentChanged(ctx, db.DB); err != nil {
			t.Fatal(err)
		}
		if body, _ = read(alsoHere); !strings.Contains(body, "Panel renombrado") {
			t.Fatalf("after the session was renamed, its old title: %s", excerpt(body))
		}
	})
}
