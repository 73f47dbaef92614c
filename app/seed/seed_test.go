package seed_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func newClock() *clock.Fixed { return clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) }

func count(t *testing.T, db *storetest.DB, table string) int {
	t.Helper()
	n, err := db.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := newClock()
		if has, err := seed.HasDemo(ctx, db.DB); err != nil || has {
			t.Fatalf("an empty database has the demo: %v %v", has, err)
		}
		applied, err := seed.Demo(ctx, db.DB, clk)
		if err != nil || !reflect.DeepEqual(applied, []string{"2017-encs-process", "2017-igf-open-forum", "upcoming-forums", "registration-open", "2017-igf-room", "questions", "2017-igf-minutes", "strategy-draft"}) {
			t.Fatalf("first run: %v %v", applied, err)
		}
		if has, err := seed.HasDemo(ctx, db.DB); err != nil || !has {
			t.Fatalf("after seeding, HasDemo: %v %v", has, err)
		}
		p, err := processes.BySlug(ctx, db.DB, "encs-2017")
		if err != nil {
			t.Fatal(err)
		}
		if p.Code != "ENCS2017" || p.TimeZone != "America/Mexico_City" || p.Status != processes.StatusOpen ||
			!reflect.DeepEqual(p.Languages, []string{"es", "en"}) ||
			!reflect.DeepEqual(p.StakeholderGroups, processes.StandardStakeholderGroups()) || !p.CreatedAt.Equal(clk.Now()) {
			t.Fatalf("process %+v", p)
		}
		for name, text := range map[string]translated.Text{"title": p.Title, "description": p.Description, "general objective": p.GeneralObjective} {
			if missing := text.Missing([]string{"es", "en"}); len(missing) > 0 {
				t.Errorf("the process %s lacks %v", name, missing)
			}
		}
		topics, err := processes.Topics(ctx, db.DB, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tp := range topics {
			got = append(got, tp.Kind+" "+tp.Code+" "+tp.Title["es"]+" / "+tp.Title["en"])
			if missing := tp.Description.Missing([]string{"es", "en"}); len(missing) > 0 {
				t.Errorf("topic %s has no description in %v", tp.Code, missing)
			}
		}
		want := []string{
			"objective O1 Sociedad y derechos / Society and rights",
			"objective O2 Economía e innovación / Economy and innovation",
			"objective O3 Instituciones públicas / Public institutions",
			"objective O4 Seguridad pública / Public security",
			"objective O5 Seguridad nacional / National security",
			"axis E1 Cultura de ciberseguridad / Cybersecurity culture",
			"axis E2 Desarrollo de capacidades / Capacity building",
			"axis E3 Coordinación y colaboración / Coordination and collaboration",
			"axis E4 Investigación, desarrollo e innovación en TIC / ICT research, development and innovation",
			"axis E5 Estándares y criterios técnicos / Standards and technical criteria",
			"axis E6 Infraestructuras críticas / Critical infrastructures",
			"axis E7 Marco jurídico y autorregulación / Legal framework and self-regulation",
			"axis E8 Medición y seguimiento / Measuring and monitoring",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("topics:\n%q\nwant\n%q", got, want)
		}
		// The demo is written by the same actions as an organiser's, with their audit entries,
		// by the system (no actor): one for the process, one per topic, and the forums'.
		entries, n, err := audit.List(ctx, db.DB, 1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range entries {
			if e.ActorID != nil {
				t.Fatalf("demo entry %+v has an actor", e)
			}
			actions[e.Action]++
		}
		if actions["process.create"] != 1 || actions["topic.create"] != 13 || actions["forum.create"] != 4 || actions["forum.publish"] != 4 {
			t.Fatalf("audit: %d entries, %v", n, actions)
		}

		clk.Advance(24 * time.Hour)
		again, err := seed.Demo(ctx, db.DB, clk)
		if err != nil || len(again) != 0 {
			t.Fatalf("second run applied %v (%v)", again, err)
		}
		for table, want := range map[string]int{"processes": 1, "topics": 13, "seed_steps": 8, "audit_log": int(n), "forums": 4, "questions": 8, "inputs": 6} {
			if n := count(t, db, table); n != want {
				t.Errorf("%s: %d rows after two runs, want %d", table, n, want)
			}
		}
	})
}

