//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/store/storetest"
)

// TestJourneyScheduleAForum: an organiser creates a hybrid forum and three sessions through the
// pages (the third is first refused for a room clash, then put online), and publishes it; a
// visitor reads the programme in Spanish and in English and downloads a session's .ics; the
// organiser moves that session; the forum's calendar now carries a higher SEQUENCE for it, and
// the change log shows the move. On PostgreSQL, as DESIGN.md says of browser journeys.
func TestJourneyScheduleAForum(t *testing.T) {
	t.Parallel()
	d := newDemoSite(t, storetest.OpenFrom(t, storetest.Postgres, demo))
	s := d.site
	ctx := context.Background()
	org := s.user("organizadora@example.org", false)
	if err := s.app.Access.Grant(ctx, audit.Actor{}, org.ID, access.Organiser, d.processID, 0); err != nil {
		t.Fatal(err)
	}
	day := s.clock.Now().AddDate(0, 1, 0).Format("2006-01-02")
	organiser, visitor := tab(t), tab(t)
	var sessionID string
	submit := clickOn(`main form.stack button[type=submit]`)
	// session fills the session form once it is the page shown: "Nueva sesión" is also the
	// text of the link that leads to it, so the text alone does not say the page has changed.
	session := func(title, start, end string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := waitJS("the session form", `document.getElementById("f-end") !== null`)(ctx, tg); err != nil {
				return err
			}
			_, err := fill(map[string]string{"title.es": title, "title.en": title + " (EN)", "start": day + "T" + start, "end": day + "T" + end})(ctx, tg)
			return err
		})
	}
	// js runs a script that reports whether it found what it acts on.
	js := func(what, script string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			ok, err := chromedp.Evaluate[bool](script)(ctx, tg)
			if err == nil && !ok {
				err = fmt.Errorf("%s: not found", what)
			}
			return err
		})
	}
	chooseRoom := func(name string) chromedp.Action[chromedp.Void] {
		return js("the room "+name, fmt.Sprintf(`(() => { const s = document.getElementById("f-room_id");
			for (const o of s.options) { if (o.text === %q) { s.value = o.value; return true } } return false })()`, name))
	}
	// feedSequence is the SEQUENCE of event uid in a calendar.
	feedSequence := func(ics, uid string) string {
		for _, ev := range strings.Split(ics, "BEGIN:VEVENT")[1:] {
			if strings.Contains(ev, "UID:"+uid+"\r\n") {
				if m := regexp.MustCompile(`SEQUENCE:(\d+)`).FindStringSubmatch(ev); m != nil {
					return m[1]
				}
			}
		}
		return "no event " + uid
	}
	fetchText := func(tb context.Context, path string) (string, error) {
		return chromedp.Run(tb, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(r => r.text())`, path), chromedp.EvalAwaitPromise))
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"the organiser signs in", func() error {
			return chromedp.Do(organiser, chromedp.Navigate(s.base+"/signin"),
				fill(map[string]string{"email": org.Email, "password": "correct horse battery"}),
				chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)), waitText("Mis procesos"))
		}},
		{"opens the process's forums and starts a new one", func() error {
			return chromedp.Do(organiser, chromedp.Navigate(s.base+"/admin/processes/encs-2017/forums"), waitText("Nuevo foro"),
				chromedp.Click(chromedp.CSS(`a[href$="/forums/new"]`)), waitText("El foro se guarda como borrador"))
		}},
		{"creates a hybrid forum", func() error {
			return chromedp.Do(organiser, fill(map[string]string{"title.es": "Foro híbrido de la prueba", "title.en": "Test hybrid forum",
				"slug": "foro-hibrido-prueba", "format": "hybrid", "starts_on": day, "ends_on": day, "venue_name": "Casa de la Cultura",
				"online_url": "https://meet.example.org/prueba"}), submit, waitText("Foro creado como borrador"))
		}},
		{"adds a room", func() error {
			return chromedp.Do(organiser, fill(map[string]string{"room_name": "Auditorio", "room_capacity": "120"}),
				chromedp.Click(chromedp.CSS(`form[action$="/rooms"] button[type=submit]`)), waitText("Sala añadida"))
		}},
		{"adds a first session in the room", func() error {
			return chromedp.Do(organiser, clickOn(`a[href$="/sessions/new"]`), waitText("Nueva sesión"),
				session("Apertura", "10:00", "11:00"), chooseRoom("Auditorio"), submit, waitText("Sesión creada"))
		}},
		{"adds a second session in the room", func() error {
			return chromedp.Do(organiser, clickOn(`a[href$="/sessions/new"]`), waitText("Nueva sesión"),
				session("Panel de la tarde", "16:00", "17:30"), chooseRoom("Auditorio"), submit, waitText("Sesión creada"))
		}},
		{"a third session in the room at the same time is refused, naming the other", func() error {
			return chromedp.Do(organiser, clickOn(`a[href$="/sessions/new"]`), waitText("Nueva sesión"),
				session("Taller paralelo", "10:30", "11:30"), chooseRoom("Auditorio"), submit,
				waitText("Esa sala ya está ocupada a esa hora por «Apertura»"),
				waitJS("the form keeps what was typed", `document.getElementById("f-title.es").value === "Taller paralelo"`))
		}},
		{"put online instead, it is accepted", func() error {
			return chromedp.Do(organiser, chooseRoom("En línea (sin sala)"), submit, waitText("Sesión creada"))
		}},
		{"publishes the forum", func() error {
			return chromedp.Do(organiser, chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)), waitText("Foro publicado"))
		}},
		{"a visitor reads the programme in Spanish", func() error {
			return chromedp.Do(visitor, chromedp.Navigate(s.base+"/forums/foro-hibrido-prueba"), waitLang("es"),
				waitText("Foro híbrido de la prueba"), waitText("Apertura"), waitText("Taller paralelo"), waitText("Panel de la tarde"),
				waitText("Horario de Ciudad de México"))
		}},
		{"and in English", func() error {
			return chromedp.Do(visitor, chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)), waitLang("en"), waitText("Test hybrid forum"),
				waitText("Programme"), waitText("Apertura (EN)"))
		}},
		{"opens the first session and downloads its .ics", func() error {
			if err := chromedp.Do(visitor, js("the link to the first session", `(() => { const a = Array.from(document.querySelectorAll("main a")).find(a => a.textContent === "Apertura (EN)" && a.offsetParent !== null); if (a) { a.click() } return !!a })()`), waitText("Add this session to your calendar")); err != nil {
				return err
			}
			href, err := chromedp.Run(visitor, chromedp.Evaluate[string](`document.querySelector("a[download]").getAttribute("href")`))
			if err != nil {
				return err
			}
			sessionID = strings.TrimSuffix(strings.TrimPrefix(href, "/sessions/"), ".ics")
			ics, err := fetchText(visitor, href)
			if err != nil {
				return err
			}
			if !strings.Contains(ics, "BEGIN:VCALENDAR") || feedSequence(ics, "session-"+sessionID+"@127.0.0.1") != "0" ||
				!strings.Contains(ics, "DTSTART;TZID=America/Mexico_City:"+strings.ReplaceAll(day, "-", "")+"T100000") {
				return fmt.Errorf("the session's .ics: %s", ics)
			}
			return nil
		}},
		{"the organiser moves that session", func() error {
			return chromedp.Do(organiser, chromedp.Navigate(fmt.Sprintf("%s/admin/forums/%s/sessions/%s", s.base, forumIDOf(t, s), sessionID)),
				waitText("Editar «Apertura»"), fill(map[string]string{"start": day + "T12:00", "end": day + "T13:00"}), submit, waitText("Sesión guardada"))
		}},
		{"the forum's calendar carries a higher SEQUENCE", func() error {
			ics, err := fetchText(visitor, "/forums/foro-hibrido-prueba.ics")
			if err != nil {
				return err
			}
			if seq := feedSequence(ics, "session-"+sessionID+"@127.0.0.1"); seq != "1" {
				return fmt.Errorf("SEQUENCE %s after the move, want 1", seq)
			}
			return nil
		}},
		{"the change log shows the move", func() error {
			return chromedp.Do(visitor, chromedp.Navigate(s.base+"/forums/foro-hibrido-prueba/changes"), waitText("Programme changes"),
				waitText("The time changed from"), waitText("10:00–11:00"), waitText("12:00–13:00"))
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}

// forumIDOf is the id of the journey's forum.
func forumIDOf(t *testing.T, s *site) string {
	var id int64
	if err := s.db.NewSelect().Table("forums").Column("id").Where("slug = 'foro-hibrido-prueba'").Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(id)
}
