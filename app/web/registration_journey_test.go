//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestJourneyRegister: on a phone-sized window, a guest registers for a hybrid session whose
// one seat in the room is taken, with name and address only; confirms by the mailed link; and
// sees their place on the waiting list. An organiser, on a phone too, checks the person with
// the seat in at the door by typing their badge's code, and the count of arrivals grows. On
// PostgreSQL, as DESIGN.md says of browser journeys.
func TestJourneyRegister(t *testing.T) {
	t.Parallel()
	d := newDemoSite(t, storetest.OpenFrom(t, storetest.Postgres, demo))
	s := d.site
	ctx := context.Background()
	hybrid, err := forums.BySlug(ctx, s.db.DB, "sesion-hibrida-infraestructuras")
	if err != nil {
		t.Fatal(err)
	}
	one := 1
	if _, err := s.app.Registration.Configure(ctx, audit.Actor{}, d.processID, hybrid.ID, registration.SettingsInput{InPerson: &one}); err != nil {
		t.Fatal(err)
	}
	seated := s.user("sentada@example.org", false)
	r, _, err := s.app.Registration.Register(ctx, hybrid.ID, registration.Owner{AccountID: seated.ID, Name: "Persona Sentada",
		Email: seated.Email, Language: "es"}, registration.Form{Mode: registration.ModeInPerson, Group: "government", Role: "participant",
		PrivacyVersion: privacy.Version})
	if err != nil || r.Status != registration.StatusConfirmed {
		t.Fatalf("the seat's holder: %+v %v", r, err)
	}
	org := s.user("puerta@example.org", false)
	if err := s.app.Access.Grant(ctx, audit.Actor{}, org.ID, access.Organiser, d.processID, 0); err != nil {
		t.Fatal(err)
	}
	guest, door := tab(t), tab(t)
	for _, tb := range []context.Context{guest, door} {
		if err := chromedp.Do(tb, chromedp.EmulateViewport(390, 844)); err != nil {
			t.Fatal(err)
		}
	}
	var link string
	steps := []struct {
		name string
		do   func() error
	}{
		{"a guest opens the session's page and chooses to register", func() error {
			return chromedp.Do(guest, chromedp.Navigate(s.base+"/forums/sesion-hibrida-infraestructuras"), waitLang("es"),
				chromedp.Click(chromedp.CSS(`a[href$="/register"].button`)), waitText("Inscripción a «Sesión híbrida"))
		}},
		{"fills in name, address, mode, sector and consent, and sends", func() error {
			return chromedp.Do(guest, fill(map[string]string{"name": "Invitada Ramírez", "email": "invitada@example.org",
				"stakeholder_group": "civil_society"}),
				chromedp.Click(chromedp.ID("f-mode-in_person")), chromedp.Click(chromedp.ID("f-privacy")),
				chromedp.Click(chromedp.CSS(`main form.stack button[type=submit]`)), waitText("Revisa tu correo"), waitText("invitada@example.org"))
		}},
		{"the mail holds the link", func() error {
			m, err := mail.Latest(ctx, s.db.DB, "invitada@example.org")
			if err != nil {
				return err
			}
			link = regexp.MustCompile(`https?://\S+/registrations/guest/\S+`).FindString(m.Text)
			if link == "" {
				return fmt.Errorf("no link in %q", m.Text)
			}
			return nil
		}},
		{"the link asks to confirm the address", func() error {
			return chromedp.Do(guest, chromedp.Navigate(link), waitText("Confirma que invitada@example.org es tu correo"),
				chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), waitText("Confirmaste tu correo"))
		}},
		{"the guest sees their place on the waiting list", func() error {
			return chromedp.Do(guest, waitText("En lista de espera"), waitText("Ocupas el lugar 1 de la lista de espera"))
		}},
		{"an organiser signs in on a phone", func() error {
			return chromedp.Do(door, chromedp.Navigate(s.base+"/signin"),
				fill(map[string]string{"email": org.Email, "password": "correct horse battery"}),
				chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)), waitText("Mis procesos"))
		}},
		{"opens the door's page", func() error {
			return chromedp.Do(door, chromedp.Navigate(fmt.Sprintf("%s/admin/forums/%d/checkin", s.base, hybrid.ID)),
				waitText("Han llegado"), waitJS("the counts", `document.querySelector('[data-count="checked_in"]').textContent === "0" && document.querySelector('[data-count="confirmed"]').textContent === "1"`))
		}},
		{"types the badge's code, loosely, and checks the person in", func() error {
			code := r.Code[:5] + " " + r.Code[5:]
			return chromedp.Do(door, fill(map[string]string{"code": code}),
				chromedp.Click(chromedp.CSS(`form.checkin-code button[type=submit]`)), waitText("Persona Sentada"),
				waitJS("one checked in", `document.querySelector('[data-count="checked_in"]').textContent === "1"`),
				waitJS("the field ready for the next code", `document.activeElement.id === "f-code" && document.activeElement.value === ""`))
		}},
		{"the same code again says when they came", func() error {
			return chromedp.Do(door, fill(map[string]string{"code": r.Code}),
				chromedp.Click(chromedp.CSS(`form.checkin-code button[type=submit]`)), waitText("ya registró su entrada"))
		}},
		{"nothing on the phone is wider than the screen", func() error {
			for _, tb := range []context.Context{guest, door} {
				w, err := chromedp.Run(tb, chromedp.Evaluate[int64](pageWidth))
				if err != nil {
					return err
				}
				if w > 390 {
					return fmt.Errorf("the page is %d px wide", w)
				}
			}
			return nil
		}},
		{"the registrants page follows changes as they happen", func() error {
			if err := chromedp.Do(door, chromedp.Navigate(fmt.Sprintf("%s/admin/forums/%d/registrants", s.base, hybrid.ID))); err != nil {
				return err
			}
			before, err := chromedp.Run(door, chromedp.Text(`dd[data-count="waitlisted"]`))
			if err != nil {
				return err
			}
			if before != "1" {
				return fmt.Errorf("%q waiting before the seat is given back", before)
			}
			if _, err := s.app.Registration.Cancel(ctx, r.ID, registration.Holder{AccountID: seated.ID}); err != nil {
				return err
			}
			_, err = chromedp.Run(door, chromedp.Poll[bool](`document.querySelector('dd[data-count="waitlisted"]').textContent.trim() === "0"`,
				chromedp.WithPollingTimeout(15*time.Second)))
			return err
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
