package minutes_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/frontend"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// fixture is a process (code ENCS2017) with an objective and an axis, a forum with two
// sessions, their rapporteurs, an organiser, a member, and a question asked in the first.
type fixture struct {
	clock                    *clock.Fixed
	svc                      *minutes.Service
	process, other           processes.Process
	session, second          forums.Session
	objective, axis, foreign processes.Topic
	rapporteur, secondRapp   minutes.Who
	organiser, member, admin minutes.Who
	question, otherQuestion  int64
}

func newFixture(t *testing.T, db *storetest.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	sys := audit.Actor{}
	x := &fixture{clock: clock.NewFixed(t0)}
	x.svc = &minutes.Service{DB: db.DB, Clock: x.clock}
	process := func(slug, code string) processes.Process {
		p, err := processes.Create(ctx, db.DB, t0, sys, processes.ProcessInput{Slug: slug, Code: code, TimeZone: "America/Mexico_City",
			Status: processes.StatusOpen, Languages: []string{"es", "en"}, StakeholderGroups: []string{"academia", "civil_society", "government"},
			Title: translated.Text{"es": "Estrategia", "en": "Strategy"}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	x.process, x.other = process("encs", "ENCS2017"), process("otra", "OTRA")
	topic := func(p processes.Process, kind, code string) processes.Topic {
		tp, err := processes.CreateTopic(ctx, db.DB, t0, sys, p.ID, processes.TopicInput{Kind: kind, Code: code,
			Title: translated.Text{"es": code, "en": code}})
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	x.objective, x.axis, x.foreign = topic(x.process, "objective", "O1"), topic(x.process, "axis", "E2"), topic(x.other, "axis", "E1")
	f, err := forums.Create(ctx, db.DB, t0, sys, x.process.ID, forums.Input{Slug: "foro", Format: forums.FormatVirtual, OnlineURL: "https://meet.example.org/f",
		TimeZone: "America/Mexico_City", StartsOn: "2026-12-17", EndsOn: "2026-12-18", Title: translated.Text{"es": "Foro", "en": "Forum"}})
	if err != nil {
		t.Fatal(err)
	}
	session := func(title, start string) forums.Session {
		s, err := forums.CreateSession(ctx, db.DB, t0, sys, forums.Effects{}, x.process.ID, f.ID, forums.SessionInput{Kind: forums.KindPanel,
			QAMode: forums.QAOpen, Start: start, End: start[:11] + "23:00", Title: translated.Text{"es": title, "en": title}})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	x.session, x.second = session("Panel", "2026-12-17T10:00"), session("Taller", "2026-12-18T10:00")
	who := func(email string, admin bool) minutes.Who {
		a := accounts.Account{Email: email, Name: email, Language: "es", CreatedAt: t0, IsAdmin: admin}
		if _, err := db.NewInsert().Model(&a).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return minutes.Who{AccountID: a.ID, IsAdmin: admin}
	}
	x.rapporteur, x.secondRapp = who("relatora@example.org", false), who("relator@example.org", false)
	x.organiser, x.member, x.admin = who("org@example.org", false), who("ana@example.org", false), who("admin@example.org", true)
	for _, g := range []struct {
		w       minutes.Who
		role    access.Role
		session int64
	}{{x.rapporteur, access.Rapporteur, x.session.ID}, {x.secondRapp, access.Rapporteur, x.second.ID}, {x.organiser, access.Organiser, 0}} {
		if err := access.Grant(ctx, db.DB, t0, sys, g.w.AccountID, g.role, x.process.ID, g.session); err != nil {
			t.Fatal(err)
		}
	}
	asked := qa.Question{Body: "¿Se criminalizarán actividades en línea?", Status: qa.Answered}
	x.question, x.otherQuestion = question(t, db, x.session.ID, asked), question(t, db, x.second.ID, asked)
	return x
}

// begin has the rapporteur begin the first session's minutes.
func (x *fixture) begin(t *testing.T) minutes.Minutes {
	t.Helper()
	m, err := x.svc.Open(context.Background(), x.rapporteur, x.session.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// question stores a question as Q&A would, for minutes to refer to: anonymous unless it names
// its author.
func question(t *testing.T, db *storetest.DB, sessionID int64, q qa.Question) int64 {
	t.Helper()
	q.SessionID, q.Channel, q.Labels, q.CreatedAt, q.UpdatedAt = sessionID, "online", []string{}, t0, t0
	q.Anonymous = q.AuthorID == nil
	if _, err := db.NewInsert().Model(&q).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return q.ID
}

// TestDraftsKeepTheirNumbers: the rapporteur begins the minutes (due two weeks after the
// session, in the forum's zone) and saves inputs; each takes the process's next number, keeps
// it through later saves, and a number taken out is never given again. A save naming an old
// revision is refused and changes nothing.
func TestDraftsKeepTheirNumbers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		m := x.begin(t)
		if m.Status != minutes.Draft || m.Revision != 1 || m.DueOn != "2026-12-31" {
			t.Fatalf("begun: %s, revision %d, due %s", m.Status, m.Revision, m.DueOn)
		}
		if again, err := x.svc.Open(ctx, x.organiser, x.session.ID); err != nil || again.ID != m.ID {
			t.Fatalf("opened again: %d %v, want %d", again.ID, err, m.ID)
		}
		m, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: 1, Summary: "## Resumen\n\nSe habló de **derechos**.",
			Inputs: []minutes.InputDraft{
				{Kind: minutes.Concern, Body: "La criminalización de actividades en línea.", Topics: []int64{x.axis.ID, x.objective.ID},
					Groups: []string{"civil_society"}, Questions: []int64{x.question}},
				{Kind: minutes.Recommendation, Body: "Abrir la estrategia a comentarios.", Speaker: "Ana Pérez", SpeakerConsented: true},
			}})
		if err != nil {
			t.Fatal(err)
		}
		saved, err := minutes.OfSession(ctx, db.DB, x.session.ID)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Revision != 2 || len(saved.Inputs) != 2 || saved.Inputs[0].Number != 1 || saved.Inputs[1].Number != 2 ||
			minutes.PublicID(x.process.Code, saved.Inputs[0].Number) != "ENCS2017-0001" {
			t.Fatalf("after the first save: revision %d, inputs %+v", saved.Revision, saved.Inputs)
		}
		first := saved.Inputs[0]
		if len(first.Topics) != 2 || first.Groups[0] != "civil_society" || first.Questions[0] != x.question || saved.Inputs[1].Speaker != "Ana Pérez" {
			t.Fatalf("tags: %+v", saved.Inputs)
		}
		// The first input out, the second moved up and edited, a new one in.
		_, err = x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: 2, Inputs: []minutes.InputDraft{
			{ID: saved.Inputs[1].ID, Kind: minutes.Recommendation, Body: "Abrir la estrategia a comentarios públicos."},
			{Kind: minutes.Commitment, Body: "Publicar el borrador en enero.", By: "Coordinación de Estrategia Digital", ByGroup: "government", Due: "2027-01-31"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		saved, err = minutes.OfSession(ctx, db.DB, x.session.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(saved.Inputs) != 2 || saved.Inputs[0].Number != 2 || saved.Inputs[1].Number != 3 || saved.Inputs[0].Speaker != "" ||
			saved.Inputs[1].By != "Coordinación de Estrategia Digital" {
			t.Fatalf("after the second save: %+v", saved.Inputs)
		}
		var removed minutes.Input
		if err := db.NewSelect().Model(&removed).Where("i.id = ?", first.ID).Scan(ctx); err != nil || !removed.Removed || removed.Number != 1 {
			t.Fatalf("the input taken out: %+v %v", removed, err)
		}
		// Someone else's minutes number on from the process's counter.
		other, err := x.svc.Open(ctx, x.secondRapp, x.second.ID)
		if err != nil {
			t.Fatal(err)
		}
		other, err = x.svc.Save(ctx, x.secondRapp, other.ID, minutes.DraftInput{Revision: 1,
			Inputs: []minutes.InputDraft{{Kind: minutes.KeyPoint, Body: "Los ejes reflejan los objetivos."}}})
		if err != nil || other.Inputs[0].Number != 4 {
			t.Fatalf("the next session's first input: %+v %v", other.Inputs, err)
		}
		// A save from an old revision: refused, nothing changed.
		_, err = x.svc.Save(ctx, x.organiser, m.ID, minutes.DraftInput{Revision: 2, Summary: "Otra versión"})
		if !errors.Is(err, minutes.ErrConflict) {
			t.Fatalf("a save of revision 2 after 3: %v", err)
		}
		if after, _ := minutes.OfSession(ctx, db.DB, x.session.ID); after.Revision != 3 || after.Summary != "" || len(after.Inputs) != 2 {
			t.Fatalf("after the refused save: revision %d, summary %q, %d inputs", after.Revision, after.Summary, len(after.Inputs))
		}
	})
}

// TestEditsAtOnce: two people saving the same revision at once: one is saved, the other told
// of the conflict.
func TestEditsAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		m := x.begin(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, w := range []minutes.Who{x.rapporteur, x.organiser} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = x.svc.Save(ctx, w, m.ID, minutes.DraftInput{Revision: 1, Summary: "Versión " + string(rune('A'+i)),
					Inputs: []minutes.InputDraft{{Kind: minutes.KeyPoint, Body: "Un punto"}}})
			}()
		}
		wg.Wait()
		conflicts := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, minutes.ErrConflict):
				conflicts++
			case err != nil:
				t.Fatal(err)
			}
		}
		after, err := minutes.OfSession(ctx, db.DB, x.session.ID)
		if conflicts != 1 || err != nil || after.Revision != 2 || len(after.Inputs) != 1 {
			t.Fatalf("%d conflicts; then revision %d with %d inputs (%v)", conflicts, after.Revision, len(after.Inputs), err)
		}
	})
}

