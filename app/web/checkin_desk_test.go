//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestCheckInDesk: at the door, on a laptop, an organiser turns the camera on and holds up a
// badge (Chromium's fake camera plays the badge's own QR code): the person is checked in and
// named in large type, once however long the badge stays in view. Then a USB scanner types two
// codes, each followed by Enter, without anyone touching the field: both are checked in, and
// the count follows. A second desk sees the arrivals and is told when someone already came.
func TestCheckInDesk(t *testing.T) {
	t.Parallel()
	d := newDemoSite(t, storetest.OpenFrom(t, storetest.Postgres, demo))
	s := d.site
	ctx := context.Background()
	hybrid, q := demoHybrid(t, s.db)
	desk, second := tab(t), tab(t) // the browser, and its camera's file, start with the first
	codes := map[string]string{}
	for _, name := range []string{"Ana Escaneada", "Beto Lector", "Carla Lectora"} {
		a := s.user(fmt.Sprintf("desk-%d@example.org", len(codes)), false)
		r, _, err := s.app.Registration.Register(ctx, hybrid.ID, registration.Owner{AccountID: a.ID, Name: name, Email: a.Email, Language: "es"},
			registration.Form{Mode: registration.ModeInPerson, Group: "academia", Role: "participant", PrivacyVersion: privacy.Version,
				Answers: map[int64][]string{q.ID: {"2"}}})
		if err != nil || r.Status != registration.StatusConfirmed {
			t.Fatalf("%s: %+v %v", name, r, err)
		}
		codes[name] = r.Code
		if name == "Ana Escaneada" {
			// Her badge as she would show it: the QR code of her badge page.
			holder := s.client()
			holder.signedIn(a.Email)
			res := holder.get(fmt.Sprintf("/registrations/%d/badge.png", r.ID))
			qr, err := png.Decode(bytes.NewReader([]byte(res.body)))
			if err != nil {
				t.Fatalf("her badge's QR code: %d %v", res.status, err)
			}
			if err := writeY4M(shared.camera, qr); err != nil {
				t.Fatal(err)
			}
		}
	}
	org := s.user("mesa@example.org", false)
	if err := s.app.Access.Grant(ctx, audit.Actor{}, org.ID, access.Organiser, d.processID, 0); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("%s/admin/forums/%d/checkin", s.base, hybrid.ID)
	arrived := func(n int) chromedp.Action[chromedp.Void] {
		return waitJS(fmt.Sprintf("%d arrivals", n), fmt.Sprintf(`document.querySelector('[data-count="checked_in"]').textContent === "%d"`, n))
	}
	focused := waitJS("the code field focused and empty", `document.activeElement.id === "f-code" && document.activeElement.value === ""`)
	steps := []struct {
		name string
		do   func() error
	}{
		{"the organiser signs in at two desks", func() error {
			for _, tb := range []context.Context{desk, second} {
				if err := chromedp.Do(tb, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(s.base+"/signin"),
					fill(map[string]string{"email": org.Email, "password": "correct horse battery"}),
					chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)), waitText("Mis procesos"),
					chromedp.Navigate(page), waitText("Han llegado"), arrived(0)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"the code field is ready for a scanner", func() error { return chromedp.Do(desk, focused) }},
		{"the camera reads a badge and checks her in", func() error {
			return chromedp.Do(desk, chromedp.Click(chromedp.CSS(`[data-desk-camera]`)), waitText("Ana Escaneada"), waitText("Academia"), arrived(1))
		}},
		{"the badge kept in view is read once", func() error {
			if err := chromedp.Do(desk, chromedp.Sleep(3500)); err != nil {
				return err
			}
			return chromedp.Do(desk, waitText("Ana Escaneada"), waitJS("no second reading", `!document.body.innerText.includes("ya registró su entrada")`))
		}},
		{"the camera goes off; the field is focused again", func() error {
			return chromedp.Do(desk, chromedp.Click(chromedp.CSS(`[data-desk-camera]`)), focused)
		}},
		{"a USB scanner types a code and Enter", func() error {
			return chromedp.Do(desk, chromedp.KeyEvent(codes["Beto Lector"]+"\r"), waitText("Beto Lector"), arrived(2), focused)
		}},
		{"and another, without anyone touching the field", func() error {
			return chromedp.Do(desk, chromedp.KeyEvent(codes["Carla Lectora"]+"\r"), waitText("Carla Lectora"), arrived(3), focused)
		}},
		{"the second desk sees the arrivals", func() error { return chromedp.Do(second, arrived(3)) }},
		{"and is told when someone already came", func() error {
			return chromedp.Do(second, chromedp.KeyEvent(codes["Ana Escaneada"]+"\r"), waitText("ya registró su entrada"))
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
