package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/monitoring"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/schematest"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// minutesFixture is a session of the demo's online forum with its rapporteur, a rapporteur of
// another session, an organiser, a confirmed participant, a member who was not there, and two
// questions from its Q&A (one asked under a name).
type minutesFixture struct {
	d                               *demoSite
	session                         forums.SessionView
	rapporteur, stranger, organiser *client
	participant, member, anon       *client
	admin                           *client // by the API
	answered, named                 int64
	page                            string
	topic                           int64
	topicCode                       string
}

func newMinutesFixture(t *testing.T, db *storetest.DB) *minutesFixture {
	t.Helper()
	ctx := context.Background()
	d := newDemoSite(t, db)
	online, _, open := demoOnline(t, db)
	x := &minutesFixture{d: d, session: open, page: fmt.Sprintf("/sessions/%d/minutes", open.ID)}
	grant := func(email string, role access.Role, sessionID int64) *client {
		a := d.user(email, false)
		if err := d.app.Access.Grant(ctx, audit.Actor{}, a.ID, role, online.ProcessID, sessionID); err != nil {
			t.Fatal(err)
		}
		c := d.client()
		c.signIn(email)
		return c
	}
	x.rapporteur = grant("relatora@example.org", access.Rapporteur, open.ID)
	other, err := d.app.Forums.CreateSession(ctx, audit.Actor{}, online.ProcessID, online.ID, forums.SessionInput{Kind: forums.KindPanel,
		QAMode: forums.QAOff, Start: online.StartsOn + "T20:00", End: online.StartsOn + "T21:00", ConfirmClash: true,
		Title: translated.Text{"es": "Otra sesión", "en": "Another session"}})
	if err != nil {
		t.Fatal(err)
	}
	x.stranger = grant("otro-relator@example.org", access.Rapporteur, other.ID)
	x.organiser = grant("organiza@example.org", access.Organiser, 0)
	p := d.user("estuvo@example.org", false)
	if r, _, err := d.app.Registration.Register(ctx, online.ID, registration.Owner{AccountID: p.ID, Name: p.Name, Email: p.Email, Language: "es"},
		registration.Form{Mode: registration.ModeOnline, Group: "academia", Role: "participant", PrivacyVersion: privacy.Version}); err != nil ||
		r.Status != registration.StatusConfirmed {
		t.Fatalf("the participant: %+v %v", r, err)
	}
	x.participant = d.client()
	x.participant.signIn(p.Email)
	x.member, x.anon = d.as("member"), d.client()
	x.admin = d.apiClient(d.user("plazos-admin@example.org", true))
	now := time.Now()
	for _, q := range []struct {
		id     *int64
		body   string
		status string
		name   string
	}{
		{&x.answered, "¿Cómo reflejan los ejes los objetivos?", qa.Answered, ""},
		{&x.named, "¿Qué países sirvieron de modelo?", qa.Visible, "Asker Nombrada"},
	} {
		row := qa.Question{SessionID: open.ID, Body: q.body, Group: "civil_society", Channel: "online", Status: q.status, Anonymous: q.name == "",
			AuthorName: q.name, Labels: []string{}, CreatedAt: now, UpdatedAt: now}
		if q.status == qa.Answered {
			row.AnsweredAt = &now
		}
		if _, err := db.NewInsert().Model(&row).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		*q.id = row.ID
	}
	if err := db.NewSelect().Table("topics").Column("id", "code").Where("process_id = ?", online.ProcessID).OrderExpr("position, id").Limit(1).
		Scan(ctx, &x.topic, &x.topicCode); err != nil {
		t.Fatal(err)
	}
	return x
}