// TestLostAnswers: a save whose answer never reached its editor is the editor's own: sent
// again from the revision the editor still holds, with its new input under the same key, it
// saves, and the input is there once; one of its saves arriving after a later one changes
// nothing; another editor sending from that revision is refused.
func TestLostAnswers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		m := x.begin(t)
		seq := int64(0)
		draft := func(editor, summary string) minutes.DraftInput {
			seq++
			return minutes.DraftInput{Revision: 1, Editor: editor, Seq: seq, Summary: summary,
				Inputs: []minutes.InputDraft{{Key: editor + "-n0", Kind: minutes.KeyPoint, Body: "Un punto"}}}
		}
		if _, err := x.svc.Save(ctx, x.rapporteur, m.ID, draft("tab-a", "Primera")); err != nil {
			t.Fatal(err)
		}
		// The answer was lost: the same editor sends again, from revision 1, typed further.
		again, err := x.svc.Save(ctx, x.rapporteur, m.ID, draft("tab-a", "Primera y más"))
		if err != nil || again.Revision != 3 || len(again.Inputs) != 1 {
			t.Fatalf("sent again: revision %d, %d inputs, %v", again.Revision, len(again.Inputs), err)
		}
		// The first save, late, after the second: it changes nothing.
		late := draft("tab-a", "Primera")
		late.Seq = 1
		if _, err := x.svc.Save(ctx, x.rapporteur, m.ID, late); err != nil {
			t.Fatal(err)
		}
		saved, err := minutes.OfSession(ctx, db.DB, x.session.ID)
		if err != nil || saved.Summary != "Primera y más" || saved.Revision != 3 || len(saved.Inputs) != 1 || saved.Inputs[0].Number != again.Inputs[0].Number {
			t.Fatalf("saved: %q at revision %d with %d inputs (%v)", saved.Summary, saved.Revision, len(saved.Inputs), err)
		}
		if _, err := x.svc.Save(ctx, x.organiser, m.ID, draft("tab-b", "Otra")); !errors.Is(err, minutes.ErrConflict) {
			t.Fatalf("another editor from revision 1: %v, want a conflict", err)
		}
		// Once another editor saved, the first one's older revision is a conflict again.
		if _, err := x.svc.Save(ctx, x.organiser, m.ID, minutes.DraftInput{Revision: 3, Editor: "tab-b", Summary: "Otra"}); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Save(ctx, x.rapporteur, m.ID, draft("tab-a", "Tarde")); !errors.Is(err, minutes.ErrConflict) {
			t.Fatalf("the first editor after another's save: %v, want a conflict", err)
		}
	})
}

