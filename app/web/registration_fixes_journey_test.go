//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestJourneyRegisterAsPeopleExpect: on a phone, a guest sees the places left before the form,
// registers, loses the link and asks for it again: the page says the same as for an address
// with no registration, and the mail brings a link that opens her registration. An account
// holder registers, then at a second forum finds the form filled with what they gave; with a
// place at that forum and at one of its workshops, their one badge lists the workshop.
func TestJourneyRegisterAsPeopleExpect(t *testing.T) {
	t.Parallel()
	d := newDemoSite(t, storetest.OpenFrom(t, storetest.Postgres, demo))
	s := d.site
	ctx := context.Background()
	hybrid, q := demoHybrid(t, s.db)
	// The forum's own question, answered (its field's id holds dots: clicked by script).
	answer := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { document.getElementById("f-answers.%d-1").click(); return true })()`, q.ID))(ctx, tg)
		return err
	})
	cdmx, err := forums.BySlug(ctx, s.db.DB, "foro-cdmx")
	if err != nil {
		t.Fatal(err)
	}
	var workshop forums.SessionView
	list, err := forums.Programme(ctx, s.db.DB, cdmx.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range list {
		if sv.Capacity > 0 && workshop.ID == 0 {
			workshop = sv
		}
	}
	member := s.user("recordada@example.org", false)
	guest, phone := tab(t), tab(t)
	for _, tb := range []context.Context{guest, phone} {
		if err := chromedp.Do(tb, chromedp.EmulateViewport(390, 844)); err != nil {
			t.Fatal(err)
		}
	}
	onMine := waitJS("their registrations", `location.pathname === "/registrations" && document.readyState === "complete"`)
	linkRE := regexp.MustCompile(`https?://\S+/registrations/guest/\S+`)
	answered := "Si esa dirección tiene inscripciones, le enviamos los enlaces."
	steps := []struct {
		name string
		do   func() error
	}{
		{"the guest sees the places before the form", func() error {
			return chromedp.Do(guest, chromedp.Navigate(s.base+"/forums/"+hybrid.Slug), waitText("En persona:"), waitText("En línea:"),
				chromedp.Click(chromedp.CSS(`a[href$="/register"].button`)), waitText("Inscripción a «"), waitText("(hay lugares disponibles)"))
		}},
		{"registers with name and address", func() error {
			return chromedp.Do(guest, fill(map[string]string{"name": "Invitada Olvidadiza", "email": "olvidadiza@example.org",
				"stakeholder_group": "civil_society"}), chromedp.Click(chromedp.ID("f-mode-online")), answer, chromedp.Click(chromedp.ID("f-privacy")),
				chromedp.Click(chromedp.CSS(`main form.stack button[type=submit]`)), waitText("Revisa tu correo"))
		}},
		{"loses the link, and asks for it by address", func() error {
			return chromedp.Do(guest, chromedp.Navigate(s.base+"/registrations/link"), waitText("¿Perdiste el enlace a tu inscripción?"),
				fill(map[string]string{"email": "olvidadiza@example.org"}), chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), waitText(answered))
		}},
		{"an address with no registration gets the same answer", func() error {
			return chromedp.Do(guest, chromedp.Navigate(s.base+"/registrations/link"), waitJS("a fresh form", `!document.body.innerText.includes(`+"`"+answered+"`"+`)`),
				fill(map[string]string{"email": "nadie-inscrito@example.org"}),
				chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), waitText(answered))
		}},
		{"the mailed link opens her registration", func() error {
			m, err := mail.Latest(ctx, s.db.DB, "olvidadiza@example.org")
			if err != nil {
				return err
			}
			link := linkRE.FindString(m.Text)
			if link == "" {
				return fmt.Errorf("no link in %q", m.Text)
			}
			return chromedp.Do(guest, chromedp.Navigate(link), waitText("Invitada Olvidadiza"))
		}},
		{"an account holder signs in and registers, giving details", func() error {
			return chromedp.Do(phone, chromedp.Navigate(s.base+"/signin?next=/forums/"+hybrid.Slug+"/register"),
				fill(map[string]string{"email": member.Email, "password": "correct horse battery"}),
				chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)), waitText("Inscripción a «"),
				fill(map[string]string{"stakeholder_group": "academia", "organisation": "UNAM", "country": "MX"}),
				chromedp.Click(chromedp.ID("f-mode-online")), answer, chromedp.Click(chromedp.ID("f-privacy")),
				chromedp.Click(chromedp.CSS(`main form.stack button[type=submit]`)), onMine)
		}},
		{"the second forum's form is filled with them", func() error {
			return chromedp.Do(phone, chromedp.Navigate(s.base+"/forums/foro-cdmx/register"), waitText("Inscripción a «"),
				waitJS("the details given last time", `document.getElementById("f-organisation").value === "UNAM" &&
					document.getElementById("f-stakeholder_group").value === "academia" && document.getElementById("f-country").value === "MX"`),
				chromedp.Click(chromedp.ID("f-privacy")), chromedp.Click(chromedp.CSS(`main form.stack button[type=submit]`)), onMine)
		}},
		{"with a place at the forum and at a workshop, one badge lists both", func() error {
			r := regOf(t, s.db, cdmx.ID, member.Email)
			if r.Status == registration.StatusPending {
				if _, err := s.app.Registration.Approve(ctx, systemActor(), cdmx.ID, r.ID); err != nil {
					return err
				}
			}
			return chromedp.Do(phone, chromedp.Navigate(fmt.Sprintf("%s/sessions/%d/register", s.base, workshop.ID)),
				chromedp.Click(chromedp.CSS(`main form.stack button[type=submit]`)), waitText("Tus lugares en sesiones con cupo:"),
				chromedp.Navigate(fmt.Sprintf("%s/registrations/%d/badge", s.base, r.ID)), waitText("Sesiones reservadas"),
				waitText(workshop.Title["es"]), waitText(r.Code))
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
