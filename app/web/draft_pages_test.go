package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/store/storetest"
)

const strategyV1 = `# Objetivo general

Fortalecer las capacidades del Estado para prevenir y responder a incidentes.

# Ejes transversales

La cultura de ciberseguridad se promoverá en escuelas, empresas y gobierno.

La cooperación internacional seguirá los foros multilaterales.

El marco jurídico se revisará con salvaguardas de derechos humanos.`

// TestDraftPages: an organiser begins a draft and publishes it through the forms; members
// comment on a paragraph (a quote not in it is refused naming the field), support, flag and
// mark; a moderator hides a flagged comment with a reason, after which it is gone from the
// pages for everyone but its author and the moderators; version 2 edits the paragraph and the
// comment stays on it, marked as made on the changed paragraph; the diff shows the edit with
// the comment it answers; after the period closes a comment is refused saying so and nothing
// is written; every role meets its guard.
func TestDraftPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		org := d.organiser("org@example.org")
		member := func(email string) *client {
			d.user(email, false)
			c := d.client()
			c.signIn(email)
			return c
		}
		ana, beto, anon := member("ana@example.org"), member("beto@example.org"), d.client()
		mod := member("mod@example.org")
		var modID int64
		if err := db.NewSelect().Table("accounts").Column("id").Where("email = ?", "mod@example.org").Scan(ctx, &modID); err != nil {
			t.Fatal(err)
		}
		if err := d.app.Access.Grant(ctx, audit.Actor{}, modID, access.Moderator, d.processID, 0); err != nil {
			t.Fatal(err)
		}
		zone, _ := time.LoadLocation("America/Mexico_City")
		now := d.clock.Now().In(zone)
		settings := url.Values{"title.es": {"Borrador de la Estrategia"}, "title.en": {"Draft Strategy"},
			"opens_at": {now.Add(-time.Hour).Format("2006-01-02T15:04")}, "closes_at": {now.Add(7 * 24 * time.Hour).Format("2006-01-02T15:04")}}
		draftID := func() int64 {
			var id int64
			if err := db.NewSelect().Table("drafts").ColumnExpr("MAX(id)").Scan(ctx, &id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		at := func(format string) func() string { return func() string { return fmt.Sprintf(format, draftID()) } }
		commentID := func() int64 {
			var id int64
			if err := db.NewSelect().Table("draft_comments").ColumnExpr("MAX(id)").Scan(ctx, &id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		onComment := func(action string) func() string {
			return func() string { return fmt.Sprintf("/comments/%d/%s", commentID(), action) }
		}
		v2 := strings.Replace(strategyV1, "se revisará con salvaguardas de derechos humanos.",
			"se revisará con salvaguardas explícitas de derechos humanos y libertad de expresión.", 1)
		runAll(t, []scenario{
			{name: "a member may not begin a draft", as: ana, method: "POST", url: "/admin/processes/encs-2017/drafts", form: settings,
				status: http.StatusForbidden, unchanged: []string{"drafts"}},
			{name: "a draft needs its title in every language", as: org, method: "POST", url: "/admin/processes/encs-2017/drafts",
				form: url.Values{"title.es": {"Borrador"}}, status: http.StatusUnprocessableEntity,
				contains: []string{`id="e-title.en"`, "Error:"}, unchanged: []string{"drafts"}},
			{name: "a period that closes before it opens is refused", as: org, method: "POST", url: "/admin/processes/encs-2017/drafts",
				form:   url.Values{"title.es": {"B"}, "title.en": {"B"}, "opens_at": {"2026-12-10T10:00"}, "closes_at": {"2026-12-09T10:00"}},
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-closes_at"`, "El cierre debe ser posterior"}, unchanged: []string{"drafts"}},
			{name: "an organiser begins a draft", as: org, method: "POST", url: "/admin/processes/encs-2017/drafts", form: settings, status: http.StatusSeeOther},
			{name: "an unpublished draft is not public", as: anon, method: "GET", at: at("/drafts/%d"), status: http.StatusNotFound},
			{name: "a text without paragraphs is refused", as: org, method: "POST", at: at("/admin/drafts/%d/versions"), form: url.Values{"body": {"# Solo un título"}},
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-body"`, "no tiene ningún párrafo"}, unchanged: []string{"draft_versions"}},
			{name: "an unpublished draft is not there for a member", as: ana, method: "POST", at: at("/admin/drafts/%d/versions"), form: url.Values{"body": {strategyV1}},
				status: http.StatusNotFound, unchanged: []string{"draft_versions"}},
			{name: "the organiser publishes version 1", as: org, method: "POST", at: at("/admin/drafts/%d/versions"), form: url.Values{"body": {strategyV1}},
				status: http.StatusSeeOther},
			{name: "the process page leads to the draft", as: anon, method: "GET", url: "/processes/encs-2017", status: http.StatusOK,
				contains: []string{"Lee y comenta: Borrador de la Estrategia", "Abierto a comentarios"}},
			{name: "the draft, its sections and numbered paragraphs", as: anon, method: "GET", at: at("/drafts/%d"), status: http.StatusOK,
				contains: []string{"Borrador de la Estrategia", `<h2 id="s-1">Ejes transversales</h2>`, `id="p-4"`, "Comentar el párrafo 4", "Recibe comentarios hasta el",
					"Entra para comentar"}},
			{name: "a visitor reads paragraph 4 and is asked to sign in", as: anon, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				contains: []string{"Párrafo 4: Borrador de la Estrategia", "salvaguardas de derechos humanos", "Para comentar, entra con tu cuenta"},
				absent:   []string{`name="body"`}},
			{name: "no paragraph 9", as: anon, method: "GET", at: at("/drafts/%d/paragraphs/9"), status: http.StatusNotFound},
			{name: "a quote not in the paragraph is refused naming the field", as: ana, method: "POST", at: at("/drafts/%d/comments"),
				form:   url.Values{"version": {"1"}, "paragraph": {"4"}, "quote": {"libertad de prensa"}, "body": {"Pido más."}, "group": {"civil_society"}},
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-quote"`, "La frase no está en el párrafo", "Pido más."}, unchanged: []string{"draft_comments"}},
			{name: "a comment needs a group", as: ana, method: "POST", at: at("/drafts/%d/comments"),
				form: url.Values{"version": {"1"}, "paragraph": {"4"}, "body": {"Pido más."}}, status: http.StatusUnprocessableEntity,
				contains: []string{`id="e-group"`, "Elige tu sector"}, unchanged: []string{"draft_comments"}},
			{name: "a visitor cannot comment", as: anon, method: "POST", at: at("/drafts/%d/comments"),
				form: url.Values{"version": {"1"}, "paragraph": {"4"}, "body": {"Hola"}, "group": {"civil_society"}}, status: http.StatusSeeOther,
				unchanged: []string{"draft_comments"}},
			{name: "a member comments on paragraph 4 quoting it", as: ana, method: "POST", at: at("/drafts/%d/comments"),
				form: url.Values{"version": {"1"}, "paragraph": {"4"}, "quote": {"salvaguardas de derechos humanos"}, "body": {"¿Qué salvaguardas? Pido control judicial."},
					"group": {"civil_society"}}, status: http.StatusSeeOther},
			{name: "her next form begins with her group", as: ana, method: "GET", at: at("/drafts/%d/paragraphs/2"), status: http.StatusOK,
				contains: []string{`<option value="civil_society" selected>`}},
			{name: "the draft counts it", as: anon, method: "GET", at: at("/drafts/%d"), status: http.StatusOK, contains: []string{"1 comentario sobre el párrafo 4"}},
			{name: "another member supports it", as: beto, method: "POST", at: onComment("support"), form: url.Values{}, status: http.StatusSeeOther},
			{name: "its author may not support it", as: ana, method: "POST", at: onComment("support"), form: url.Values{}, status: http.StatusConflict,
				contains: []string{"No puedes apoyar tu propio comentario"}},
			{name: "the thread shows the quote, the group and the support", as: beto, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				contains: []string{"«salvaguardas de derechos humanos»", "¿Qué salvaguardas? Pido control judicial.", "Sociedad civil", "Apoyar (1)", `aria-pressed="true"`}},
			{name: "a member marks the paragraph", as: beto, method: "POST", at: at("/drafts/%d/marks"),
				form: url.Values{"version": {"1"}, "paragraph": {"4"}, "mark": {"agree"}, "mark_group": {"academia"}}, status: http.StatusSeeOther},
			{name: "a mark needs its group", as: beto, method: "POST", at: at("/drafts/%d/marks"),
				form: url.Values{"version": {"1"}, "paragraph": {"4"}, "mark": {"agree"}}, status: http.StatusUnprocessableEntity,
				contains: []string{`id="e-mark_group"`}},
			{name: "the marks by group", as: anon, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				contains: []string{"1 marca por sector", "Academia"}},
			{name: "a member flags the comment", as: beto, method: "POST", at: onComment("flag"), form: url.Values{}, status: http.StatusSeeOther},
			{name: "a member may not moderate", as: beto, method: "GET", at: at("/drafts/%d/moderate"), status: http.StatusForbidden},
			{name: "a member may not hide", as: beto, method: "POST", at: onComment("hide"), form: url.Values{"reason": {"offensive"}}, status: http.StatusForbidden},
			{name: "the moderator's queue has it", as: mod, method: "GET", at: at("/drafts/%d/moderate"), status: http.StatusOK,
				contains: []string{"1 aviso", "¿Qué salvaguardas?"}},
			{name: "hiding takes a reason from the list", as: mod, method: "POST", at: onComment("hide"), form: url.Values{"reason": {"because"}},
				status: http.StatusUnprocessableEntity},
			{name: "the moderator hides it with a reason", as: mod, method: "POST", at: onComment("hide"),
				form: url.Values{"reason": {"personal_data"}, "note": {"Nombra a una persona."}}, status: http.StatusSeeOther},
			{name: "a hidden comment is gone for the public", as: anon, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				absent: []string{"¿Qué salvaguardas?"}, contains: []string{"Todavía no hay comentarios"}},
			{name: "and for other members", as: beto, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK, absent: []string{"¿Qué salvaguardas?"}},
			{name: "its author reads why", as: ana, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				contains: []string{"¿Qué salvaguardas?", "Moderación ocultó este comentario: datos personales", "Nombra a una persona."}},
			{name: "the public count of what moderators hid", as: anon, method: "GET", at: at("/drafts/%d"), status: http.StatusOK,
				contains: []string{"Moderación ocultó 1 comentario.", "datos personales: 1"}, absent: []string{"1 comentario sobre el párrafo 4"}},
			{name: "the moderator restores it", as: mod, method: "POST", at: onComment("restore"), form: url.Values{}, status: http.StatusSeeOther},
			{name: "a member may not record an input", as: beto, method: "POST", at: onComment("input"),
				form: url.Values{"kind": {"recommendation"}, "body": {"Control judicial"}}, status: http.StatusForbidden, unchanged: []string{"inputs"}},
			{name: "an input that does not exist is refused naming it", as: org, method: "POST", at: onComment("input"), form: url.Values{"ref": {"ENCS2017-9999"}},
				status: http.StatusUnprocessableEntity, contains: []string{"No hay ningún aporte ENCS2017-9999 en este proceso."}, unchanged: []string{"inputs"}},
			{name: "the organiser records the comment as an input", as: org, method: "POST", at: onComment("input"),
				form: url.Values{"kind": {"recommendation"}, "body": {"Control judicial previo de toda vigilancia."}, "groups": {"civil_society"}}, status: http.StatusSeeOther},
			{name: "and answers it, which its author and its supporter hear by mail", as: org, method: "POST", url: "/inputs/ENCS2017-0007/disposition",
				form: url.Values{"status": {"adopted"}, "rationale": {"Se añadió al eje del marco jurídico."}, "section": {"E7"}}, status: http.StatusSeeOther,
				after: func(t *testing.T, _ *response) {
					m, err := mail.Latest(ctx, db.DB, "ana@example.org")
					if err != nil || m.Subject != "Tu comentario llegó a la estrategia: ENCS2017-0007 fue adoptado" ||
						!strings.Contains(m.Text, "Se añadió al eje del marco jurídico.") || !strings.Contains(m.Text, "/paragraphs/4#c-") {
						t.Fatalf("the author's mail: %+v %v", m, err)
					}
					m, err = mail.Latest(ctx, db.DB, "beto@example.org")
					if err != nil || m.Subject != "Un comentario que apoyaste llegó a la estrategia: ENCS2017-0007 fue adoptado" ||
						!strings.Contains(m.Text, "que recoge un comentario que apoyaste sobre el borrador") || !strings.Contains(m.Text, "/paragraphs/4#c-") {
						t.Fatalf("the supporter's mail: %+v %v", m, err)
					}
				}},
			{name: "the input's page names the draft and the comment", as: anon, method: "GET", url: "/inputs/ENCS2017-0007", status: http.StatusOK,
				contains: []string{"Se escuchó en la consulta pública de", "Borrador de la Estrategia", "¿Qué salvaguardas? Pido control judicial.", "Se añadió al eje del marco jurídico."}},
			{name: "the draft says how many were answered", as: anon, method: "GET", at: at("/drafts/%d"), status: http.StatusOK,
				contains: []string{"1 comentario publicado: 1 recogido en aportes, 1 con respuesta."}},
			{name: "the explorer finds it with the minutes' inputs", as: anon, method: "GET", url: "/processes/encs-2017/inputs?q=control+judicial", status: http.StatusOK,
				contains: []string{`href="/inputs/ENCS2017-0007"`, "Consulta pública del borrador"}},
			{name: "and the API's", as: anon, method: "GET", url: "/api/v1/processes/encs-2017/inputs?standing=adopted", status: http.StatusOK,
				contains: []string{`"id":"ENCS2017-0007"`, `"draft":`}},
			{name: "the comment shows its answer", as: anon, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				contains: []string{"Recogido en el aporte ENCS2017-0007: Adoptado", "Se añadió al eje del marco jurídico."}},
			{name: "a member writes what will be hidden", as: beto, method: "POST", at: at("/drafts/%d/comments"),
				form: url.Values{"version": {"1"}, "paragraph": {"2"}, "body": {"Un insulto que moderación oculta."}, "group": {"academia"}}, status: http.StatusSeeOther},
			{name: "the moderator hides it", as: mod, method: "POST", at: onComment("hide"), form: url.Values{"reason": {"offensive"}}, status: http.StatusSeeOther},
			{name: "the report's CSV has the comment and its answer, not the hidden one", as: anon, method: "GET", at: at("/drafts/%d/report.csv"), status: http.StatusOK,
				contains: []string{"id,kind,reply_to,paragraph", "¿Qué salvaguardas? Pido control judicial.", "ENCS2017-0007,adopted,Se añadió al eje del marco jurídico.,E7"},
				absent:   []string{"Un insulto"}},
			{name: "and the JSON", as: anon, method: "GET", at: at("/drafts/%d/report.json"), status: http.StatusOK,
				contains: []string{`"input":"ENCS2017-0007"`, `"disposition":"adopted"`}, absent: []string{"Un insulto"}},
			{name: "and the API", as: anon, method: "GET", at: at("/api/v1/drafts/%d/comments"), status: http.StatusOK,
				contains: []string{`"text":"¿Qué salvaguardas? Pido control judicial."`}, absent: []string{"Un insulto"}},
			{name: "and the Markdown", as: anon, method: "GET", at: at("/drafts/%d/report.md"), status: http.StatusOK,
				contains: []string{"# Informe de respuestas: Borrador de la Estrategia", "ENCS2017-0007: Adoptado. Se añadió al eje del marco jurídico. (E7)"},
				absent:   []string{"Un insulto"}},
			{name: "and the report's page", as: anon, method: "GET", at: at("/drafts/%d/report"), status: http.StatusOK,
				contains: []string{"Informe de respuestas", "¿Qué salvaguardas?"}, absent: []string{"Un insulto"}},
			{name: "moderators' downloads have it, marked", as: mod, method: "GET", at: at("/drafts/%d/report.csv"), status: http.StatusOK,
				contains: []string{"Un insulto que moderación oculta.", ",hidden,offensive,"}},
			{name: "and their API", as: mod, method: "GET", at: at("/api/v1/drafts/%d/comments"), status: http.StatusOK,
				contains: []string{"Un insulto que moderación oculta.", `"status":"hidden"`}},
			{name: "the API's draft", as: anon, method: "GET", at: at("/api/v1/drafts/%d"), status: http.StatusOK,
				contains: []string{`"version":1`, `"period":"open"`, `"number":4`, "salvaguardas de derechos humanos"}},
			{name: "the API lists the process's drafts", as: anon, method: "GET", url: "/api/v1/processes/encs-2017/drafts", status: http.StatusOK,
				contains: []string{`"drafts":[`, `"es":"Borrador de la Estrategia"`, `"process":"encs-2017"`}},
			{name: "and a draft's submissions", as: anon, method: "GET", at: at("/api/v1/drafts/%d/submissions"), status: http.StatusOK,
				contains: []string{`"submissions":[]`}},
			{name: "version 2 edits paragraph 4", as: org, method: "POST", at: at("/admin/drafts/%d/versions"), form: url.Values{"body": {v2}, "note": {"Más salvaguardas"}},
				status: http.StatusSeeOther},
			{name: "the comment stays on paragraph 4, made on its changed text", as: anon, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				contains: []string{"¿Qué salvaguardas?", "salvaguardas explícitas", "hecho sobre el párrafo 4 de la versión 1, que cambió"}},
			{name: "version 1 is still readable", as: anon, method: "GET", at: at("/drafts/%d?version=1"), status: http.StatusOK,
				contains: []string{"Estás leyendo la versión 1; la más reciente es la 2"}},
			{name: "the diff shows the edit and the comment it answers", as: anon, method: "GET", at: at("/drafts/%d/diff?from=1&to=2"), status: http.StatusOK,
				contains: []string{"Cambios de la versión 1 a la 2", "<ins>", "modificado", "1 comentario sobre el párrafo 4 de la versión 1"}},
			{name: "an old version takes no comments", as: ana, method: "POST", at: at("/drafts/%d/comments"),
				form: url.Values{"version": {"1"}, "paragraph": {"4"}, "body": {"Tarde"}, "group": {"civil_society"}}, status: http.StatusConflict,
				contains: []string{"Hay una versión más reciente"}, unchanged: []string{"draft_comments"}},
			{name: "the organiser's page", as: org, method: "GET", at: at("/admin/drafts/%d"), status: http.StatusOK,
				contains: []string{"Publicar la versión 3", "Comentarios por ubicar"}},
			{name: "a member may not manage the draft", as: ana, method: "GET", at: at("/admin/drafts/%d"), status: http.StatusForbidden},
			{name: "the organiser closes the period", as: org, method: "POST", at: at("/admin/drafts/%d"), form: url.Values{"title.es": {"Borrador de la Estrategia"},
				"title.en": {"Draft Strategy"}, "opens_at": {now.Add(-2 * time.Hour).Format("2006-01-02T15:04")}, "closes_at": {now.Add(-time.Minute).Format("2006-01-02T15:04")}},
				status: http.StatusSeeOther},
			{name: "after the period closes a comment is refused saying so", as: ana, method: "POST", at: at("/drafts/%d/comments"),
				form: url.Values{"version": {"2"}, "paragraph": {"4"}, "body": {"Tarde"}, "group": {"civil_society"}}, status: http.StatusConflict,
				contains: []string{"el periodo de comentarios está cerrado", "Tarde"}, unchanged: []string{"draft_comments", "comment_supports"}},
			{name: "a closed draft shows no comment form", as: ana, method: "GET", at: at("/drafts/%d/paragraphs/4"), status: http.StatusOK,
				contains: []string{"El periodo de comentarios terminó"}, absent: []string{`name="body"`}},
		})
	})
}

// TestThreadPages: a paragraph with many comments shows them fifty at a time, the most
// supported first unless the reader asks for the newest or the oldest, with links between the
// pages; an order or a page that does not exist is not found.
func TestThreadPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		var draft consultation.Draft
		if err := db.NewSelect().Model(&draft).Limit(1).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		a, b := d.user("muchos@example.org", false), d.user("apoya@example.org", false)
		var last consultation.Comment
		for i := range 52 {
			c, err := d.app.Consultation.AddComment(ctx, consultation.Who{AccountID: a.ID, Name: a.Name}, draft.ID,
				consultation.CommentInput{Version: draft.Version, Paragraph: 1, Body: fmt.Sprintf("Comentario número %d.", i+1), Group: "academia"})
			if err != nil {
				t.Fatal(err)
			}
			if i == 20 {
				last = c
			}
		}
		if _, err := d.app.Consultation.Support(ctx, consultation.Who{AccountID: b.ID}, last.ID, true); err != nil {
			t.Fatal(err)
		}
		anon := d.client()
		page := fmt.Sprintf("/drafts/%d/paragraphs/1", draft.ID)
		first := func(body string) string {
			i := strings.Index(body, "Comentario número ")
			if i < 0 {
				return ""
			}
			return body[i : i+len("Comentario número ")+3]
		}
		runAll(t, []scenario{
			{name: "the most supported first, fifty of 52", as: anon, method: "GET", url: page, status: http.StatusOK,
				contains: []string{"52 comentarios", "Página 1 de 2", `rel="next"`}, after: func(t *testing.T, r *response) {
					if got := first(r.body); got != "Comentario número 21." {
						t.Fatalf("first: %q", got)
					}
				}},
			{name: "the second page", as: anon, method: "GET", url: page + "?sort=supported&page=2", status: http.StatusOK,
				contains: []string{"Página 2 de 2", `rel="prev"`, "Comentario número 52."}, absent: []string{"Comentario número 1."}},
			{name: "the newest first", as: anon, method: "GET", url: page + "?sort=recent", status: http.StatusOK, after: func(t *testing.T, r *response) {
				if got := first(r.body); got != "Comentario número 52." {
					t.Fatalf("first: %q", got)
				}
			}},
			{name: "no such order", as: anon, method: "GET", url: page + "?sort=random", status: http.StatusNotFound},
			{name: "no such page", as: anon, method: "GET", url: page + "?page=3", status: http.StatusNotFound},
		})
	})
}

// TestDraftFiguresCountedOncePerRevision: a signed-in reader's page of a draft is drawn for
// them, but what it counts for everyone alike (comments, marks, what was answered) is counted
// once for each content revision: the next reader's page counts nothing again, and a new
// comment is counted at once.
func TestDraftFiguresCountedOncePerRevision(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		counted := &queryCount{only: "COUNT(CASE WHEN i.standing"} // what was answered
		db = &storetest.DB{DB: db.WithQueryHook(counted), Dialect: db.Dialect, URL: db.URL, Seed: db.Seed}
		d := newDemoSite(t, db)
		ctx := context.Background()
		var draft struct {
			ID      int64 `bun:"id"`
			Version int   `bun:"version"`
		}
		if err := db.NewSelect().Table("drafts").Column("id", "version").Where("version > 0").OrderExpr("id").Limit(1).Scan(ctx, &draft); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/drafts/%d", draft.ID)
		published := regexp.MustCompile(`(\d+) comentarios? publicados?:`)
		read := func(c *client) (string, int64) {
			t.Helper()
			before := counted.n.Load()
			r := c.get(page)
			if r.status != http.StatusOK || !published.MatchString(r.body) {
				t.Fatalf("%s: %d %s", page, r.status, excerpt(r.body))
			}
			return published.FindStringSubmatch(r.body)[1], counted.n.Load() - before
		}
		members := map[string]*client{}
		for _, email := range []string{"uno@example.org", "dos@example.org"} {
			d.user(email, false)
			members[email] = d.client()
			members[email].signIn(email)
		}
		first, n := read(members["uno@example.org"])
		if n != 1 {
			t.Fatalf("the first reader's page: counted %d times", n)
		}
		if again, n := read(members["dos@example.org"]); n != 0 || again != first {
			t.Fatalf("the next reader's page: counted %d times, %s published against %s", n, again, first)
		}
		r := members["uno@example.org"].post(fmt.Sprintf("/drafts/%d/comments", draft.ID), url.Values{"version": {strconv.Itoa(draft.Version)},
			"paragraph": {"1"}, "body": {"Una propuesta más para el primer párrafo."}, "group": {"academia"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("commenting: %d %s", r.status, excerpt(r.body))
		}
		after, n := read(members["dos@example.org"])
		if want, _ := strconv.Atoi(first); n != 1 || after != strconv.Itoa(want+1) {
			t.Fatalf("after a new comment: counted %d times, %s published, want %d", n, after, want+1)
		}
	})
}