// TestWhoWritesMinutes: the session's rapporteur, the process's organisers and admins; not a
// rapporteur of another session, nor a member.
func TestWhoWritesMinutes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		for _, w := range []minutes.Who{x.secondRapp, x.member, {}} {
			if _, err := x.svc.Open(ctx, w, x.session.ID); !errors.Is(err, minutes.ErrNotRapporteur) {
				t.Fatalf("account %d began the minutes: %v", w.AccountID, err)
			}
		}
		m, err := x.svc.Open(ctx, x.rapporteur, x.session.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []minutes.Who{x.secondRapp, x.member} {
			if _, err := x.svc.Save(ctx, w, m.ID, minutes.DraftInput{Revision: 1, Summary: "Mío"}); !errors.Is(err, minutes.ErrNotRapporteur) {
				t.Fatalf("account %d saved the minutes: %v", w.AccountID, err)
			}
		}
		revision := int64(1)
		for _, w := range []minutes.Who{x.organiser, x.admin, x.rapporteur} {
			saved, err := x.svc.Save(ctx, w, m.ID, minutes.DraftInput{Revision: revision, Summary: "Resumen"})
			if err != nil {
				t.Fatalf("account %d: %v", w.AccountID, err)
			}
			revision = saved.Revision
		}
	})
}

// TestInputRules: every wrong field is named, and nothing is saved.
func TestInputRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		m := x.begin(t)
		declined := question(t, db, x.session.ID, qa.Question{Body: "¿Ofensiva?", Status: "hidden", Reason: "offensive"})
		ok := minutes.InputDraft{Kind: minutes.KeyPoint, Body: "Bien"}
		for _, c := range []struct {
			field string
			in    minutes.InputDraft
		}{
			{"inputs.1.kind", minutes.InputDraft{Kind: "rumour", Body: "x"}},
			{"inputs.1.body", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "  "}},
			{"inputs.1.body", minutes.InputDraft{Kind: minutes.KeyPoint, Body: strings.Repeat("x", minutes.MaxInput+1)}},
			{"inputs.1.topics", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "x", Topics: []int64{x.foreign.ID}}},
			{"inputs.1.groups", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "x", Groups: []string{"martians"}}},
			{"inputs.1.questions", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "x", Questions: []int64{x.otherQuestion}}},
			{"inputs.1.questions", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "x", Questions: []int64{declined}}},
			{"inputs.1.speaker_consented", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "x", Speaker: "Luis"}},
			{"inputs.1.speaker", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "x", Speaker: "Luis\nOtro", SpeakerConsented: true}},
			{"inputs.1.by", minutes.InputDraft{Kind: minutes.Commitment, Body: "x"}},
			{"inputs.1.due", minutes.InputDraft{Kind: minutes.Commitment, Body: "x", By: "SEGOB", Due: "31/01/2027"}},
			{"inputs.1.by_group", minutes.InputDraft{Kind: minutes.Commitment, Body: "x", By: "SEGOB", ByGroup: "martians"}},
			{"inputs.1.id", minutes.InputDraft{ID: 999999, Kind: minutes.KeyPoint, Body: "x"}},
			{"summary", minutes.InputDraft{Kind: minutes.KeyPoint, Body: "x"}},
		} {
			in := minutes.DraftInput{Revision: 1, Inputs: []minutes.InputDraft{ok, c.in}}
			if c.field == "summary" {
				in.Summary = "con \x00 nulo"
			}
			_, err := x.svc.Save(ctx, x.rapporteur, m.ID, in)
			es, isFields := validate.As(err)
			if !isFields || !es.Has(c.field) {
				t.Fatalf("%s: %v", c.field, err)
			}
		}
		if after, err := minutes.OfSession(ctx, db.DB, x.session.ID); err != nil || after.Revision != 1 || len(after.Inputs) != 0 {
			t.Fatalf("after refused saves: revision %d, %d inputs (%v)", after.Revision, len(after.Inputs), err)
		}
		var numbers int
		if err := db.NewSelect().Table("input_counters").ColumnExpr("count(*)").Scan(ctx, &numbers); err != nil || numbers != 0 {
			t.Fatalf("numbers given by refused saves: %d %v", numbers, err)
		}
	})
}

