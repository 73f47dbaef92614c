//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store/storetest"
)

// TestJourneyLiveQuestions: two attendees' browsers and a moderator's, on a premoderated
// session. One asks; the moderator's page shows it; the moderator approves it; it appears in
// the other attendee's page without a reload, and then its vote count when the asker votes;
// the moderator declines it with a reason, which its asker reads and the other does not.
func TestJourneyLiveQuestions(t *testing.T) {
	t.Parallel()
	d := newDemoSite(t, storetest.OpenFrom(t, storetest.Postgres, demo))
	s, _ := qaSession(t, d, forums.QAPremoderated)
	d.user("ana@example.org", false)
	d.user("luis@example.org", false)
	page := fmt.Sprintf("%s/sessions/%d/questions", d.base, s.ID)
	asker, watcher, mod := tab(t), tab(t), tab(t)
	body := "¿Quién revisará el cumplimiento de la estrategia?"
	// connected waits for the page's socket, and marks the page, so a reload would show.
	connected := waitJS("the live socket", `document.querySelector('[data-live="up"]') !== null && ((window.convenedMark = 1), true)`)
	steps := []struct {
		name string
		do   func() error
	}{
		{"three people sign in", func() error {
			for tb, email := range map[context.Context]string{asker: "ana@example.org", watcher: "luis@example.org", mod: "moderadora@example.org"} {
				err := chromedp.Do(tb, chromedp.Navigate(d.base+"/signin"), fill(map[string]string{"email": email, "password": "correct horse battery"}),
					chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)), waitText("Cerrar sesión"))
				if err != nil {
					return fmt.Errorf("%s: %w", email, err)
				}
			}
			return nil
		}},
		{"the pages open", func() error {
			for tb, path := range map[context.Context]string{asker: page, watcher: page, mod: page + "/moderate"} {
				if err := chromedp.Do(tb, chromedp.Navigate(path), connected); err != nil {
					return err
				}
			}
			return nil
		}},
		{"one asks", func() error {
			return chromedp.Do(asker, fill(map[string]string{"body": body}), chromedp.Click(chromedp.CSS(`form.ask button[type=submit]`)),
				waitText("Tu pregunta espera a la moderación"), connected)
		}},
		{"the moderator's page shows it in place, and says so to a screen reader", func() error {
			return chromedp.Do(mod, waitText(body), waitJS("no reload", `window.convenedMark === 1`),
				waitJS("announced", `document.querySelector("[data-announce]").textContent.includes("espera de moderación")`))
		}},
		{"the moderator approves", func() error {
			return chromedp.Do(mod, chromedp.Click(chromedp.CSS(`li.question button[data-key="a"]`)), waitText("Hecho."), connected)
		}},
		{"the other attendee sees it, without a reload", func() error {
			return chromedp.Do(watcher, waitText(body), waitJS("no reload", `window.convenedMark === 1`))
		}},
		{"the asker votes; the count reaches the other", func() error {
			if err := chromedp.Do(asker, waitText(body), waitJS("the vote button", `document.querySelector("li.question button.vote") !== null`),
				chromedp.Click(chromedp.CSS(`li.question button.vote`))); err != nil {
				return err
			}
			return chromedp.Do(watcher, waitJS("one vote", `[...document.querySelectorAll("li.question [data-votes]")].some(e => e.textContent === "1")`),
				waitJS("no reload", `window.convenedMark === 1`))
		}},
		{"the moderator declines it with a reason", func() error {
			return chromedp.Do(mod, waitText(body), chromedp.SetValue(chromedp.CSS(`li.question select[name=reason]`), "personal_data"),
				chromedp.Click(chromedp.CSS(`li.question button[data-key="h"]`)), waitText("Hecho."))
		}},
		{"its asker reads why; the other does not", func() error {
			if err := chromedp.Do(asker, waitJS("the reason", `document.querySelector('[data-list="mine"]').innerText.includes("Datos personales")`),
				waitJS("no reload", `window.convenedMark === 1`)); err != nil {
				return err
			}
			return chromedp.Do(watcher, waitJS("the question gone", fmt.Sprintf(`!document.body.innerText.includes(%q)`, body)),
				waitJS("no reason shown", `document.querySelector("[data-mine-section]").hidden && !document.querySelector("main ol").innerText.includes("Datos personales")`))
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
