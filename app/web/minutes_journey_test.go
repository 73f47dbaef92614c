//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/store/storetest"
)

// offline cuts the tab's network (every request fails, and the page learns it is offline), or
// brings it back.
func offline(cut bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: cut, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: cut, DownloadThroughput: -1,
			UploadThroughput: -1})
		return err
	})
}

// TestJourneyMinutes: a rapporteur drafts minutes, importing two questions as inputs and
// tagging them, and goes on typing while the network is cut: nothing is lost once it returns.
// They send the minutes to review; a participant proposes a correction, which the rapporteur
// accepts; an organiser asks for a change, then publishes; the public opens an input's page and
// reads its story, and what became of it once recorded; a correction makes version 2, and the
// diff shows what changed.
func TestJourneyMinutes(t *testing.T) {
	t.Parallel()
	db := storetest.OpenFrom(t, storetest.Postgres, demo)
	x := newMinutesFixture(t, db)
	d := x.d
	edit := d.base + x.page + "/edit"
	rapporteur, participant, organiser, public := tab(t), tab(t), tab(t), tab(t)
	summary := func() string {
		var s string
		if err := db.NewSelect().Table("minutes").Column("summary").Where("session_id = ?", x.session.ID).Scan(context.Background(), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// status waits for the editor's own word on its saving.
	status := func(text string) chromedp.Action[chromedp.Void] {
		return waitJS("the editor saying "+text, fmt.Sprintf(`document.querySelector("[data-save-status]").textContent.startsWith(%q)`, text))
	}
	// atEnd puts the caret at the end of a field, where a person goes on typing.
	atEnd := func(id string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const el = document.getElementById(%q); el.focus();
				el.setSelectionRange(el.value.length, el.value.length); return document.activeElement === el })()`, id))(ctx, tg)
			return err
		})
	}
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	// The page's own confirm() says yes, as a person would.
	sayYes := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`window.confirm = () => true; true`)(ctx, tg)
		return err
	})
	steps := []struct {
		name string
		do   func() error
	}{
		{"three people sign in", func() error {
			for tb, email := range map[context.Context]string{rapporteur: "relatora@example.org", participant: "estuvo@example.org",
				organiser: "organiza@example.org"} {
				// The browser outlives a test: a site of an earlier run may have had this address.
				err := chromedp.Do(tb, chromedp.Navigate(d.base+"/signin"), waitJS("a clean storage", `(localStorage.clear(), true)`),
					fill(map[string]string{"email": email, "password": "correct horse battery"}),
					sendForm(`form[action="/signin"] button[type=submit]`), waitText("Cerrar sesión"))
				if err != nil {
					return fmt.Errorf("%s: %w", email, err)
				}
			}
			return nil
		}},
		{"the rapporteur imports two questions and saves", func() error {
			return chromedp.Do(rapporteur, chromedp.Navigate(edit), waitText("Importar desde las preguntas"),
				fill(map[string]string{"summary": "Se habló de capacidades."}),
				click(fmt.Sprintf(`#import-%d`, x.answered)), click(fmt.Sprintf(`#import-%d`, x.named)),
				sendForm(`button[value="save"]`), waitText("Borrador guardado."), waitText("Aporte ENCS2017-0007"))
		}},
		{"and tags them", func() error {
			return chromedp.Do(rapporteur, click(fmt.Sprintf(`[id="inputs.0.t%d"]`, x.topic)), click(fmt.Sprintf(`[id="inputs.1.t%d"]`, x.topic)),
				sendForm(`button[value="save"]`), waitText("Borrador guardado."),
				waitJS("tagged", fmt.Sprintf(`document.getElementById("inputs.1.t%d").checked`, x.topic)))
		}},
		{"types on while the network is cut, and nothing is lost", func() error {
			err := chromedp.Do(rapporteur, waitJS("the editor's script", `document.querySelector("[data-save-status]") !== null`),
				atEnd("f-summary"), chromedp.KeyEvent(" Hubo acuerdo"),
				status("Borrador guardado."), offline(true), chromedp.KeyEvent(" en casi todo"),
				status("Sin conexión"), chromedp.KeyEvent(", salvo en lo jurídico."))
			if err != nil {
				return err
			}
			if s := summary(); strings.Contains(s, "casi todo") {
				return fmt.Errorf("saved while offline: %q", s)
			}
			if err := chromedp.Do(rapporteur, offline(false), status("Borrador guardado.")); err != nil {
				return err
			}
			if s := summary(); s != "Se habló de capacidades. Hubo acuerdo en casi todo, salvo en lo jurídico." {
				return fmt.Errorf("after the network came back, the summary is %q", s)
			}
			return nil
		}},
		{"sends them to review", func() error {
			return chromedp.Do(rapporteur, sendForm(`button[value="submit"]`), waitText("La relatoría está en revisión."))
		}},
		{"a participant proposes a correction", func() error {
			return chromedp.Do(participant, chromedp.Navigate(d.base+x.page+"/review"), waitText("Proponer una corrección"),
				click(`#input-7 summary`), fill(map[string]string{"inputs.1.body": "Se citaron Estonia, Chile y Uruguay."}), sendForm(`#input-7 button[type=submit]`), waitText("Tu corrección se envió"))
		}},
		{"the rapporteur accepts it", func() error {
			return chromedp.Do(rapporteur, chromedp.Navigate(edit), waitText("Correcciones propuestas"), sendForm(`button[value="accept"]`),
				waitText("Tu respuesta quedó registrada."), waitText("Aceptada"))
		}},
		{"an organiser asks for a change", func() error {
			return chromedp.Do(organiser, chromedp.Navigate(edit), waitText("Publicar o pedir cambios"),
				fill(map[string]string{"request": "Añadan el número de asistentes."}), sendForm(`form[action$="/send-back"] button`),
				waitText("La relatoría volvió a la persona relatora"))
		}},
		{"the rapporteur reads it and submits again", func() error {
			return chromedp.Do(rapporteur, chromedp.Navigate(edit), waitText("Añadan el número de asistentes."), sendForm(`button[value="submit"]`),
				waitText("La relatoría está en revisión."))
		}},
		{"the organiser publishes", func() error {
			return chromedp.Do(organiser, chromedp.Navigate(edit), waitText("Publicar la relatoría"), sayYes,
				sendForm(`form[action$="/publish"] button`), waitText("La relatoría está publicada."), waitText("Versión 1"))
		}},
		{"the public opens an input's page and reads its story", func() error {
			return chromedp.Do(public, chromedp.Navigate(d.base+x.page), waitText("Versión 1"), click(`a[href="/inputs/ENCS2017-0007"]`),
				waitText("Su recorrido"), waitText("Se hizo una pregunta en la sesión"), waitText("Corregido en la revisión"),
				waitText("Registrado en la relatoría (versión 1)"))
		}},
		{"the organiser records what became of it; the public reads it", func() error {
			if err := chromedp.Do(organiser, chromedp.Navigate(d.base+"/inputs/ENCS2017-0007"), waitText("Registrar qué se hizo con él"),
				fill(map[string]string{"status": "adopted", "rationale": "Se tomaron como referencia."}),
				sendForm(`form[action$="/disposition"] button`), waitText("Registrado.")); err != nil {
				return err
			}
			return chromedp.Do(public, chromedp.Reload(), waitText("Se tomaron como referencia."), waitText("Los organizadores registraron: Adoptado"))
		}},
		{"a correction makes version 2, and the diff shows it", func() error {
			if err := chromedp.Do(organiser, chromedp.Navigate(edit), waitText("Publicar la corrección"),
				fill(map[string]string{"inputs.1.body": "Se citaron Estonia, Chile, Uruguay y Colombia.", "reason": "Faltaba Colombia."}), sendForm(`button[value="correct"]`),
				waitText("La corrección se publicó como una nueva versión.")); err != nil {
				return err
			}
			return chromedp.Do(public, chromedp.Navigate(d.base+x.page), waitText("Versión 2"), click(`a[href*="/diff?from=1"]`),
				waitText("Qué cambió de la versión 1 a la 2"), waitJS("Colombia inserted", `[...document.querySelectorAll("ins")].some(e => e.textContent.includes("Colombia"))`))
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			// Where the two writers were, and what their pages said, tells most failures apart.
			for name, tb := range map[string]context.Context{"rapporteur": rapporteur, "participant": participant} {
				said, err := chromedp.Run(tb, chromedp.Evaluate[string](`location.href + " / " + String((document.querySelector("[data-save-status]") || {}).textContent) + " / " + document.querySelector("main").innerText.slice(0, 500)`))
				t.Logf("%s: %s %v", name, said, err)
			}
			screenshot(t, rapporteur)
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