// TestImportFromQA: the rapporteur is offered the session's answered questions, then those
// approved and unanswered, the most voted first; never pending, declined or merged ones, nor
// another session's; one an input came from is marked imported.
func TestImportFromQA(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		ask := func(body, status string, votes int, mergedInto *int64) int64 {
			return question(t, db, x.session.ID, qa.Question{Body: body, Status: status, Votes: votes, MergedInto: mergedInto})
		}
		answered := ask("¿Cómo reflejan los ejes los objetivos?", "answered", 2, nil)
		popular := ask("¿Qué países sirvieron de modelo?", "visible", 5, nil)
		quiet := ask("¿Habrá otra consulta?", "visible", 1, nil)
		ask("¿Pendiente?", "pending", 9, nil)
		ask("¿Fuera de tema?", "hidden", 9, nil)
		ask("¿Qué países fueron modelo?", "hidden", 9, &popular)
		m := x.begin(t)
		if _, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: 1, Inputs: []minutes.InputDraft{
			{Kind: minutes.KeyPoint, Body: "Se citaron Estonia y Chile.", Questions: []int64{popular}}}}); err != nil {
			t.Fatal(err)
		}
		m, err := minutes.OfSession(ctx, db.DB, x.session.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := minutes.Candidates(ctx, db.DB, m)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{answered, x.question, popular, quiet}
		if len(got) != len(want) {
			t.Fatalf("%d candidates, want %d: %+v", len(got), len(want), got)
		}
		for i, c := range got {
			if c.QuestionID != want[i] || c.Imported != (c.QuestionID == popular) {
				t.Fatalf("candidate %d: %+v, want question %d", i, c, want[i])
			}
		}
	})
}