// inputID is the id of the minutes' input numbered n.
func (x *minutesFixture) inputID(t *testing.T, n int64) int64 {
	t.Helper()
	var id int64
	if err := x.d.db.NewSelect().Table("inputs").Column("id").Where("number = ?", n).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestMinutesPages: the whole life of minutes through the pages, without JavaScript: who may
// write, review, publish and decide, what each of the others is refused, and that nothing
// unpublished, and no name given without consent, reaches the public.
func TestMinutesPages(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		x := newMinutesFixture(t, db)
		edit, review := x.page+"/edit", x.page+"/review"
		topic := fmt.Sprint(x.topic)
		draft := url.Values{"action": {"save"}, "revision": {"0"}, "summary": {"Se habló de **capacidades**."},
			"inputs.0.kind": {"recommendation"}, "inputs.0.body": {"Crear un CSIRT nacional."}, "inputs.0.topics": {topic},
			"inputs.0.groups": {"academia"}, "import": {fmt.Sprint(x.answered), fmt.Sprint(x.named)}}
		with := func(v url.Values, kv ...string) url.Values {
			out := url.Values{}
			for k, vs := range v {
				out[k] = vs
			}
			for i := 0; i+1 < len(kv); i += 2 {
				out.Set(kv[i], kv[i+1])
			}
			return out
		}
		revision := func() string {
			var rev int64
			if err := db.NewSelect().Table("minutes").Column("revision").Where("session_id = ?", x.session.ID).Scan(context.Background(), &rev); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(rev)
		}
		var proposal int64
		proposalID := func(t *testing.T, _ *response) {
			if err := db.NewSelect().Table("minutes_proposals").Column("id").OrderExpr("id DESC").Limit(1).Scan(context.Background(), &proposal); err != nil {
				t.Fatal(err)
			}
		}
		answer := func() string { return fmt.Sprintf("%s/proposals/%d", x.page, proposal) }
		autosave := map[string]string{"X-Convene-Autosave": "1", "Accept": "application/json"}
		// The saved rows as the editor sends them back: three inputs, the imported ones linked.
		rows := func(kv ...string) func() url.Values {
			return func() url.Values {
				f := url.Values{"action": {"save"}, "revision": {revision()}, "summary": {"Se habló de **capacidades**."},
					"speakers.0.name": {"Mariana Ruiz"}, "speakers.0.organisation": {"OEA"}, "speakers.0.group": {"government"},
					"speakers.1.name": {""}, "unregistered_in_person": {"12"}, "women_percent": {"45"}, "gender_raised": {"yes"},
					"gender_notes": {"Violencia digital contra las mujeres."}, "presentations": {"La OEA presentó su guía."}}
				for i, n := range []int64{7, 8, 9} {
					p := fmt.Sprintf("inputs.%d.", i)
					f.Set(p+"id", fmt.Sprint(x.inputID(t, n)))
					f.Set(p+"kind", "key_point")
				}
				f.Set("inputs.0.kind", "recommendation")
				f.Set("inputs.0.body", "Crear un CSIRT nacional.")
				f.Set("inputs.0.topics", topic)
				f.Set("inputs.1.body", "¿Cómo reflejan los ejes los objetivos?")
				f.Set("inputs.1.questions", fmt.Sprint(x.answered))
				f.Set("inputs.2.body", "Se citaron Estonia y Chile como modelos.")
				f.Set("inputs.2.questions", fmt.Sprint(x.named))
				f.Set("inputs.2.topics", topic)
				for i := 0; i+1 < len(kv); i += 2 {
					f.Set(kv[i], kv[i+1])
				}
				return f
			}
		}
		input3 := "/inputs/ENCS2017-0009"
		// The asker's name never reaches what the public reads.
		public := []string{"Asker Nombrada"}
		runAll(t, []scenario{
			{name: "nothing published: not found", as: x.anon, method: "GET", url: x.page, status: http.StatusNotFound},
			{name: "the workspace needs an account", as: x.anon, method: "GET", url: edit, status: http.StatusSeeOther},
			{name: "a member may not write", as: x.member, method: "GET", url: edit, status: http.StatusForbidden},
			{name: "another session's rapporteur may not write", as: x.stranger, method: "POST", url: edit, form: draft,
				status: http.StatusForbidden, unchanged: []string{"minutes", "inputs"}},
			{name: "a participant may not write", as: x.participant, method: "POST", url: edit, form: draft,
				status: http.StatusForbidden, unchanged: []string{"minutes", "inputs"}},
			{name: "the rapporteur's list of minutes to write", as: x.rapporteur, method: "GET", url: "/admin/", status: http.StatusOK,
				contains: []string{"Relatorías a tu cargo", edit, "Sin empezar"}},
			{name: "the organisers' list of the process's minutes", as: x.organiser, method: "GET", url: "/admin/processes/encs-2017/minutes",
				status: http.StatusOK, contains: []string{"Relatorías", "Publicada", "Versión 1"}},
			{name: "which is theirs alone", as: x.member, method: "GET", url: "/admin/processes/encs-2017/minutes", status: http.StatusForbidden},
			{name: "minutes due days later than a process allows", as: x.admin, method: "PATCH", url: "/api/v1/processes/encs-2017",
				json: `{"minutes_due_days":400}`, status: http.StatusUnprocessableEntity, contains: []string{`"field":"minutes_due_days"`}, unchanged: []string{"processes"}},
			{name: "minutes due three weeks after each session", as: x.admin, method: "PATCH", url: "/api/v1/processes/encs-2017",
				json: `{"minutes_due_days":21}`, status: http.StatusOK, contains: []string{`"minutes_due_days":21`}},
			{name: "a due date in days that is not a number", as: x.organiser, method: "POST", url: "/admin/processes/encs-2017",
				form: url.Values{"minutes_due_days": {"dos semanas"}}, status: http.StatusUnprocessableEntity,
				contains: []string{`id="e-minutes_due_days"`}, unchanged: []string{"processes"}},
			{name: "the rapporteur's empty editor offers the questions", as: x.rapporteur, method: "GET", url: edit, status: http.StatusOK,
				contains: []string{"Importar desde las preguntas", "¿Cómo reflejan los ejes los objetivos?", "respondida", "Nuevo aporte",
					"Asistencia", "Contados hasta ahora", "En línea", "Informe de género", "Agregar ponente"}},
			{name: "an estimate that is not a number", as: x.rapporteur, method: "POST", url: edit, form: with(draft, "unregistered_in_person", "unas 30"),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-unregistered_in_person"`, "unas 30"}, unchanged: []string{"minutes", "inputs"}},
			{name: "a share of women over 100", as: x.rapporteur, method: "POST", url: edit, form: with(draft, "women_percent", "140"),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-women_percent"`}, unchanged: []string{"minutes", "inputs"}},
			{name: "a speaker without a name", as: x.rapporteur, method: "POST", url: edit, form: with(draft, "speakers.0.name", "", "speakers.0.organisation", "OEA"),
				status: http.StatusUnprocessableEntity, contains: []string{"Ponente 1: Nombre", `id="e-speakers.0.name"`}, unchanged: []string{"minutes", "inputs"}},
			{name: "a kind that does not exist", as: x.rapporteur, method: "POST", url: edit, form: with(draft, "inputs.0.kind", "rumour"),
				status: http.StatusUnprocessableEntity, contains: []string{"Aporte 1: Tipo", "Crear un CSIRT nacional."},
				unchanged: []string{"minutes", "inputs"}},
			{name: "a speaker named without consent", as: x.rapporteur, method: "POST", url: edit, form: with(draft, "inputs.0.speaker", "Luis Ponente"),
				status: http.StatusUnprocessableEntity, contains: []string{`id="e-inputs.0.speaker_consented"`}, unchanged: []string{"minutes", "inputs"}},
			{name: "saves, importing two questions", as: x.rapporteur, method: "POST", url: edit, form: draft, status: http.StatusSeeOther,
				location: edit},
			{name: "the inputs have public ids", as: x.rapporteur, method: "GET", url: edit, status: http.StatusOK,
				contains: []string{"Aporte ENCS2017-0007", "Aporte ENCS2017-0008", "Aporte ENCS2017-0009", "ya es un aporte"}},
			{name: "a save from an older revision is a conflict", as: x.rapporteur, method: "POST", url: edit,
				formOf: rows("revision", "1", "summary", "Mi versión"), status: http.StatusConflict,
				contains: []string{"Otra persona guardó esta relatoría", "Mi versión", "<strong>capacidades</strong>"}, unchanged: []string{"inputs"}},
			{name: "an autosave answers with the revision and the inputs' ids", as: x.rapporteur, method: "POST", url: edit, header: autosave,
				formOf: rows(), status: http.StatusOK, unchanged: []string{"inputs"}, after: func(t *testing.T, r *response) {
					var got struct {
						Revision int64 `json:"revision"`
						Inputs   []struct {
							PublicID string `json:"public_id"`
						} `json:"inputs"`
					}
					if err := json.Unmarshal([]byte(r.body), &got); err != nil || fmt.Sprint(got.Revision) != revision() || len(got.Inputs) != 3 ||
						got.Inputs[2].PublicID != "ENCS2017-0009" {
						t.Fatalf("%s: %v", r.body, err)
					}
				}},
			{name: "an autosave from an older revision is a conflict, in JSON", as: x.rapporteur, method: "POST", url: edit, header: autosave,
				formOf: rows("revision", "2"), status: http.StatusConflict, contains: []string{`"code":"minutes_conflict"`}},
			{name: "a draft is not public", as: x.anon, method: "GET", url: x.page, status: http.StatusNotFound},
			{name: "nor are its inputs", as: x.anon, method: "GET", url: "/inputs/ENCS2017-0007", status: http.StatusNotFound},
			{name: "nor the open data", as: x.anon, method: "GET", url: "/processes/encs-2017/open-data.json", status: http.StatusOK,
				absent: []string{"CSIRT"}, after: func(t *testing.T, r *response) { checkOpenData(t, []byte(r.body)) }},
			{name: "nor the API", as: x.anon, method: "GET", url: fmt.Sprintf("/api/v1/sessions/%d/minutes", x.session.ID), status: http.StatusNotFound},
			{name: "nor does the explorer find them", as: x.anon, method: "GET", url: "/processes/encs-2017/inputs?q=CSIRT", status: http.StatusOK,
				contains: []string{"0 aportes"}},
			{name: "nor does its review open to a member", as: x.member, method: "GET", url: review, status: http.StatusForbidden},
			{name: "sends to review", as: x.rapporteur, method: "POST", url: edit, formOf: rows("action", "submit"), status: http.StatusSeeOther},
			{name: "in review, not public either", as: x.anon, method: "GET", url: x.page, status: http.StatusNotFound},
			{name: "the participant reads the minutes in review", as: x.participant, method: "GET", url: review, status: http.StatusOK,
				contains: []string{"Proponer una corrección", "Se citaron Estonia y Chile como modelos."}},
			{name: "the participant's workspace is the review", as: x.participant, method: "GET", url: edit, status: http.StatusSeeOther, location: review},
			{name: "a member who was not there may not propose", as: x.member, method: "POST", url: x.page + "/proposals",
				formOf: func() url.Values {
					return url.Values{"input": {fmt.Sprint(x.inputID(t, 9))}, "inputs.2.body": {"Otro texto"}}
				},
				status: http.StatusForbidden, unchanged: []string{"minutes_proposals"}},
			{name: "an empty proposal", as: x.participant, method: "POST", url: x.page + "/proposals",
				formOf: func() url.Values { return url.Values{"input": {fmt.Sprint(x.inputID(t, 9))}, "inputs.2.body": {" "}} },
				status: http.StatusUnprocessableEntity, contains: []string{"Completa el campo «Aporte 3: Texto»", `id="f-inputs.2.body"`},
				unchanged: []string{"minutes_proposals"}},
			{name: "the participant proposes a correction", as: x.participant, method: "POST", url: x.page + "/proposals",
				formOf: func() url.Values {
					return url.Values{"input": {fmt.Sprint(x.inputID(t, 9))}, "inputs.2.body": {"Se citaron Estonia, Chile y Uruguay como modelos."},
						"inputs.2.note": {"Uruguay también se mencionó."}}
				}, status: http.StatusSeeOther, after: proposalID},
			{name: "the participant may not write in review", as: x.participant, method: "POST", url: edit, formOf: rows(),
				status: http.StatusForbidden, unchanged: []string{"inputs"}},
			{name: "nor answer proposals", as: x.participant, method: "POST", at: answer, form: url.Values{"decision": {"accept"}},
				status: http.StatusForbidden},
			{name: "declining takes a reason", as: x.rapporteur, method: "POST", at: answer, form: url.Values{"decision": {"decline"}},
				status: http.StatusUnprocessableEntity, contains: []string{"«Corrección propuesta 1: Tu respuesta»"}, unchanged: []string{"audit_log"}},
			{name: "the rapporteur accepts it", as: x.rapporteur, method: "POST", at: answer, form: url.Values{"decision": {"accept"}},
				status: http.StatusSeeOther},
			{name: "the rapporteur may not publish", as: x.rapporteur, method: "POST", url: x.page + "/publish", form: url.Values{"confirm": {"yes"}},
				status: http.StatusForbidden},
			{name: "sending back takes a request", as: x.organiser, method: "POST", url: x.page + "/send-back", form: url.Values{"request": {""}},
				status: http.StatusUnprocessableEntity, unchanged: []string{"minutes_comments"}},
			{name: "the organiser sends them back", as: x.organiser, method: "POST", url: x.page + "/send-back",
				form: url.Values{"request": {"Añadan el número de asistentes."}}, status: http.StatusSeeOther},
			{name: "the rapporteur reads the request", as: x.rapporteur, method: "GET", url: edit, status: http.StatusOK,
				contains: []string{"Los organizadores piden cambios", "Añadan el número de asistentes.", "Uruguay"}},
			{name: "submits again", as: x.rapporteur, method: "POST", url: edit,
				formOf: rows("action", "submit", "inputs.2.body", "Se citaron Estonia, Chile y Uruguay como modelos."), status: http.StatusSeeOther},
			{name: "publishing asks first", as: x.organiser, method: "POST", url: x.page + "/publish", form: url.Values{}, status: http.StatusOK,
				contains: []string{"¿Publicar esta relatoría?"}, unchanged: []string{"minutes_versions"}},
			{name: "the organiser publishes", as: x.organiser, method: "POST", url: x.page + "/publish", form: url.Values{"confirm": {"yes"}},
				status: http.StatusSeeOther, location: x.page},
			{name: "the public reads them", as: x.anon, method: "GET", url: x.page, status: http.StatusOK,
				contains: []string{"Versión 1", "<strong>capacidades</strong>", `href="/inputs/ENCS2017-0009"`, "Uruguay", "Pendiente",
					"Resumen de cada ponencia", "La OEA presentó su guía.", "Mariana Ruiz, OEA", "Asistencia: 13 personas, contadas y estimadas",
					"Sin inscribirse (estimación)", "Informe de género", "45 %", "Violencia digital contra las mujeres."}, absent: public},
			{name: "the API gives the report", as: x.anon, method: "GET", url: fmt.Sprintf("/api/v1/sessions/%d/minutes", x.session.ID), status: http.StatusOK,
				contains: []string{`"counted":[{"group":"academia","mode":"online","n":1}]`, `"unregistered_in_person":12`, `"women_percent":45`,
					`"speakers":[{"name":"Mariana Ruiz","organisation":"OEA","group":"government"}]`}},
			{name: "the input's story", as: x.anon, method: "GET", url: input3, status: http.StatusOK,
				contains: []string{"Se hizo una pregunta en la sesión", "¿Qué países sirvieron de modelo?", "Corregido en la revisión",
					"Registrado en la relatoría (versión 1)"}, absent: append(public, "Registrar qué se hizo")},
			{name: "the rapporteur may no longer save", as: x.rapporteur, method: "POST", url: edit, formOf: rows(), status: http.StatusConflict,
				unchanged: []string{"minutes_versions"}},
			{name: "a member may not decide", as: x.member, method: "POST", url: input3 + "/disposition",
				form: url.Values{"status": {"adopted"}, "rationale": {"Sí"}}, status: http.StatusForbidden, unchanged: []string{"input_dispositions"}},
			{name: "adopting takes a rationale", as: x.organiser, method: "POST", url: input3 + "/disposition", form: url.Values{"status": {"adopted"}},
				status: http.StatusUnprocessableEntity, contains: []string{"Justificación"}, unchanged: []string{"input_dispositions"}},
			{name: "merging into an input that does not exist", as: x.organiser, method: "POST", url: input3 + "/disposition",
				form:   url.Values{"status": {"merged"}, "rationale": {"Igual que otro"}, "merged_into": {"ENCS2017-9999"}},
				status: http.StatusUnprocessableEntity, contains: []string{"Fusionado con"}, unchanged: []string{"input_dispositions"}},
			{name: "the organiser records it adopted", as: x.organiser, method: "POST", url: input3 + "/disposition",
				form: url.Values{"status": {"adopted"}, "rationale": {"Se tomaron como referencia."}, "section": {"4.1 Modelos"}}, status: http.StatusSeeOther},
			{name: "the public reads what became of it", as: x.anon, method: "GET", url: input3, status: http.StatusOK,
				contains: []string{"Adoptado", "Se tomaron como referencia.", "En la estrategia: 4.1 Modelos", "Los organizadores registraron: Adoptado"}},
			{name: "a correction takes a reason", as: x.organiser, method: "POST", url: edit, formOf: rows("action", "correct"),
				status: http.StatusUnprocessableEntity, unchanged: []string{"minutes_versions"}},
			{name: "the organiser corrects", as: x.organiser, method: "POST", url: edit,
				formOf: rows("action", "correct", "reason", "Faltaba Colombia.", "inputs.2.body", "Se citaron Estonia, Chile, Uruguay y Colombia como modelos."),
				status: http.StatusSeeOther},
			{name: "version 2, with its history", as: x.anon, method: "GET", url: x.page, status: http.StatusOK,
				contains: []string{"Versión 2", "Faltaba Colombia.", "qué cambió"}},
			{name: "version 1 is still there", as: x.anon, method: "GET", url: x.page + "?version=1", status: http.StatusOK,
				contains: []string{"Estás leyendo una versión anterior", "Estonia, Chile y Uruguay como"}},
			{name: "the diff shows what changed", as: x.anon, method: "GET", url: x.page + "/diff?from=1&to=2", status: http.StatusOK,
				contains: []string{"ENCS2017-0009", "<del>Uruguay</del>", "<ins>Colombia</ins>", "Faltaba Colombia."}, absent: public},
			{name: "a version that does not exist", as: x.anon, method: "GET", url: x.page + "?version=3", status: http.StatusNotFound},
			{name: "the explorer finds it by its words", as: x.anon, method: "GET", url: "/processes/encs-2017/inputs?q=Uruguay", status: http.StatusOK,
				contains: []string{"1 aportes", `href="/inputs/ENCS2017-0009"`}, absent: public},
			{name: "and by topic, kind and what became of it", as: x.anon, method: "GET",
				at: func() string {
					return "/processes/encs-2017/inputs?kind=key_point&standing=adopted&topic=" + x.topicCode
				}, status: http.StatusOK,
				contains: []string{`href="/inputs/ENCS2017-0009"`}, absent: []string{`href="/inputs/ENCS2017-0007"`}},
			{name: "the API's minutes", as: x.anon, method: "GET", url: fmt.Sprintf("/api/v1/sessions/%d/minutes", x.session.ID), status: http.StatusOK,
				contains: []string{`"version":2`, `"id":"ENCS2017-0009"`, `"reason":"Faltaba Colombia."`, `"status":"adopted"`}, absent: public},
			{name: "the API's version 1", as: x.anon, method: "GET", url: fmt.Sprintf("/api/v1/sessions/%d/minutes?version=1", x.session.ID),
				status: http.StatusOK, contains: []string{`"version":1`, "Chile y Uruguay como"}},
			{name: "the API's explorer", as: x.anon, method: "GET", url: "/api/v1/processes/encs-2017/inputs?q=Uruguay", status: http.StatusOK,
				contains: []string{`"id":"ENCS2017-0009"`, `"total":1`}},
			{name: "the API's explorer refuses what cannot be", as: x.anon, method: "GET", url: "/api/v1/processes/encs-2017/inputs?standing=lost",
				status: http.StatusUnprocessableEntity, contains: []string{`"field":"standing"`}},
			{name: "the API's input, with its decisions", as: x.anon, method: "GET", url: "/api/v1/inputs/ENCS2017-0009", status: http.StatusOK,
				contains: []string{`"history":[{"status":"adopted","rationale":"Se tomaron como referencia."`, `"strategy_section":"4.1 Modelos"`}},
			{name: "the open data follows its schema", as: x.anon, method: "GET", url: "/processes/encs-2017/open-data.json", status: http.StatusOK,
				contains: []string{`"id": "ENCS2017-0009"`, `"hidden_by_reason"`, `"drafts": [`, `"draft": 1`, `"id": "ENCS2017-0006"`, `"submissions": 1`},
				absent:   public, after: func(t *testing.T, r *response) {
					checkOpenData(t, []byte(r.body))
				}},
			{name: "the schema is where the data says", as: x.anon, method: "GET", url: "/schemas/open-data-1.2.json", status: http.StatusOK,
				contains: []string{`"$schema": "https://json-schema.org/draft/2020-12/schema"`, `"report"`, `"heardInput"`}},
			{name: "the schema before it stays where it was", as: x.anon, method: "GET", url: "/schemas/open-data-1.1.json", status: http.StatusOK,
				contains: []string{`"const": "1.1"`}},
			{name: "the schema before it stays where it was", as: x.anon, method: "GET", url: "/schemas/open-data-1.0.json", status: http.StatusOK,
				contains: []string{`"version": {"const": "1.0"}`}},
			{name: "the inputs as CSV", as: x.anon, method: "GET", url: "/processes/encs-2017/inputs.csv", status: http.StatusOK,
				contains: []string{"id,number,kind,text,topics", "ENCS2017-0009,9,key_point,\"Se citaron Estonia, Chile, Uruguay y Colombia como modelos.\"",
					"adopted,Se tomaron como referencia.,4.1 Modelos"}, absent: public},
			{name: "the minutes as one report", as: x.anon, method: "GET", url: "/processes/encs-2017/minutes.md", status: http.StatusOK,
				contains: []string{"# Lo que escuchó", "## Sala de preguntas abierta", "**[ENCS2017-0009]", "Adoptado: Se tomaron como referencia."},
				absent:   public},
			{name: "the dashboard", as: x.anon, method: "GET", url: "/processes/encs-2017/dashboard", status: http.StatusOK,
				contains: []string{"A quién se escuchó", "Qué se hizo con los aportes", "<svg"}, absent: public, after: func(t *testing.T, _ *response) {
					sameCounts(t, db)
				}},
			{name: "what we heard, what we did", as: x.anon, method: "GET", url: "/processes/encs-2017/report", status: http.StatusOK,
				contains: []string{"Lo que escuchamos y lo que hicimos", `href="/inputs/ENCS2017-0009"`, "Se tomaron como referencia.",
					"Adoptado: "}, absent: public},
			{name: "an objective inputs are tagged with cannot be deleted", as: x.organiser, method: "POST",
				at: func() string { return fmt.Sprintf("/admin/processes/encs-2017/topics/%d/delete", x.topic) }, form: url.Values{"confirm": {"yes"}},
				status: http.StatusConflict, contains: []string{"no se puede borrar"}, unchanged: []string{"topics", "input_topics"}},
			{name: "the open-data page", as: x.anon, method: "GET", url: "/processes/encs-2017/open-data", status: http.StatusOK,
				contains: []string{"CC-BY-4.0", "/processes/encs-2017/inputs.csv", "/schemas/open-data-1.2.json"}},
			{name: "a standing that does not exist", as: x.anon, method: "GET", url: "/processes/encs-2017/inputs?standing=lost", status: http.StatusUnprocessableEntity,
				contains: []string{`id="e-standing"`}},
		})
	})
}

// checkOpenData fails t when body does not follow the open data's published JSON Schema.
func checkOpenData(t *testing.T, body []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(minutes.Schemas()[minutes.SchemaVersion]))
	if err != nil {
		t.Fatal(err)
	}
	schematest.Check(t, "https://convene.example/schemas/open-data-"+minutes.SchemaVersion+".json", doc, "the open data", body)
}

