package consultation_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// fixture is a process with three stakeholder groups, its organiser and moderator, three
// members, and a draft whose first version (version1) is open for comment from t0 for a week.
type fixture struct {
	clock                     *clock.Fixed
	svc                       *consultation.Service
	process                   processes.Process
	draft                     consultation.Draft
	organiser, moderator      consultation.Who
	ana, beto, caro, outsider consultation.Who
}

func newFixture(t *testing.T, db *storetest.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	x := &fixture{clock: clock.NewFixed(t0)}
	x.svc = &consultation.Service{DB: db.DB, Clock: x.clock}
	p, err := processes.Create(ctx, db.DB, t0, audit.Actor{}, processes.ProcessInput{Slug: "encs", Code: "ENCS2017", TimeZone: "America/Mexico_City",
		Status: processes.StatusOpen, Languages: []string{"es", "en"}, StakeholderGroups: []string{"academia", "civil_society", "government"},
		Title: translated.Text{"es": "Estrategia", "en": "Strategy"}})
	if err != nil {
		t.Fatal(err)
	}
	x.process = p
	who := func(email string) consultation.Who {
		a := accounts.Account{Email: email, Name: strings.Split(email, "@")[0], Language: "es", CreatedAt: t0}
		if _, err := db.NewInsert().Model(&a).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		return consultation.Who{AccountID: a.ID, Name: a.Name}
	}
	x.organiser, x.moderator = who("org@example.org"), who("mod@example.org")
	x.ana, x.beto, x.caro, x.outsider = who("ana@example.org"), who("beto@example.org"), who("caro@example.org"), who("otro@example.org")
	if err := access.Grant(ctx, db.DB, t0, audit.Actor{}, x.organiser.AccountID, access.Organiser, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := access.Grant(ctx, db.DB, t0, audit.Actor{}, x.moderator.AccountID, access.Moderator, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	opens, closes := t0, t0.Add(7*24*time.Hour)
	x.draft, err = x.svc.CreateDraft(ctx, x.organiser, p.ID, consultation.DraftInput{Title: translated.Text{"es": "Borrador", "en": "Draft"},
		OpensAt: &opens, ClosesAt: &closes})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.svc.PublishVersion(ctx, x.organiser, x.draft.ID, version1, "Primera versión"); err != nil {
		t.Fatal(err)
	}
	x.draft, _ = consultation.ByID(ctx, db.DB, x.draft.ID)
	return x
}

func (x *fixture) comment(t *testing.T, who consultation.Who, paragraph int, quote, body string) consultation.Comment {
	t.Helper()
	c, err := x.svc.AddComment(context.Background(), who, x.draft.ID, consultation.CommentInput{Version: x.draft.Version, Paragraph: paragraph,
		Quote: quote, Body: body, Group: "civil_society"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fieldOf(err error) string {
	if es, ok := validate.As(err); ok && len(es) > 0 {
		return es[0].Field
	}
	return ""
}

// TestCommentPeriod: comments, supports and marks are taken only while the period is open;
// before and after it they are refused with ErrNotOpen and nothing is written; a draft's
// settings are the organisers'.
func TestCommentPeriod(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		c := x.comment(t, x.ana, 2, "", "Falta la educación básica.")
		for _, at := range []time.Time{t0.Add(-time.Minute), t0.Add(7 * 24 * time.Hour), t0.Add(30 * 24 * time.Hour)} {
			x.clock.Set(at)
			_, err := x.svc.AddComment(ctx, x.beto, x.draft.ID, consultation.CommentInput{Version: 1, Paragraph: 2, Body: "Tarde", Group: "academia"})
			if !errors.Is(err, consultation.ErrNotOpen) {
				t.Fatalf("a comment at %v: %v", at, err)
			}
			if _, err := x.svc.Support(ctx, x.beto, c.ID, true); !errors.Is(err, consultation.ErrNotOpen) {
				t.Fatalf("a support at %v: %v", at, err)
			}
			if err := x.svc.Mark(ctx, x.beto, x.draft.ID, 1, 2, consultation.Agree, "academia"); !errors.Is(err, consultation.ErrNotOpen) {
				t.Fatalf("a mark at %v: %v", at, err)
			}
		}
		n, _ := db.NewSelect().Model((*consultation.Comment)(nil)).Count(ctx)
		if n != 1 {
			t.Fatalf("%d comments after the period", n)
		}
		x.clock.Set(t0.Add(time.Hour))
		for _, c := range []struct {
			name  string
			in    consultation.CommentInput
			field string
		}{
			{"empty", consultation.CommentInput{Version: 1, Paragraph: 1, Group: "academia"}, "body"},
			{"too long", consultation.CommentInput{Version: 1, Paragraph: 1, Body: strings.Repeat("a", consultation.MaxComment+1), Group: "academia"}, "body"},
			{"no such group", consultation.CommentInput{Version: 1, Paragraph: 1, Body: "Hola", Group: "aliens"}, "group"},
			{"no such paragraph", consultation.CommentInput{Version: 1, Paragraph: 9, Body: "Hola", Group: "academia"}, "paragraph"},
			{"a quote not in the paragraph", consultation.CommentInput{Version: 1, Paragraph: 1, Quote: "derechos", Body: "Hola", Group: "academia"}, "quote"},
			{"a quote on the whole draft", consultation.CommentInput{Version: 1, Quote: "derechos", Body: "Hola", Group: "academia"}, "quote"},
		} {
			if _, err := x.svc.AddComment(ctx, x.beto, x.draft.ID, c.in); fieldOf(err) != c.field {
				t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
			}
		}
		if _, err := x.svc.AddComment(ctx, x.beto, x.draft.ID, consultation.CommentInput{Version: 1, Paragraph: 3, Quote: "salvaguardas  de\nderechos",
			Body: "Bien", Group: "academia"}); err != nil {
			t.Fatalf("a quote with other spaces: %v", err)
		}
		if _, err := x.svc.AddComment(ctx, consultation.Who{}, x.draft.ID, consultation.CommentInput{Version: 1, Paragraph: 1, Body: "Hola", Group: "academia"}); !errors.Is(err, consultation.ErrNotOpen) {
			t.Fatalf("a comment with no account: %v", err)
		}
		if _, err := x.svc.UpdateDraft(ctx, x.ana, x.draft.ID, consultation.DraftInput{Title: translated.Text{"es": "x", "en": "x"}}); !errors.Is(err, consultation.ErrNotOrganiser) {
			t.Fatalf("a member changing the draft: %v", err)
		}
		if _, err := x.svc.PublishVersion(ctx, x.ana, x.draft.ID, "Otro texto", ""); !errors.Is(err, consultation.ErrNotOrganiser) {
			t.Fatalf("a member publishing: %v", err)
		}
		if _, err := x.svc.PublishVersion(ctx, x.organiser, x.draft.ID, version1, ""); fieldOf(err) != "body" {
			t.Fatalf("publishing the same text: %v", err)
		}
		opens := t0
		if _, err := x.svc.UpdateDraft(ctx, x.organiser, x.draft.ID, consultation.DraftInput{Title: translated.Text{"es": "x", "en": "x"}, OpensAt: &opens, ClosesAt: &opens}); fieldOf(err) != "closes_at" {
			t.Fatalf("a period that closes as it opens: %v", err)
		}
		if _, err := x.svc.UpdateDraft(ctx, x.organiser, x.draft.ID, consultation.DraftInput{Title: translated.Text{"es": "x"}}); fieldOf(err) != "title.en" {
			t.Fatalf("a title missing a language: %v", err)
		}
	})
}

// TestModeration: a flagged comment goes to the moderators; hidden with a reason it is gone
// for everyone but its author (who reads why) and the moderators; restored it is back; members
// may not moderate; the public count of hidden comments per reason follows.
func TestModeration(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		c := x.comment(t, x.ana, 2, "", "Un comentario con datos personales de alguien.")
		for range 2 {
			if _, err := x.svc.Flag(ctx, x.beto, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		flagged, _ := consultation.Flagged(ctx, db.DB, x.draft.ID)
		if len(flagged) != 1 || flagged[0].Flags != 1 {
			t.Fatalf("flagged twice by one person: %+v", flagged)
		}
		if _, err := x.svc.Moderate(ctx, x.ana, c.ID, consultation.ActHide, consultation.PersonalData, ""); !errors.Is(err, consultation.ErrNotModerator) {
			t.Fatalf("a member hiding: %v", err)
		}
		if _, err := x.svc.Moderate(ctx, x.moderator, c.ID, consultation.ActHide, "because", ""); fieldOf(err) != "reason" {
			t.Fatalf("hiding with no reason from the list: %v", err)
		}
		if _, err := x.svc.Moderate(ctx, x.moderator, c.ID, consultation.ActHide, consultation.PersonalData, "Nombra a una persona."); err != nil {
			t.Fatal(err)
		}
		count := func(v consultation.Viewer) int {
			ts, err := consultation.ThreadsOn(ctx, db.DB, x.draft, 1, 2, v)
			if err != nil {
				t.Fatal(err)
			}
			return len(ts)
		}
		if n := count(consultation.Viewer{}); n != 0 {
			t.Errorf("the public sees %d hidden comments", n)
		}
		if n := count(consultation.Viewer{AccountID: x.beto.AccountID}); n != 0 {
			t.Errorf("another member sees %d hidden comments", n)
		}
		if n := count(consultation.Viewer{AccountID: x.ana.AccountID}); n != 1 {
			t.Errorf("the author sees %d of their hidden comments", n)
		}
		if n := count(consultation.Viewer{AccountID: x.moderator.AccountID, Moderator: true}); n != 1 {
			t.Errorf("a moderator sees %d hidden comments", n)
		}
		if counts, _ := consultation.Counts(ctx, db.DB, x.draft, 1); counts[2] != 0 {
			t.Errorf("a hidden comment counted: %v", counts)
		}
		if _, err := x.svc.Support(ctx, x.beto, c.ID, true); !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("supporting a hidden comment: %v", err)
		}
		if m, _ := consultation.Moderation(ctx, db.DB, x.draft.ID); m[consultation.PersonalData] != 1 {
			t.Errorf("the moderation count: %v", m)
		}
		if _, err := x.svc.Moderate(ctx, x.moderator, c.ID, consultation.ActRestore, "", ""); err != nil {
			t.Fatal(err)
		}
		if n := count(consultation.Viewer{}); n != 1 {
			t.Errorf("a restored comment: the public sees %d", n)
		}
		var actions []string
		if err := db.NewSelect().Table("audit_log").Column("action").OrderExpr("id").Scan(ctx, &actions); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(actions, " "); !strings.Contains(got, "draft.flag draft.hide draft.restore") {
			t.Errorf("the audit log: %s", got)
		}
	})
}

// TestSupportsAndReplies: one support per person, never one's own, withdrawn at will; a reply
// goes under its comment and follows it to a new version.
func TestSupportsAndReplies(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		c := x.comment(t, x.ana, 3, "salvaguardas de derechos humanos", "¿Cuáles salvaguardas?")
		for _, w := range []consultation.Who{x.beto, x.beto, x.caro} {
			if _, err := x.svc.Support(ctx, w, c.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := x.svc.Support(ctx, x.ana, c.ID, true); !errors.Is(err, consultation.ErrOwnComment) {
			t.Fatalf("supporting one's own: %v", err)
		}
		got, _ := x.svc.Support(ctx, x.caro, c.ID, false)
		if got.Supports != 1 {
			t.Fatalf("supports after one withdrew: %d", got.Supports)
		}
		if _, err := x.svc.AddComment(ctx, x.beto, x.draft.ID, consultation.CommentInput{ParentID: c.ID, Body: "Las de la Constitución.", Group: "academia"}); err != nil {
			t.Fatal(err)
		}
		v2 := strings.Replace(version1, "# Ejes transversales\n\n", "# Ejes transversales\n\nUn párrafo nuevo.\n\n", 1)
		if _, err := x.svc.PublishVersion(ctx, x.organiser, x.draft.ID, v2, ""); err != nil {
			t.Fatal(err)
		}
		d, _ := consultation.ByID(ctx, db.DB, x.draft.ID)
		ts, err := consultation.ThreadsOn(ctx, db.DB, d, 2, 4, consultation.Viewer{AccountID: x.beto.AccountID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 1 || ts[0].AtState != consultation.Moved || len(ts[0].Replies) != 1 || !ts[0].Supported || ts[0].Supports != 1 {
			t.Fatalf("the thread in version 2: %+v", ts)
		}
		if old, _ := consultation.ThreadsOn(ctx, db.DB, d, 1, 3, consultation.Viewer{}); len(old) != 1 {
			t.Fatalf("version 1 keeps the comments made on it: %+v", old)
		}
		if _, err := x.svc.AddComment(ctx, x.caro, x.draft.ID, consultation.CommentInput{Version: 1, Paragraph: 3, Body: "Tarde", Group: "academia"}); !errors.Is(err, consultation.ErrOldVersion) {
			t.Fatalf("a comment on an older version: %v", err)
		}
	})
}

// TestPlaces: a new version places each comment (exact, moved, fuzzy, orphaned); organisers
// confirm a fuzzy place or choose another; an orphaned comment is listed as such; the comment
// on the whole draft stays on the whole draft.
func TestPlaces(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		whole := x.comment(t, x.ana, 0, "", "En general, bien.")
		same := x.comment(t, x.ana, 1, "", "Bien.")
		edited := x.comment(t, x.beto, 3, "", "Más salvaguardas.")
		gone := x.comment(t, x.caro, 4, "", "¿Cuáles estándares?")
		v2 := strings.Replace(version1, "se revisará con salvaguardas de derechos humanos.", "se revisará con salvaguardas explícitas de derechos humanos y libertad de expresión.", 1)
		v2 = strings.Replace(v2, "\n\nLos estándares técnicos seguirán las recomendaciones internacionales.", "", 1)
		if _, err := x.svc.PublishVersion(ctx, x.organiser, x.draft.ID, v2, ""); err != nil {
			t.Fatal(err)
		}
		state := func(id int64) (int, string) {
			c, err := consultation.CommentByID(ctx, db.DB, id)
			if err != nil {
				t.Fatal(err)
			}
			return c.AtParagraph, c.AtState
		}
		for _, c := range []struct {
			id        int64
			paragraph int
			state     string
		}{{whole.ID, 0, consultation.Exact}, {same.ID, 1, consultation.Exact}, {edited.ID, 3, consultation.Fuzzy}, {gone.ID, 0, consultation.Orphaned}} {
			if p, s := state(c.id); p != c.paragraph || s != c.state {
				t.Errorf("comment %d: paragraph %d %s, want %d %s", c.id, p, s, c.paragraph, c.state)
			}
		}
		d, _ := consultation.ByID(ctx, db.DB, x.draft.ID)
		if fuzzy, _ := consultation.ToPlace(ctx, db.DB, d); len(fuzzy) != 1 || fuzzy[0].ID != edited.ID {
			t.Errorf("to place: %+v", fuzzy)
		}
		if orphans, _ := consultation.Orphans(ctx, db.DB, d, consultation.Viewer{}); len(orphans) != 1 || orphans[0].ID != gone.ID || orphans[0].Version != 1 {
			t.Errorf("orphans: %+v", orphans)
		}
		if counts, _ := consultation.Counts(ctx, db.DB, d, 2); counts[0] != 1 || counts[1] != 1 || counts[3] != 1 || len(counts) != 3 {
			t.Errorf("counts in version 2: %v", counts)
		}
		if _, err := x.svc.Place(ctx, x.ana, edited.ID, 3); !errors.Is(err, consultation.ErrNotOrganiser) {
			t.Errorf("a member placing: %v", err)
		}
		if _, err := x.svc.Place(ctx, x.organiser, edited.ID, 3); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.Place(ctx, x.organiser, gone.ID, 2); err != nil {
			t.Fatal(err)
		}
		if p, s := state(edited.ID); p != 3 || s != consultation.Confirmed {
			t.Errorf("confirmed: %d %s", p, s)
		}
		if p, s := state(gone.ID); p != 2 || s != consultation.Confirmed {
			t.Errorf("chosen: %d %s", p, s)
		}
		if fuzzy, _ := consultation.ToPlace(ctx, db.DB, d); len(fuzzy) != 0 {
			t.Errorf("to place after confirming: %+v", fuzzy)
		}
	})
}

// TestWhereGroupsAgree: marks by group make a paragraph broadly agreed or divided; marking
// again changes one's mark; marks on an unchanged paragraph carry to its new number.
func TestWhereGroupsAgree(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		err := store(ctx, db.DB, func(tx bun.Tx) error {
			for i := range 12 {
				group := []string{"academia", "civil_society", "government"}[i%3]
				a := accounts.Account{Email: fmt.Sprintf("m%d@example.org", i), Name: "m", Language: "es", CreatedAt: t0}
				if _, err := tx.NewInsert().Model(&a).Exec(ctx); err != nil {
					return err
				}
				w := consultation.Who{AccountID: a.ID}
				// Everyone agrees with paragraph 1; on 3 government agrees and the others disagree.
				if err := consultation.Mark(ctx, tx, t0, w, x.draft.ID, 1, 1, consultation.Agree, group); err != nil {
					return err
				}
				mark := consultation.Disagree
				if group == "government" {
					mark = consultation.Agree
				}
				if err := consultation.Mark(ctx, tx, t0, w, x.draft.ID, 1, 3, consultation.Pass, group); err != nil {
					return err
				}
				if err := consultation.Mark(ctx, tx, t0, w, x.draft.ID, 1, 3, mark, group); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		a, err := consultation.AgreementOn(ctx, db.DB, x.draft.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if a[3]["government"].Agree != 4 || a[3]["academia"].Disagree != 4 || a[3]["academia"].Pass != 0 {
			t.Fatalf("marks on paragraph 3: %+v", a[3])
		}
		broad, divided := a.Broad(5)
		if len(broad) != 1 || broad[0].Paragraph != 1 || len(divided) != 1 || divided[0].Paragraph != 3 {
			t.Fatalf("broad %+v, divided %+v", broad, divided)
		}
		if err := x.svc.Mark(ctx, x.ana, x.draft.ID, 1, 1, "maybe", "academia"); fieldOf(err) != "mark" {
			t.Fatalf("a mark not on the list: %v", err)
		}
		v2 := "Un párrafo nuevo al principio.\n\n" + version1
		if _, err := x.svc.PublishVersion(ctx, x.organiser, x.draft.ID, v2, ""); err != nil {
			t.Fatal(err)
		}
		a2, _ := consultation.AgreementOn(ctx, db.DB, x.draft.ID, 2)
		if a2[2]["academia"].Agree != 4 || a2[4]["government"].Agree != 4 || len(a2[1]) != 0 {
			t.Fatalf("marks carried to version 2: %+v", a2)
		}
	})
}

// TestCampaigns: 500 copies of one comment with small changes (a name, a word, a city) form
// one group, counted by stakeholder group; a different comment stays alone.
func TestCampaigns(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		const text = "Me opongo a que la estrategia permita vigilar las comunicaciones sin orden judicial. Pido que el párrafo sobre el marco jurídico exija control judicial previo, transparencia y rendición de cuentas. Atentamente, %s de %s."
		cities := []string{"Ciudad de México", "Monterrey", "Guadalajara", "Puebla", "Mérida"}
		groups := []string{"academia", "civil_society", "government"}
		err := store(ctx, db.DB, func(tx bun.Tx) error {
			for i := range 500 {
				a := accounts.Account{Email: fmt.Sprintf("c%d@example.org", i), Name: "c", Language: "es", CreatedAt: t0}
				if _, err := tx.NewInsert().Model(&a).Exec(ctx); err != nil {
					return err
				}
				body := fmt.Sprintf(text, fmt.Sprintf("Persona %d", i), cities[i%len(cities)])
				if i%7 == 0 {
					body = strings.Replace(body, "Me opongo", "Yo me opongo", 1)
				}
				if i%11 == 0 {
					body = strings.Replace(body, "transparencia", "transparencia plena", 1)
				}
				if _, err := consultation.AddComment(ctx, tx, t0, consultation.Who{AccountID: a.ID}, x.draft.ID,
					consultation.CommentInput{Version: 1, Paragraph: 3, Body: body, Group: groups[i%3]}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		x.comment(t, x.ana, 3, "", "Estoy de acuerdo con el párrafo, aunque pediría fechas.")
		cs, err := consultation.Campaigns(ctx, db.DB, x.draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 1 || cs[0].N != 500 || cs[0].ByGroup["academia"] != 167 || cs[0].ByGroup["government"] != 166 {
			t.Fatalf("campaigns: %d, the first %+v", len(cs), cs[:min(1, len(cs))])
		}
		ts, _ := consultation.ThreadsOn(ctx, db.DB, x.draft, 1, 3, consultation.Viewer{})
		if len(ts) != 501 || ts[0].Copies != 500 || ts[500].Copies != 0 {
			t.Fatalf("threads: %d, copies %d and %d", len(ts), ts[0].Copies, ts[len(ts)-1].Copies)
		}
	})
}

func store(ctx context.Context, db *bun.DB, fn func(tx bun.Tx) error) error {
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(tx) })
}

// TestPersonalData: a person's comments, supports, marks and submissions are in their export;
// erased, the comments stay without their name, the supports and marks are gone (counts
// following), and their submission stays without its sender, its points in the organisation's
// name.
func TestPersonalData(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		mine := x.comment(t, x.ana, 2, "", "Mi comentario.")
		other := x.comment(t, x.beto, 2, "", "Otro.")
		if _, err := x.svc.Support(ctx, x.ana, other.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := x.svc.Mark(ctx, x.ana, x.draft.ID, 1, 2, consultation.Agree, "academia"); err != nil {
			t.Fatal(err)
		}
		got, err := consultation.Personal{}.Export(ctx, db.DB, x.ana.AccountID, "")
		if err != nil {
			t.Fatal(err)
		}
		if s := fmt.Sprint(got); !strings.Contains(s, "Mi comentario.") || !strings.Contains(s, fmt.Sprint(other.ID)) || !strings.Contains(s, "agree") {
			t.Fatalf("export: %s", s)
		}
		sub, err := x.svc.Submit(ctx, x.ana, x.draft.ID, consultation.SubmissionInput{Organisation: "Red de Derechos Digitales", Group: "civil_society",
			Role: "Coordinadora", Body: "Observaciones.", Public: true})
		if err != nil {
			t.Fatal(err)
		}
		point, err := x.svc.AddPoint(ctx, x.organiser, sub.ID, 2, "", "Un punto de la Red.")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := (consultation.Personal{}).Export(ctx, db.DB, x.ana.AccountID, ""); !strings.Contains(fmt.Sprint(got), "Red de Derechos Digitales") {
			t.Fatalf("export without the submission: %v", got)
		}
		if err := (consultation.Personal{}).Erase(ctx, db.DB, t0, x.ana.AccountID, ""); err != nil {
			t.Fatal(err)
		}
		c, _ := consultation.CommentByID(ctx, db.DB, mine.ID)
		o, _ := consultation.CommentByID(ctx, db.DB, other.ID)
		a, _ := consultation.AgreementOn(ctx, db.DB, x.draft.ID, 1)
		if c.AuthorID != nil || c.AuthorName != "" || c.Body != "Mi comentario." || o.Supports != 0 || len(a) != 0 {
			t.Fatalf("after erasing: %+v, supports %d, marks %v", c, o.Supports, a)
		}
		pt, _ := consultation.CommentByID(ctx, db.DB, point.ID)
		s, _ := consultation.SubmissionByID(ctx, db.DB, sub.ID)
		if pt.AuthorID != nil || pt.AuthorName != "Red de Derechos Digitales" || s.AuthorID != nil || s.AuthorName != "" || s.Organisation != "Red de Derechos Digitales" {
			t.Fatalf("after erasing, the submission %+v and its point %+v", s, pt)
		}
	})
}

// TestCommentsBecomeInputs: an organiser records a comment as an input of the process (numbered
// with the minutes' inputs) or joins it to one by its public id, a campaign's copies all at
// once; the input's answer shows on each comment; members may not, and a public id of another
// process is refused naming the field.
func TestCommentsBecomeInputs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		c := x.comment(t, x.ana, 3, "", "Pido control judicial previo de toda vigilancia.")
		other := x.comment(t, x.beto, 4, "", "Que el control judicial también cubra los estándares.")
		in := consultation.InputInput{Heard: minutes.Heard{Kind: minutes.Recommendation, Body: "Control judicial previo de toda vigilancia.", Groups: []string{"civil_society"}}}
		if _, err := x.svc.ToInput(ctx, x.ana, c.ID, in); !errors.Is(err, consultation.ErrNotOrganiser) {
			t.Fatalf("a member recording an input: %v", err)
		}
		if _, err := x.svc.ToInput(ctx, x.organiser, c.ID, consultation.InputInput{Heard: minutes.Heard{Kind: "wish", Body: ""}}); fieldOf(err) != "kind" {
			t.Fatalf("an input with no kind: %v", err)
		}
		input, err := x.svc.ToInput(ctx, x.organiser, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if input.Number != 1 || input.DraftID == nil || *input.DraftID != x.draft.ID || input.MinutesID != nil {
			t.Fatalf("the input: %+v", input)
		}
		if _, err := x.svc.ToInput(ctx, x.organiser, other.ID, consultation.InputInput{Ref: "OTRA-0001"}); fieldOf(err) != "ref" {
			t.Fatalf("joining an input that is not the process's: %v", err)
		}
		if _, err := x.svc.ToInput(ctx, x.organiser, other.ID, consultation.InputInput{Ref: "ENCS2017-0001"}); err != nil {
			t.Fatal(err)
		}
		if _, err := minutes.Dispose(ctx, db.DB, t0, minutes.Who{AccountID: x.organiser.AccountID}, input.ID,
			minutes.DispositionInput{Status: minutes.Adopted, Rationale: "Se añade al eje del marco jurídico.", Section: "3.2"}); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{3, 4} {
			ts, _ := consultation.ThreadsOn(ctx, db.DB, x.draft, 1, n, consultation.Viewer{})
			if len(ts) != 1 || ts[0].Answer == nil || ts[0].Answer.PublicID != "ENCS2017-0001" || ts[0].Answer.Status != minutes.Adopted || ts[0].Answer.Section != "3.2" {
				t.Fatalf("paragraph %d's comment: %+v", n, ts)
			}
		}
		if cs, _ := consultation.OfInput(ctx, db.DB, input.ID); len(cs) != 2 {
			t.Fatalf("the input's comments: %d", len(cs))
		}
		page, err := minutes.InputByRef(ctx, db.DB, "ENCS2017-0001")
		if err != nil || page.Standing.Status != minutes.Adopted || len(page.Groups) != 1 {
			t.Fatalf("the input's page: %+v %v", page, err)
		}
		// A campaign's copies are recorded together.
		body := "Quiero que la estrategia proteja el cifrado de extremo a extremo en todas las comunicaciones del país, sin puertas traseras. Firma: %s."
		var last consultation.Comment
		for i, w := range []consultation.Who{x.ana, x.beto, x.caro} {
			last = x.comment(t, w, 2, "", fmt.Sprintf(body, []string{"Ana", "Beto", "Caro"}[i]))
		}
		campaign, err := x.svc.ToInput(ctx, x.organiser, last.ID, consultation.InputInput{Heard: minutes.Heard{Kind: minutes.Concern, Body: "Proteger el cifrado."}, Campaign: true})
		if err != nil {
			t.Fatal(err)
		}
		if cs, _ := consultation.OfInput(ctx, db.DB, campaign.ID); len(cs) != 3 {
			t.Fatalf("a campaign's input has %d comments", len(cs))
		}
	})
}

// TestSubmissions: a formal submission is numbered for tracking and keeps its files checked by
// content: a file whose content is not an allowed type is refused even under an allowed
// extension, an oversize one is refused, and either way nothing is stored; outside the period
// nothing is taken. Organisers split it into points on paragraphs, in the organisation's name;
// the points of a submission that is not public are read only by its sender and the
// moderators, and follow their paragraph into a new version.
func TestSubmissions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		x := newFixture(t, db)
		pdf := consultation.Upload{Name: "Observaciones.pdf", Data: []byte("%PDF-1.7\n%observaciones\n")}
		in := func(public bool, files ...consultation.Upload) consultation.SubmissionInput {
			return consultation.SubmissionInput{Organisation: "Cámara de Diputados", Group: "government", Role: "Presidenta de la Comisión de Ciencia",
				OnBehalfOf: "La Comisión de Ciencia y Tecnología", Body: "Observaciones de la Comisión al borrador.", Public: public, Files: files}
		}
		stored := func() (int, int) {
			s, _ := db.NewSelect().Table("submissions").Count(ctx)
			f, _ := db.NewSelect().Table("submission_files").Count(ctx)
			return int(s), int(f)
		}
		for _, c := range []struct {
			name  string
			in    consultation.SubmissionInput
			field string
		}{
			{"a script named .pdf", in(true, consultation.Upload{Name: "carta.pdf", Data: []byte("#!/bin/sh\necho hola\n")}), "files"},
			{"a PDF named .docx", in(true, consultation.Upload{Name: "carta.docx", Data: pdf.Data}), "files"},
			{"an oversize PDF", in(true, consultation.Upload{Name: "grande.pdf", Data: append([]byte("%PDF-1.7\n"), make([]byte, consultation.MaxFileSize)...)}), "files"},
			{"too many files", in(true, pdf, pdf, pdf, pdf, pdf, pdf), "files"},
			{"no organisation", consultation.SubmissionInput{Group: "government", Role: "x", Body: "x"}, "organisation"},
			{"no text", consultation.SubmissionInput{Organisation: "x", Group: "government", Role: "x"}, "body"},
		} {
			if _, err := x.svc.Submit(ctx, x.ana, x.draft.ID, c.in); fieldOf(err) != c.field {
				t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
			}
		}
		if s, f := stored(); s != 0 || f != 0 {
			t.Fatalf("refused submissions stored %d submissions and %d files", s, f)
		}
		x.clock.Set(t0.Add(8 * 24 * time.Hour))
		if _, err := x.svc.Submit(ctx, x.ana, x.draft.ID, in(true, pdf)); !errors.Is(err, consultation.ErrNotOpen) {
			t.Fatalf("a submission after the period: %v", err)
		}
		x.clock.Set(t0.Add(time.Hour))
		public, err := x.svc.Submit(ctx, x.ana, x.draft.ID, in(true, pdf))
		if err != nil {
			t.Fatal(err)
		}
		private, err := x.svc.Submit(ctx, x.beto, x.draft.ID, in(false))
		if err != nil {
			t.Fatal(err)
		}
		if consultation.Tracking(x.process.Code, public.Number) != "ENCS2017-S0001" || private.Number != 2 {
			t.Fatalf("tracking numbers: %d and %d", public.Number, private.Number)
		}
		got, err := consultation.SubmissionByID(ctx, db.DB, public.ID)
		if err != nil || len(got.Files) != 1 || got.Files[0].ContentType != consultation.TypePDF || got.Files[0].Data != nil || got.Files[0].Size != int64(len(pdf.Data)) {
			t.Fatalf("the stored submission: %+v %v", got, err)
		}
		if _, err := x.svc.AddPoint(ctx, x.ana, public.ID, 3, "", "Punto"); !errors.Is(err, consultation.ErrNotOrganiser) {
			t.Fatalf("a member adding a point: %v", err)
		}
		if _, err := x.svc.AddPoint(ctx, x.organiser, public.ID, 3, "salvaguardas de derechos humanos", "La Comisión pide dictaminar cada reforma."); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.AddPoint(ctx, x.organiser, private.ID, 3, "", "Un punto reservado."); err != nil {
			t.Fatal(err)
		}
		if _, err := x.svc.AddPoint(ctx, x.organiser, private.ID, 3, "no está", "x"); fieldOf(err) != "quote" {
			t.Fatalf("a point quoting what the paragraph does not say: %v", err)
		}
		seen := func(v consultation.Viewer) []string {
			ts, err := consultation.ThreadsOn(ctx, db.DB, x.draft, 1, 3, v)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, th := range ts {
				out = append(out, th.AuthorName+": "+th.Body)
			}
			return out
		}
		if got := seen(consultation.Viewer{}); len(got) != 1 || got[0] != "Cámara de Diputados: La Comisión pide dictaminar cada reforma." {
			t.Fatalf("the public reads %v", got)
		}
		if got := seen(consultation.Viewer{AccountID: x.beto.AccountID}); len(got) != 2 {
			t.Fatalf("the private submission's sender reads %v", got)
		}
		if got := seen(consultation.Viewer{AccountID: x.moderator.AccountID, Moderator: true}); len(got) != 2 {
			t.Fatalf("a moderator reads %v", got)
		}
		v2 := "Un párrafo nuevo al principio.\n\n" + version1
		if _, err := x.svc.PublishVersion(ctx, x.organiser, x.draft.ID, v2, ""); err != nil {
			t.Fatal(err)
		}
		d, _ := consultation.ByID(ctx, db.DB, x.draft.ID)
		if ts, _ := consultation.ThreadsOn(ctx, db.DB, d, 2, 4, consultation.Viewer{}); len(ts) != 1 || ts[0].AtState != consultation.Moved {
			t.Fatalf("the point in version 2: %+v", ts)
		}
	})
}