// TestWorkflow: a draft goes to review (corrections proposed for a week), an organiser sends it
// back with a request, it returns and is published as version 1; a correction, with its
// reason, is version 2, and version 1 stays as it was. Each step is the right person's, in the
// right state, and audited.
func TestWorkflow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		m := x.begin(t)
		m, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: 1, Summary: "Resumen", Inputs: []minutes.InputDraft{
			{Kind: minutes.Concern, Body: "Criminalización de actividades en línea."},
			{Kind: minutes.KeyPoint, Body: "La sociedad civil aún puede contribuir."}}})
		if err != nil {
			t.Fatal(err)
		}
		is := func(step string, err, want error) {
			t.Helper()
			if !errors.Is(err, want) {
				t.Fatalf("%s: %v, want %v", step, err, want)
			}
		}
		_, err = x.svc.Publish(ctx, x.organiser, m.ID)
		is("publishing a draft", err, minutes.ErrNotInReview)
		_, err = x.svc.Submit(ctx, x.rapporteur, m.ID, 1)
		is("submitting an old revision", err, minutes.ErrConflict)
		_, err = x.svc.Submit(ctx, x.member, m.ID, 2)
		is("a member submitting", err, minutes.ErrNotRapporteur)
		if m, err = x.svc.Submit(ctx, x.rapporteur, m.ID, 2); err != nil || m.Status != minutes.Review || !m.ReviewUntil.Equal(t0.Add(minutes.ReviewWindow)) {
			t.Fatalf("submitted: %s until %v (%v)", m.Status, m.ReviewUntil, err)
		}
		_, err = x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: m.Revision})
		is("saving in review", err, minutes.ErrNotDraft)
		_, err = x.svc.SendBack(ctx, x.rapporteur, m.ID, "Yo mismo")
		is("the rapporteur sending back", err, minutes.ErrNotOrganiser)
		if _, err = x.svc.SendBack(ctx, x.organiser, m.ID, "  "); !hasField(err, "request") {
			t.Fatalf("sending back without a request: %v", err)
		}
		if m, err = x.svc.SendBack(ctx, x.organiser, m.ID, "Falta el compromiso de la Coordinación."); err != nil || m.Status != minutes.Draft {
			t.Fatalf("sent back: %s (%v)", m.Status, err)
		}
		if cs, err := minutes.Comments(ctx, db.DB, m.ID); err != nil || len(cs) != 1 || *cs[0].AuthorID != x.organiser.AccountID {
			t.Fatalf("the request: %+v %v", cs, err)
		}
		saved, _ := minutes.OfSession(ctx, db.DB, x.session.ID)
		drafts := []minutes.InputDraft{
			{ID: saved.Inputs[0].ID, Kind: minutes.Concern, Body: saved.Inputs[0].Body},
			{ID: saved.Inputs[1].ID, Kind: minutes.KeyPoint, Body: saved.Inputs[1].Body},
			{Kind: minutes.Commitment, Body: "Publicar el borrador en enero.", By: "Coordinación de Estrategia Digital", Due: "2027-01-31"}}
		if m, err = x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: m.Revision, Summary: "Resumen", Inputs: drafts}); err != nil {
			t.Fatal(err)
		}
		if m, err = x.svc.Submit(ctx, x.rapporteur, m.ID, m.Revision); err != nil {
			t.Fatal(err)
		}
		_, err = x.svc.Publish(ctx, x.rapporteur, m.ID)
		is("the rapporteur publishing", err, minutes.ErrNotOrganiser)
		content := func() int64 {
			var n int64
			if err := db.NewSelect().Table("revisions").Column("value").Where("name = 'content'").Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := content()
		if m, err = x.svc.Publish(ctx, x.organiser, m.ID); err != nil || m.Status != minutes.Published || m.Version != 1 {
			t.Fatalf("published: %s version %d (%v)", m.Status, m.Version, err)
		}
		if content() == before {
			t.Fatal("publishing did not change the public pages' revision")
		}
		_, err = x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: m.Revision})
		is("saving published minutes", err, minutes.ErrNotDraft)
		corrected := []minutes.InputDraft{
			{ID: saved.Inputs[1].ID, Kind: minutes.KeyPoint, Body: "La sociedad civil puede contribuir hasta marzo."}}
		if _, err = x.svc.Correct(ctx, x.organiser, m.ID, minutes.DraftInput{Revision: m.Revision, Inputs: corrected}, ""); !hasField(err, "reason") {
			t.Fatalf("a correction without its reason: %v", err)
		}
		_, err = x.svc.Correct(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: m.Revision, Inputs: corrected}, "Fecha")
		is("the rapporteur correcting", err, minutes.ErrNotOrganiser)
		if m, err = x.svc.Correct(ctx, x.organiser, m.ID, minutes.DraftInput{Revision: m.Revision, Summary: "Resumen", Inputs: corrected},
			"La fecha límite se dijo en la sesión."); err != nil || m.Version != 2 {
			t.Fatalf("corrected: version %d (%v)", m.Version, err)
		}
		vs, err := minutes.Versions(ctx, db.DB, m.ID)
		if err != nil || len(vs) != 2 {
			t.Fatalf("versions: %d (%v)", len(vs), err)
		}
		numbers := func(v minutes.Version) (out []int64) {
			for _, in := range v.Content.Inputs {
				out = append(out, in.Number)
			}
			return out
		}
		if n := numbers(vs[0]); len(n) != 3 || n[0] != 1 || n[2] != 3 || vs[0].Content.Inputs[1].Body != "La sociedad civil aún puede contribuir." {
			t.Fatalf("version 1 changed: %+v", vs[0].Content.Inputs)
		}
		if n := numbers(vs[1]); len(n) != 1 || n[0] != 2 || vs[1].Content.Inputs[0].Body != "La sociedad civil puede contribuir hasta marzo." ||
			vs[1].Reason != "La fecha límite se dijo en la sesión." {
			t.Fatalf("version 2: %+v, reason %q", vs[1].Content.Inputs, vs[1].Reason)
		}
		var logged []string
		if err := db.NewSelect().Table("audit_log").Column("action").Where("action LIKE 'minutes.%'").OrderExpr("id").Scan(ctx, &logged); err != nil {
			t.Fatal(err)
		}
		if strings.Join(logged, " ") != "minutes.submit minutes.send_back minutes.submit minutes.publish minutes.correct" {
			t.Fatalf("audited: %v", logged)
		}
	})
}

// hasField tells whether err is a validation error naming field.
func hasField(err error, field string) bool {
	es, ok := validate.As(err)
	return ok && es.Has(field)
}