// A step that fails leaves nothing behind, not even its record, so a later run tries it again.
func TestDemoStepIsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		svc := &processes.Service{DB: db.DB, Clock: newClock()}
		squatter, err := svc.Create(ctx, audit.Actor{}, processes.ProcessInput{
			Slug: "encs-2017", Code: "OTHER", TimeZone: "UTC", Status: processes.StatusDraft,
			Title: translated.Text{"es": "Otro"}, Languages: []string{"es"}, StakeholderGroups: []string{"media"},
		})
		if err != nil {
			t.Fatal(err)
		}
		applied, err := seed.Demo(ctx, db.DB, newClock())
		if es, ok := validate.As(err); !ok || !es.Has("slug") || len(applied) != 0 {
			t.Fatalf("seeding over a taken slug: %v %v", applied, err)
		}
		if has, _ := seed.HasDemo(ctx, db.DB); has {
			t.Fatal("a failed step was recorded")
		}
		for table, want := range map[string]int{"processes": 1, "topics": 0, "seed_steps": 0, "audit_log": 1} {
			if n := count(t, db, table); n != want {
				t.Errorf("%s: %d rows after a failed step, want %d", table, n, want)
			}
		}
		if _, err := db.NewDelete().Table("processes").Where("id = ?", squatter.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if applied, err := seed.Demo(ctx, db.DB, newClock()); err != nil || len(applied) != 8 {
			t.Fatalf("retry: %v %v", applied, err)
		}
	})
}

// Instances seeding at once apply each step once between them.
func TestDemoConcurrentRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		const n = 4
		applied := make([][]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { applied[i], errs[i] = seed.Demo(ctx, db.DB, newClock()) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if all := slices.Sorted(slices.Values(slices.Concat(applied...))); !slices.Equal(all, []string{"2017-encs-process", "2017-igf-minutes", "2017-igf-open-forum", "2017-igf-room", "questions", "registration-open", "strategy-draft", "upcoming-forums"}) {
			t.Fatalf("steps applied between the runs: %v", all)
		}
		for table, want := range map[string]int{"processes": 1, "topics": 13, "seed_steps": 8, "forums": 4, "questions": 8, "inputs": 6, "drafts": 1, "draft_versions": 2} {
			if got := count(t, db, table); got != want {
				t.Errorf("%s: %d rows after concurrent seeding, want %d", table, got, want)
			}
		}
	})
}

// TestDemoDraft: the demo's draft is open for comment from the day it is loaded, in two
// versions whose sections are the general objective, the objectives and the axes; the
// comment on the legal framework, quoting it, stays on its paragraph in version 2 (exact: the
// words it quotes are still there), with its reply and supports, beside the legislative chamber's point on it, both
// answered by one adopted input; the groups' marks make the legal framework the most divided
// paragraph.
func TestDemoDraft(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := newClock()
		if _, err := seed.Demo(ctx, db.DB, clk); err != nil {
			t.Fatal(err)
		}
		p, err := processes.BySlug(ctx, db.DB, "encs-2017")
		if err != nil {
			t.Fatal(err)
		}
		ds, err := consultation.OfProcess(ctx, db.DB, p.ID, false)
		if err != nil || len(ds) != 1 {
			t.Fatalf("drafts: %v %v", ds, err)
		}
		d := ds[0]
		if d.Version != 2 || d.Period(clk.Now()) != consultation.PeriodOpen {
			t.Fatalf("the draft: version %d, period %s", d.Version, d.Period(clk.Now()))
		}
		v, _ := consultation.VersionOf(ctx, db.DB, d.ID, 2)
		ps := consultation.Paragraphs(v.Body)
		if len(ps) != 15 || ps[0].Section != "Objetivo general" || !strings.HasPrefix(ps[14].Text, "Publicar cada año") {
			t.Fatalf("version 2: %d paragraphs, the first under %q", len(ps), ps[0].Section)
		}
		legal := 0
		for _, para := range ps {
			if strings.HasPrefix(para.Text, "Revisar el marco jurídico") {
				legal = para.Number
			}
		}
		ts, err := consultation.ThreadsOn(ctx, db.DB, d, 2, legal, consultation.Viewer{})
		if err != nil || len(ts) != 2 || ts[1].SubmissionID == nil || ts[1].Answer == nil || ts[0].AtState != consultation.Exact || len(ts[0].Replies) != 1 || ts[0].Supports != 3 ||
			ts[0].Answer == nil || ts[0].Answer.Status != "adopted" {
			t.Fatalf("the legal framework's thread in version 2: %+v %v", ts, err)
		}
		a, _ := consultation.AgreementOn(ctx, db.DB, d.ID, 1)
		if a[legal]["civil_society"].Disagree != 1 {
			t.Fatalf("marks on version 1: %+v", a[legal])
		}
	})
}
