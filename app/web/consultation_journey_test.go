//go:build !race

// Browser tests run in make test's plain pass: see a11y_test.go.

package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// TestJourneyConsultation, on a phone-sized window: a person signs in and comments on paragraph
// 4 by tapping it (its thread opens in place); another supports the comment; a comment flagged
// by a reader is hidden by a moderator with a reason and is gone for the public; an organiser
// records the first comment as an input and answers it; version 2 edits paragraph 4 and the
// comment is still shown on it, marked as made on the changed paragraph, with its answer; the
// report's CSV download holds the comment and its answer.
func TestJourneyConsultation(t *testing.T) {
	t.Parallel()
	db := storetest.OpenFrom(t, storetest.Postgres, demo)
	d := newDemoSite(t, db)
	ctx := context.Background()
	now := d.clock.Now()
	opens, closes := now.Add(-time.Hour), now.Add(14*24*time.Hour)
	admin := consultation.Who{IsAdmin: true}
	draft, err := d.app.Consultation.CreateDraft(ctx, admin, d.processID, consultation.DraftInput{
		Title: translated.Text{"es": "Borrador para la consulta", "en": "Draft for consultation"}, OpensAt: &opens, ClosesAt: &closes})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.app.Consultation.PublishVersion(ctx, admin, draft.ID, strategyV1, ""); err != nil {
		t.Fatal(err)
	}
	for email, role := range map[string]access.Role{"modera@example.org": access.Moderator, "organiza@example.org": access.Organiser} {
		a := d.user(email, false)
		if err := d.app.Access.Grant(ctx, audit.Actor{}, a.ID, role, d.processID, 0); err != nil {
			t.Fatal(err)
		}
	}
	d.user("ana@example.org", false)
	d.user("beto@example.org", false)
	ana, beto, mod, org, public := tab(t), tab(t), tab(t), tab(t), tab(t)
	for _, tb := range []context.Context{ana, beto, mod, org, public} {
		if err := chromedp.Do(tb, chromedp.EmulateViewport(390, 844)); err != nil {
			t.Fatal(err)
		}
	}
	page := fmt.Sprintf("%s/drafts/%d", d.base, draft.ID)
	click := func(sel string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(sel)) }
	v2 := strings.Replace(strategyV1, "se revisará con salvaguardas de derechos humanos.",
		"se revisará con salvaguardas explícitas de derechos humanos y libertad de expresión.", 1)
	var input string
	steps := []struct {
		name string
		do   func() error
	}{
		{"four people sign in", func() error {
			for tb, email := range map[context.Context]string{ana: "ana@example.org", beto: "beto@example.org", mod: "modera@example.org",
				org: "organiza@example.org"} {
				if err := chromedp.Do(tb, chromedp.Navigate(d.base+"/signin"), fill(map[string]string{"email": email, "password": "correct horse battery"}),
					sendForm(`form[action="/signin"] button[type=submit]`), waitText("Cerrar sesión")); err != nil {
					return fmt.Errorf("%s: %w", email, err)
				}
			}
			return nil
		}},
		{"a tap on paragraph 4 opens its thread in place, and she comments", func() error {
			return chromedp.Do(ana, chromedp.Navigate(page), waitText("Comentar el párrafo 4"), click("#p-4 .para-text"),
				waitJS("the thread in place", `document.querySelector("#p-4 .thread-slot textarea") !== null && !document.querySelector("#p-4 .thread-slot").hidden`),
				waitJS("the link saying so", `document.querySelector("#p-4 .thread-link").getAttribute("aria-expanded") === "true"`),
				fill(map[string]string{"body": "¿Qué salvaguardas? Pido control judicial previo.", "group": "civil_society"}),
				sendForm("#p-4 .thread-slot form.comment-form button[type=submit]"), waitText("Tu comentario está publicado."),
				waitText("¿Qué salvaguardas? Pido control judicial previo."))
		}},
		{"another supports it", func() error {
			return chromedp.Do(beto, chromedp.Navigate(page+"/paragraphs/4"), waitText("¿Qué salvaguardas?"),
				sendForm(`form[action$="/support"] button`), waitText("Apoyas este comentario."), waitText("Apoyar (1)"))
		}},
		{"he writes an insult on paragraph 2, which she flags", func() error {
			if err := chromedp.Do(beto, chromedp.Navigate(page), click("#p-2 .thread-link"),
				waitJS("the thread in place", `document.querySelector("#p-2 .thread-slot textarea") !== null`),
				fill(map[string]string{"body": "Quien escribió esto es un inútil.", "group": "academia"}),
				sendForm("#p-2 .thread-slot form.comment-form button[type=submit]"), waitText("Tu comentario está publicado.")); err != nil {
				return err
			}
			return chromedp.Do(ana, chromedp.Navigate(page+"/paragraphs/2"), waitText("es un inútil"), sendForm(`form[action$="/flag"] button`),
				waitText("moderación revisará este comentario"))
		}},
		{"a moderator hides it with a reason", func() error {
			return chromedp.Do(mod, chromedp.Navigate(page+"/moderate"), waitText("1 aviso"), click("details.more-row summary"),
				waitJS("the reasons", `document.querySelector("details.more-row").open`),
				chromedp.SetValue(chromedp.CSS(`form[action$="/hide"] select`), "offensive"),
				sendForm(`form[action$="/hide"] button`), waitText("La moderación quedó registrada."))
		}},
		{"the public no longer sees it", func() error {
			return chromedp.Do(public, chromedp.Navigate(page+"/paragraphs/2"), waitText("Todavía no hay comentarios"),
				waitJS("the insult gone", `!document.body.innerText.includes("inútil")`))
		}},
		{"an organiser records the comment as an input and answers it", func() error {
			if err := chromedp.Do(org, chromedp.Navigate(page+"/paragraphs/4"), waitText("¿Qué salvaguardas?"),
				waitJS("the input form opened", `(() => { const s = [...document.querySelectorAll("summary")].find(s => s.textContent.includes("Registrar como aporte")); s.click(); return s.parentElement.open })()`),
				chromedp.SetValue(chromedp.CSS(`form[action$="/input"] select[name="kind"]`), "recommendation"),
				sendForm(`form[action$="/input"] button[type=submit]`), waitText("quedó registrado como aporte"), waitText("Pendiente")); err != nil {
				return err
			}
			ref, err := chromedp.Run(org, chromedp.Evaluate[string](`document.querySelector(".answer a").getAttribute("href")`))
			if err != nil {
				return err
			}
			input = strings.TrimPrefix(ref, "/inputs/")
			return chromedp.Do(org, sendForm(".answer a"), waitText("Se escuchó en la consulta pública de"),
				fill(map[string]string{"status": "adopted", "rationale": "Se añadió el control judicial al eje del marco jurídico.", "section": "Eje E7"}),
				sendForm(`form[action$="/disposition"] button[type=submit]`), waitText("Registrado."))
		}},
		{"version 2 edits paragraph 4", func() error {
			return chromedp.Do(org, chromedp.Navigate(fmt.Sprintf("%s/admin/drafts/%d", d.base, draft.ID)), waitText("Publicar la versión 2"),
				fill(map[string]string{"body": v2, "note": "Más salvaguardas."}), sendForm(`form[action$="/versions"] button[type=submit]`),
				waitText("La nueva versión está publicada"))
		}},
		{"the comment is still on paragraph 4, marked, with its answer", func() error {
			return chromedp.Do(public, chromedp.Navigate(page), click("#p-4 .para-text"),
				waitJS("the thread in place", `!document.querySelector("#p-4 .thread-slot").hidden`),
				waitText("salvaguardas explícitas"), waitText("¿Qué salvaguardas? Pido control judicial previo."),
				waitText("hecho sobre el párrafo 4 de la versión 1, que cambió"),
				waitText("Recogido en el aporte "+input+": Adoptado"), waitText("Se añadió el control judicial al eje del marco jurídico."))
		}},
		{"the report's CSV holds the comment and its answer", func() error {
			return chromedp.Do(public, chromedp.Navigate(page+"/report"), waitText("Descargar en CSV"),
				waitJS("the download asked for", `(fetch(document.querySelector('a[href$="/report.csv"]').href).then(r => r.text()).then(t => window.csv = t), true)`),
				waitJS("the CSV", `typeof window.csv === "string" && window.csv.includes("¿Qué salvaguardas? Pido control judicial previo.") &&
					window.csv.includes("`+input+`,adopted,Se añadió el control judicial al eje del marco jurídico.,Eje E7") && !window.csv.includes("inútil")`))
		}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			for name, tb := range map[string]context.Context{"ana": ana, "moderator": mod, "organiser": org, "public": public} {
				said, err := chromedp.Run(tb, chromedp.Evaluate[string](`location.href + " / " + document.querySelector("main").innerText.slice(0, 400)`))
				t.Logf("%s: %s %v", name, said, err)
			}
			screenshot(t, ana)
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