// TestProposedCorrections: while minutes are in review, the session's speakers and its forum's
// confirmed participants propose a new text for an input; the rapporteur accepts one (the input
// takes it) and declines another, with a reason. Others may not propose, nor anyone once the
// window has passed; only the rapporteur answers, once.
func TestProposedCorrections(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		m := x.begin(t)
		m, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: 1, Inputs: []minutes.InputDraft{
			{Kind: minutes.KeyPoint, Body: "Se citó a Estonia."}, {Kind: minutes.Concern, Body: "Falta presupuesto."}}})
		if err != nil {
			t.Fatal(err)
		}
		first, second := m.Inputs[0].ID, m.Inputs[1].ID
		speaker := x.member
		if _, err := db.NewInsert().Model(&forums.Speaker{SessionID: x.session.ID, Name: "Ana", Bio: translated.Text{}, AccountID: speaker.AccountID}).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		participant := x.secondRapp // a rapporteur elsewhere, registered for the forum
		if _, err := db.NewRaw(`INSERT INTO registrations (forum_id, session_id, account_id, email, name, language, status, mode, stakeholder_group,
			role, languages, privacy_version, answers, code, created_at, updated_at)
			VALUES (?, 0, ?, 'relator@example.org', 'Relator', 'es', 'confirmed', 'online', 'academia', 'participant', '[]', '1', '{}', 'ABC123', ?, ?)`,
			x.session.ForumID, participant.AccountID, t0, t0).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = x.svc.Propose(ctx, speaker, first, "Se citó a Estonia y a Chile.", "")
		if !errors.Is(err, minutes.ErrReviewClosed) {
			t.Fatalf("proposing on a draft: %v", err)
		}
		if m, err = x.svc.Submit(ctx, x.rapporteur, m.ID, m.Revision); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Propose(ctx, x.organiser, first, "Otra cosa", ""); !errors.Is(err, minutes.ErrNotParticipant) {
			t.Fatalf("someone who was not there proposing: %v", err)
		}
		if _, err := x.svc.Propose(ctx, speaker, first, " ", ""); !hasField(err, "body") {
			t.Fatalf("an empty proposal: %v", err)
		}
		accepted, err := x.svc.Propose(ctx, speaker, first, "Se citó a Estonia y a Chile.", "Chile también se mencionó.")
		if err != nil {
			t.Fatal(err)
		}
		declined, err := x.svc.Propose(ctx, participant, second, "No hubo quejas.", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Answer(ctx, speaker, accepted.ID, true, ""); !errors.Is(err, minutes.ErrNotRapporteur) {
			t.Fatalf("the proposer answering: %v", err)
		}
		if _, err := x.svc.Answer(ctx, x.rapporteur, declined.ID, false, ""); !hasField(err, "answer") {
			t.Fatalf("declining without a reason: %v", err)
		}
		if _, err := x.svc.Answer(ctx, x.rapporteur, accepted.ID, true, "Gracias."); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Answer(ctx, x.rapporteur, declined.ID, false, "Dos personas lo plantearon en la sesión."); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Answer(ctx, x.rapporteur, declined.ID, true, ""); !errors.Is(err, minutes.ErrAnswered) {
			t.Fatalf("answering twice: %v", err)
		}
		after, _ := minutes.OfSession(ctx, db.DB, x.session.ID)
		if after.Inputs[0].Body != "Se citó a Estonia y a Chile." || after.Inputs[1].Body != "Falta presupuesto." || after.Revision != m.Revision+1 {
			t.Fatalf("after the answers: %q, %q, revision %d", after.Inputs[0].Body, after.Inputs[1].Body, after.Revision)
		}
		ps, err := minutes.Proposals(ctx, db.DB, m.ID)
		if err != nil || len(ps) != 2 || ps[0].Status != minutes.Accepted || ps[1].Status != minutes.Declined || ps[1].Answer == "" {
			t.Fatalf("proposals: %+v %v", ps, err)
		}
		x.clock.Advance(minutes.ReviewWindow)
		if _, err := x.svc.Propose(ctx, speaker, second, "Tarde", ""); !errors.Is(err, minutes.ErrReviewClosed) {
			t.Fatalf("proposing after the window: %v", err)
		}
		// A proposer's data: exported, then unnamed; the proposal stays with the minutes.
		data, err := minutes.Personal{}.Export(ctx, db.DB, speaker.AccountID, "")
		if got := data.(map[string]any)["proposed_corrections"].([]map[string]any); err != nil || len(got) != 1 || got[0]["body"] != "Se citó a Estonia y a Chile." {
			t.Fatalf("exported: %+v %v", data, err)
		}
		if err := (minutes.Personal{}).Erase(ctx, db.DB, t0, speaker.AccountID, ""); err != nil {
			t.Fatal(err)
		}
		if ps, _ = minutes.Proposals(ctx, db.DB, m.ID); len(ps) != 2 || ps[0].ProposerID != nil {
			t.Fatalf("after erasing the proposer: %+v", ps)
		}
	})
}

