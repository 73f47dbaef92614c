package processes_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func input() processes.ProcessInput {
	return processes.ProcessInput{
		Slug: "pnc-2026", Code: "PNC2026", TimeZone: "America/Bogota", Status: processes.StatusDraft,
		Title: translated.Text{"es": "Política", "en": "Policy"}, Languages: []string{"es", "en"},
		StakeholderGroups: []string{"academia", "government"},
	}
}

func TestProcessRules(t *testing.T) {
	cases := []struct {
		name   string
		change func(*processes.ProcessInput)
		field  string
	}{
		{"valid", func(*processes.ProcessInput) {}, ""},
		{"slug with capitals", func(in *processes.ProcessInput) { in.Slug = "PNC" }, "slug"},
		{"slug with double hyphen", func(in *processes.ProcessInput) { in.Slug = "a--b" }, "slug"},
		{"slug too long", func(in *processes.ProcessInput) { in.Slug = strings.Repeat("a", 81) }, "slug"},
		{"code lower case", func(in *processes.ProcessInput) { in.Code = "pnc" }, "code"},
		{"code one letter", func(in *processes.ProcessInput) { in.Code = "P" }, "code"},
		{"missing english title", func(in *processes.ProcessInput) { in.Title = translated.Text{"es": "Política"} }, "title.en"},
		{"english only needs english", func(in *processes.ProcessInput) {
			in.Languages = []string{"en"}
			in.Title = translated.Text{"en": "Policy"}
		}, ""},
		{"title in an unknown language", func(in *processes.ProcessInput) { in.Title["fr"] = "Politique" }, "title.fr"},
		{"long title", func(in *processes.ProcessInput) { in.Title["es"] = strings.Repeat("t", 201) }, "title.es"},
		{"no languages", func(in *processes.ProcessInput) { in.Languages = nil }, "languages"},
		{"repeated language", func(in *processes.ProcessInput) { in.Languages = []string{"es", "es"} }, "languages"},
		{"no time zone", func(in *processes.ProcessInput) { in.TimeZone = "" }, "time_zone"},
		{"Local time zone", func(in *processes.ProcessInput) { in.TimeZone = "Local" }, "time_zone"},
		{"unknown group", func(in *processes.ProcessInput) { in.StakeholderGroups = []string{"aliens"} }, "stakeholder_groups"},
		{"no groups", func(in *processes.ProcessInput) { in.StakeholderGroups = nil }, "stakeholder_groups"},
		{"unknown status", func(in *processes.ProcessInput) { in.Status = "secret" }, "status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input()
			in.Title = translated.Text{"es": "Política", "en": "Policy"}
			tc.change(&in)
			es := in.Normalized().Validate()
			if tc.field == "" {
				if len(es) > 0 {
					t.Fatalf("unexpected errors %v", es)
				}
				return
			}
			if !es.Has(tc.field) {
				t.Fatalf("errors %v, want one on %s", es, tc.field)
			}
		})
	}
}

func TestProcessStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		svc := &processes.Service{DB: db.DB, Clock: clk}
		actor := audit.Actor{RequestID: "test"}
		p, err := svc.Create(ctx, actor, input())
		if err != nil {
			t.Fatal(err)
		}
		got, err := processes.BySlug(ctx, db.DB, "pnc-2026")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Languages, []string{"es", "en"}) || !reflect.DeepEqual(got.StakeholderGroups, []string{"academia", "government"}) ||
			got.Title["en"] != "Policy" || !got.CreatedAt.Equal(clk.Now()) {
			t.Fatalf("round trip: %+v", got)
		}
		// Drafts are not public.
		if list, _ := processes.List(ctx, db.DB, processes.ListFilter{PublicOnly: true}); len(list) != 0 {
			t.Fatalf("a draft is listed publicly: %+v", list)
		}
		dup := input()
		dup.Code = "OTHER"
		if _, err := svc.Create(ctx, actor, dup); !hasField(err, "slug") {
			t.Fatalf("duplicate slug: %v", err)
		}
		dup = input()
		dup.Slug = "other"
		if _, err := svc.Create(ctx, actor, dup); !hasField(err, "code") {
			t.Fatalf("duplicate code: %v", err)
		}
		upd := input()
		upd.Status = processes.StatusOpen
		upd.Title = translated.Text{"es": " Política 2026 ", "en": "Policy 2026"}
		if p, err = svc.Update(ctx, actor, p.ID, upd); err != nil || p.Title["es"] != "Política 2026" {
			t.Fatalf("update: %v %+v", err, p.Title)
		}
		if list, _ := processes.List(ctx, db.DB, processes.ListFilter{PublicOnly: true}); len(list) != 1 {
			t.Fatal("an open process is not listed")
		}
		if _, err := svc.Update(ctx, actor, 9999, upd); !strings.Contains(errString(err), store.ErrNotFound.Error()) {
			t.Fatalf("update of a missing process: %v", err)
		}
		// Topics: order, uniqueness, moves, scoping to the process.
		for _, c := range []struct{ kind, code string }{{"axis", "E1"}, {"objective", "O1"}, {"objective", "O2"}, {"axis", "E2"}} {
			if _, err := svc.CreateTopic(ctx, actor, p.ID, processes.TopicInput{Kind: c.kind, Code: c.code,
				Title: translated.Text{"es": c.code, "en": c.code}}); err != nil {
				t.Fatal(err)
			}
		}
		bad := []struct {
			name  string
			in    processes.TopicInput
			field string
		}{
			{"duplicate code", processes.TopicInput{Kind: "axis", Code: "E1", Title: translated.Text{"es": "x", "en": "x"}}, "code"},
			{"bad kind", processes.TopicInput{Kind: "goal", Code: "G1", Title: translated.Text{"es": "x", "en": "x"}}, "kind"},
			{"lower-case code", processes.TopicInput{Kind: "axis", Code: "e9", Title: translated.Text{"es": "x", "en": "x"}}, "code"},
			{"missing title", processes.TopicInput{Kind: "axis", Code: "E9", Title: translated.Text{"es": "x"}}, "title.en"},
		}
		for _, b := range bad {
			t.Run(b.name, func(t *testing.T) {
				if _, err := svc.CreateTopic(ctx, actor, p.ID, b.in); !hasField(err, b.field) {
					t.Fatalf("err %v, want a field error on %s", err, b.field)
				}
			})
		}
		codes := func() string {
			ts, err := processes.Topics(ctx, db.DB, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, tp := range ts {
				out = append(out, tp.Code)
			}
			return strings.Join(out, " ")
		}
		if got := codes(); got != "O1 O2 E1 E2" {
			t.Fatalf("order %q", got)
		}
		ts, _ := processes.Topics(ctx, db.DB, p.ID)
		if err := svc.MoveTopic(ctx, actor, p.ID, ts[1].ID, -1); err != nil {
			t.Fatal(err)
		}
		if err := svc.MoveTopic(ctx, actor, p.ID, ts[1].ID, -1); err != nil {
			t.Fatal("moving the first topic up must do nothing, not fail")
		}
		if got := codes(); got != "O2 O1 E1 E2" {
			t.Fatalf("after a move %q", got)
		}
		other, err := svc.Create(ctx, actor, processes.ProcessInput{Slug: "other", Code: "OTH", TimeZone: "UTC", Status: "open",
			Title: translated.Text{"es": "Otro"}, Languages: []string{"es"}, StakeholderGroups: []string{"media"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := processes.TopicByID(ctx, db.DB, other.ID, ts[0].ID); !strings.Contains(errString(err), "not found") {
			t.Fatalf("a topic reached through another process: %v", err)
		}
		if err := svc.DeleteTopic(ctx, actor, other.ID, ts[0].ID); err == nil {
			t.Fatal("deleted a topic through another process")
		}
		if err := svc.DeleteTopic(ctx, actor, p.ID, ts[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := codes(); got != "O2 E1 E2" {
			t.Fatalf("after a delete %q", got)
		}
		entries, n, err := audit.List(ctx, db.DB, 100, 0)
		if err != nil || n < 9 || entries[0].RequestID != "test" {
			t.Fatalf("audit: %v, %d entries", err, n)
		}
	})
}

func hasField(err error, field string) bool {
	es, ok := validate.As(err)
	return ok && es.Has(field)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