// sameCounts fails t when a dashboard count differs from the one computed from the open data.
func sameCounts(t *testing.T, db *storetest.DB) {
	t.Helper()
	ctx := context.Background()
	var processID int64
	if err := db.NewSelect().Table("processes").Column("id").Where("slug = 'encs-2017'").Scan(ctx, &processID); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	d, err := monitoring.Of(ctx, db.DB, now, processID, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := minutes.Export(ctx, db.DB, now, processID, "http://x", "CC-BY-4.0")
	if err != nil {
		t.Fatal(err)
	}
	if data.Drafts, err = consultation.OpenDrafts(ctx, db.DB, processID, data.Process.Code, "http://x"); err != nil {
		t.Fatal(err)
	}
	kinds, standing, topics := map[string]int{}, map[string]int{}, map[string]int{}
	coverage := map[string]monitoring.Cell{}
	kindOf := map[string]string{}
	for _, tp := range data.Process.Topics {
		kindOf[tp.Code] = tp.Kind
	}
	all := data.Inputs
	for _, d := range data.Drafts {
		all = append(all, d.Inputs...)
	}
	for _, x := range all {
		kinds[x.Kind]++
		standing[x.Disposition.Status]++
		for _, tp := range x.Topics {
			topics[tp]++
			if kindOf[tp] != "objective" {
				continue
			}
			for _, g := range x.Groups {
				c := coverage[tp+"/"+g]
				c.Heard++
				if x.Disposition.Status == minutes.Adopted || x.Disposition.Status == minutes.PartlyAdopted {
					c.Taken++
				}
				coverage[tp+"/"+g] = c
			}
		}
	}
	counted := func(cs []monitoring.Count) map[string]int {
		m := map[string]int{}
		for _, c := range cs {
			m[c.Key] = c.N
		}
		return m
	}
	for name, pair := range map[string][2]map[string]int{"kinds": {kinds, counted(d.ByKind)}, "standing": {standing, counted(d.ByStanding)},
		"topics": {topics, counted(d.ByTopic)}} {
		if fmt.Sprint(pair[0]) != fmt.Sprint(pair[1]) {
			t.Errorf("%s: the open data counts %v, the dashboard %v", name, pair[0], pair[1])
		}
	}
	if d.Inputs != len(all) {
		t.Errorf("inputs: the open data lists %d, the dashboard counts %d", len(all), d.Inputs)
	}
	for o, byGroup := range d.Coverage {
		for g, c := range byGroup {
			if coverage[o+"/"+g] != c {
				t.Errorf("coverage of %s by %s: the open data gives %+v, the dashboard %+v", o, g, coverage[o+"/"+g], c)
			}
			delete(coverage, o+"/"+g)
		}
	}
	if len(coverage) > 0 {
		t.Errorf("coverage the dashboard lacks: %v", coverage)
	}
}