// TestDispositions: organisers record what became of each input of published minutes, with a
// public rationale; every decision is kept, in order, moves the public pages' revision and is
// audited. Wrong statuses, a merge into itself or another process's input, and progress on
// what is not a commitment are refused naming their field.
func TestDispositions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		m := x.begin(t)
		m, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: 1, Inputs: []minutes.InputDraft{
			{Kind: minutes.Recommendation, Body: "Abrir la estrategia a comentarios."},
			{Kind: minutes.Recommendation, Body: "Consultar a la sociedad civil."},
			{Kind: minutes.Commitment, Body: "Publicar el borrador en enero.", By: "Coordinación", Due: "2027-01-31"}}})
		if err != nil {
			t.Fatal(err)
		}
		open, merged, commitment := m.Inputs[0].ID, m.Inputs[1].ID, m.Inputs[2].ID
		adopted := minutes.DispositionInput{Status: minutes.Adopted, Rationale: "Se abrió una consulta pública.", Section: "5.2"}
		if _, err := x.svc.Dispose(ctx, x.organiser, open, adopted); !errors.Is(err, minutes.ErrNotPublished) {
			t.Fatalf("deciding on a draft's input: %v", err)
		}
		if m, err = x.svc.Submit(ctx, x.rapporteur, m.ID, m.Revision); err != nil {
			t.Fatal(err)
		}
		if _, err = x.svc.Publish(ctx, x.organiser, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Dispose(ctx, x.rapporteur, open, adopted); !errors.Is(err, minutes.ErrNotOrganiser) {
			t.Fatalf("the rapporteur deciding: %v", err)
		}
		other, err := x.svc.Open(ctx, x.secondRapp, x.second.ID)
		if err != nil {
			t.Fatal(err)
		}
		for field, in := range map[string]minutes.DispositionInput{
			"status":      {Status: "ignored", Rationale: "x"},
			"rationale":   {Status: minutes.NotAdopted},
			"section":     {Status: minutes.Adopted, Rationale: "x", Section: "5.2\n6"},
			"merged_into": {Status: minutes.MergedInto, Rationale: "x", MergedInto: open},
			"progress":    {Status: minutes.Adopted, Rationale: "x", Progress: minutes.Done},
		} {
			if _, err := x.svc.Dispose(ctx, x.organiser, open, in); !hasField(err, field) {
				t.Fatalf("%s: %v", field, err)
			}
		}
		if _, err := x.svc.Dispose(ctx, x.organiser, merged, minutes.DispositionInput{Status: minutes.MergedInto, Rationale: "x",
			MergedInto: other.ID + 100000}); !hasField(err, "merged_into") {
			t.Fatalf("merged into an input that is not there: %v", err)
		}
		content := func() (n int64) {
			if err := db.NewSelect().Table("revisions").Column("value").Where("name = 'content'").Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := content()
		for _, step := range []struct {
			input int64
			in    minutes.DispositionInput
		}{
			{open, minutes.DispositionInput{Status: minutes.Pending}},
			{open, adopted},
			{merged, minutes.DispositionInput{Status: minutes.MergedInto, Rationale: "Es la misma recomendación.", MergedInto: open}},
			{commitment, minutes.DispositionInput{Status: minutes.Adopted, Rationale: "En el plan de trabajo.", Progress: minutes.InProgress}},
		} {
			if _, err := x.svc.Dispose(ctx, x.organiser, step.input, step.in); err != nil {
				t.Fatalf("%+v: %v", step.in, err)
			}
		}
		if content() == before {
			t.Fatal("decisions left the public pages' revision")
		}
		h, err := minutes.History(ctx, db.DB, open)
		if err != nil || len(h) != 2 || h[0].Status != minutes.Pending || h[1].Status != minutes.Adopted || h[1].Section != "5.2" {
			t.Fatalf("the first input's history: %+v %v", h, err)
		}
		if h, _ = minutes.History(ctx, db.DB, merged); len(h) != 1 || *h[0].MergedInto != open {
			t.Fatalf("the merged input's history: %+v", h)
		}
		if h, _ = minutes.History(ctx, db.DB, commitment); len(h) != 1 || h[0].Progress != minutes.InProgress {
			t.Fatalf("the commitment's history: %+v", h)
		}
		n, err := db.NewSelect().Table("audit_log").Where("action = 'minutes.dispose'").Count(ctx)
		if err != nil || n != 4 {
			t.Fatalf("audited decisions: %d %v", n, err)
		}
	})
}

// TestAskersAreTold: deciding on an input mails those who asked, under their name, a question
// it came from; not anonymous askers, not for "pending". A notice that cannot be written as
// mail is left out and the decision stands.
func TestAskersAreTold(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		x.svc.Mail, _ = x.outbox(t)
		x.svc.BaseURL = "https://convene.example.org"
		named := question(t, db, x.session.ID, qa.Question{Body: "¿Puede contribuir la sociedad civil?", Status: qa.Answered,
			AuthorID: &x.member.AccountID, AuthorName: "Ana"})
		m := x.begin(t)
		m, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: 1, Inputs: []minutes.InputDraft{
			{Kind: minutes.Recommendation, Body: "Abrir la estrategia a comentarios.", Questions: []int64{named, x.question}}}})
		if err != nil {
			t.Fatal(err)
		}
		input := m.Inputs[0].ID
		if m, err = x.svc.Submit(ctx, x.rapporteur, m.ID, m.Revision); err != nil {
			t.Fatal(err)
		}
		if _, err = x.svc.Publish(ctx, x.organiser, m.ID); err != nil {
			t.Fatal(err)
		}
		outbox := func() (n int) {
			if err := db.NewSelect().Table("outbox").ColumnExpr("count(*)").Scan(ctx, &n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if _, err := x.svc.Dispose(ctx, x.organiser, input, minutes.DispositionInput{Status: minutes.Pending}); err != nil || outbox() != 0 {
			t.Fatalf("pending: %d mails (%v)", outbox(), err)
		}
		if _, err := x.svc.Dispose(ctx, x.organiser, input, minutes.DispositionInput{Status: minutes.Adopted,
			Rationale: "Se abrió una consulta pública.", Section: "5.2"}); err != nil {
			t.Fatal(err)
		}
		var got []struct {
			Recipient string `bun:"recipient"`
			Subject   string `bun:"subject"`
			Body      string `bun:"body_text"`
		}
		if err := db.NewSelect().Table("outbox").Column("recipient", "subject", "body_text").Scan(ctx, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Recipient != "ana@example.org" || !strings.Contains(got[0].Subject, "ENCS2017-0001 fue adoptado") ||
			!strings.Contains(got[0].Body, "Sección de la estrategia: 5.2") || !strings.Contains(got[0].Body, fmt.Sprintf("https://convene.example.org/sessions/%d", x.session.ID)) {
			t.Fatalf("mailed: %+v", got)
		}
		// A kind of notice the catalogs lack: left out, the decision kept.
		x.svc.Mail = &mail.Outbox{Translator: emptyCatalog{}, Clock: x.clock}
		if _, err := x.svc.Dispose(ctx, x.organiser, input, minutes.DispositionInput{Status: minutes.NotAdopted, Rationale: "Ya no aplica."}); err != nil {
			t.Fatalf("a notice that cannot be written undid the decision: %v", err)
		}
		if h, _ := minutes.History(ctx, db.DB, input); len(h) != 3 || outbox() != 1 {
			t.Fatalf("after an unwritable notice: %d decisions, %d mails", len(h), outbox())
		}
	})
}

// outbox writes mail from the real catalogs, stamped by the fixture's clock.
func (x *fixture) outbox(t *testing.T) (*mail.Outbox, *locale.Bundle) {
	t.Helper()
	bundle, err := locale.Load(frontend.Locales())
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Outbox{Translator: bundle, Clock: x.clock, SiteName: "Convene"}, bundle
}

// emptyCatalog knows no message: every id comes back as itself.
type emptyCatalog struct{}

func (emptyCatalog) T(_ string, id string, _ map[string]any) string { return id }

// TestExplore: the archive finds published inputs by their words, in Spanish and English, and by
// kind, objective or axis, stakeholder group, forum and what became of them; never an input of
// minutes not yet published, nor one a correction took out; and words typed as search syntax
// are only words.
func TestExplore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		if _, err := db.NewUpdate().Table("forums").Set("status = 'published'").Where("process_id = ?", x.process.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		m := x.begin(t)
		m, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: m.Revision, Inputs: []minutes.InputDraft{
			{Kind: minutes.Recommendation, Body: "Fortalecer la respuesta regional a incidentes.", Topics: []int64{x.objective.ID}, Groups: []string{"academia"}},
			{Kind: minutes.Concern, Body: "Preocupa la protección de los datos personales.", Topics: []int64{x.axis.ID}, Groups: []string{"civil_society"}},
			{Kind: minutes.KeyPoint, Body: "Attacks on hospitals were discussed.", Groups: []string{"government"}},
			{Kind: minutes.KeyPoint, Body: "Un aporte que se quitará: hospitales.", Groups: []string{"government"}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if m, err = x.svc.Submit(ctx, x.rapporteur, m.ID, m.Revision); err != nil {
			t.Fatal(err)
		}
		if m, err = x.svc.Publish(ctx, x.organiser, m.ID); err != nil {
			t.Fatal(err)
		}
		kept := make([]minutes.InputDraft, 3)
		for i, in := range m.Inputs[:3] {
			kept[i] = minutes.InputDraft{ID: in.ID, Kind: in.Kind, Body: in.Body, Topics: in.Topics, Groups: in.Groups}
		}
		if m, err = x.svc.Correct(ctx, x.organiser, m.ID, minutes.DraftInput{Revision: m.Revision, Inputs: kept}, "Sobraba uno."); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Dispose(ctx, x.organiser, m.Inputs[1].ID, minutes.DispositionInput{Status: minutes.Adopted, Rationale: "Sí."}); err != nil {
			t.Fatal(err)
		}
		draft, err := x.svc.Open(ctx, x.secondRapp, x.second.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Save(ctx, x.secondRapp, draft.ID, minutes.DraftInput{Revision: draft.Revision, Inputs: []minutes.InputDraft{
			{Kind: minutes.KeyPoint, Body: "Datos de los municipios, en borrador."}}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			f    minutes.Filter
			want []int64
		}{
			{"everything published, newest first", minutes.Filter{}, []int64{3, 2, 1}},
			{"a word in Spanish, as another form of it", minutes.Filter{Query: "incidente"}, []int64{1}},
			{"two words", minutes.Filter{Query: "datos personales"}, []int64{2}},
			{"a word in English", minutes.Filter{Query: "hospitals"}, []int64{3}},
			{"not a draft's words", minutes.Filter{Query: "municipios"}, nil},
			{"not a removed input's words", minutes.Filter{Query: "quitará"}, nil},
			{"search syntax is only words", minutes.Filter{Query: `"datos" (* ');`}, []int64{2}},
			{"a kind", minutes.Filter{Kind: minutes.Concern}, []int64{2}},
			{"an objective", minutes.Filter{Topic: x.objective.ID}, []int64{1}},
			{"a group", minutes.Filter{Group: "government"}, []int64{3}},
			{"adopted", minutes.Filter{Standing: minutes.Adopted}, []int64{2}},
			{"pending", minutes.Filter{Standing: minutes.Pending}, []int64{3, 1}},
			{"words and a filter", minutes.Filter{Query: "datos", Kind: minutes.KeyPoint}, nil},
		} {
			hits, total, err := minutes.Explore(ctx, db.DB, x.process.ID, c.f)
			var got []int64
			for _, h := range hits {
				got = append(got, h.Number)
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) || total != len(c.want) {
				t.Errorf("%s: %v of %d (%v), want %v", c.name, got, total, err, c.want)
			}
		}
		for _, f := range []minutes.Filter{{Query: strings.Repeat("x", minutes.MaxQuery+1)}, {Kind: "rumour"}, {Standing: "lost"}} {
			if _, _, err := minutes.Explore(ctx, db.DB, x.process.ID, f); err == nil {
				t.Errorf("%+v was not refused", f)
			}
		}
	})
}
