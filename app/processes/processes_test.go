package processes_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
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

func topicInput(kind, code string) processes.TopicInput {
	return processes.TopicInput{Kind: kind, Code: code, Title: translated.Text{"es": code + " es", "en": code + " en"}}
}

func newService(db *storetest.DB) *processes.Service {
	return &processes.Service{DB: db.DB, Clock: clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))}
}

var actor = audit.Actor{AccountID: 0, RequestID: "test"}

func TestProcessRules(t *testing.T) {
	cases := []struct {
		name   string
		change func(*processes.ProcessInput)
		field  string
		code   string
	}{
		{"valid", func(*processes.ProcessInput) {}, "", ""},
		{"spaces are trimmed", func(in *processes.ProcessInput) { in.Slug, in.Code = " pnc-2026 ", " PNC2026\t" }, "", ""},
		{"no slug, and a title that suggests none", func(in *processes.ProcessInput) {
			in.Slug, in.Title = "", translated.Text{"es": "日本語", "en": "日本語"}
		}, "slug", validate.Required},
		{"slug with capitals", func(in *processes.ProcessInput) { in.Slug = "PNC" }, "slug", validate.SlugCode},
		{"slug with double hyphen", func(in *processes.ProcessInput) { in.Slug = "a--b" }, "slug", validate.SlugCode},
		{"slug ending in a hyphen", func(in *processes.ProcessInput) { in.Slug = "a-" }, "slug", validate.SlugCode},
		{"slug of 80", func(in *processes.ProcessInput) { in.Slug = strings.Repeat("a", 80) }, "", ""},
		{"slug too long", func(in *processes.ProcessInput) { in.Slug = strings.Repeat("a", 81) }, "slug", validate.SlugCode},
		{"no code", func(in *processes.ProcessInput) { in.Code = "" }, "code", validate.Required},
		{"code lower case", func(in *processes.ProcessInput) { in.Code = "pnc" }, "code", processes.CodeCode},
		{"code one letter", func(in *processes.ProcessInput) { in.Code = "P" }, "code", processes.CodeCode},
		{"code starting with a digit", func(in *processes.ProcessInput) { in.Code = "2017ENCS" }, "code", processes.CodeCode},
		{"code of 20", func(in *processes.ProcessInput) { in.Code = "A" + strings.Repeat("1", 19) }, "", ""},
		{"code too long", func(in *processes.ProcessInput) { in.Code = "A" + strings.Repeat("1", 20) }, "code", processes.CodeCode},
		{"missing english title", func(in *processes.ProcessInput) { in.Title = translated.Text{"es": "Política"} }, "title.en", validate.Required},
		{"blank spanish title", func(in *processes.ProcessInput) { in.Title["es"] = "   " }, "title.es", validate.Required},
		{"english only needs english", func(in *processes.ProcessInput) {
			in.Languages = []string{"en"}
			in.Title = translated.Text{"en": "Policy"}
		}, "", ""},
		{"title in an unknown language", func(in *processes.ProcessInput) { in.Title["fr"] = "Politique" }, "title.fr", processes.CodeLanguages},
		{"long title", func(in *processes.ProcessInput) { in.Title["es"] = strings.Repeat("t", 201) }, "title.es", validate.TooLong},
		{"title of 200 letters with accents", func(in *processes.ProcessInput) { in.Title["es"] = strings.Repeat("á", 200) }, "", ""},
		{"description of 20000", func(in *processes.ProcessInput) { in.Description = translated.Text{"en": strings.Repeat("d", 20000)} }, "", ""},
		{"description too long", func(in *processes.ProcessInput) { in.Description = translated.Text{"en": strings.Repeat("d", 20001)} }, "description.en", validate.TooLong},
		{"no languages", func(in *processes.ProcessInput) { in.Languages = nil }, "languages", processes.CodeLanguages},
		{"repeated language", func(in *processes.ProcessInput) { in.Languages = []string{"es", "es"} }, "languages", processes.CodeLanguages},
		{"unsupported language", func(in *processes.ProcessInput) { in.Languages = []string{"es", "fr"} }, "languages", processes.CodeLanguages},
		{"no time zone", func(in *processes.ProcessInput) { in.TimeZone = "" }, "time_zone", validate.Required},
		{"Local time zone", func(in *processes.ProcessInput) { in.TimeZone = "Local" }, "time_zone", validate.TimeZoneCode},
		{"unknown time zone", func(in *processes.ProcessInput) { in.TimeZone = "Mars/Olympus_Mons" }, "time_zone", validate.TimeZoneCode},
		{"UTC", func(in *processes.ProcessInput) { in.TimeZone = "UTC" }, "", ""},
		{"unknown group", func(in *processes.ProcessInput) { in.StakeholderGroups = []string{"aliens"} }, "stakeholder_groups", processes.CodeGroups},
		{"repeated group", func(in *processes.ProcessInput) { in.StakeholderGroups = []string{"media", "media"} }, "stakeholder_groups", processes.CodeGroups},
		{"no groups", func(in *processes.ProcessInput) { in.StakeholderGroups = nil }, "stakeholder_groups", processes.CodeGroups},
		{"no status", func(in *processes.ProcessInput) { in.Status = "" }, "status", processes.CodeStatus},
		{"unknown status", func(in *processes.ProcessInput) { in.Status = "secret" }, "status", processes.CodeStatus},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input()
			tc.change(&in)
			checkErrors(t, in.Normalized().Validate(), tc.field, tc.code)
		})
	}
}

func TestTopicRules(t *testing.T) {
	langs := []string{"es", "en"}
	cases := []struct {
		name   string
		change func(*processes.TopicInput)
		field  string
		code   string
	}{
		{"valid objective", func(*processes.TopicInput) {}, "", ""},
		{"valid axis", func(in *processes.TopicInput) { in.Kind = processes.KindAxis }, "", ""},
		{"unknown kind", func(in *processes.TopicInput) { in.Kind = "goal" }, "kind", processes.CodeKind},
		{"no kind", func(in *processes.TopicInput) { in.Kind = "" }, "kind", processes.CodeKind},
		{"no code", func(in *processes.TopicInput) { in.Code = "" }, "code", validate.Required},
		{"lower-case code", func(in *processes.TopicInput) { in.Code = "o1" }, "code", processes.CodeTopicCode},
		{"dotted code", func(in *processes.TopicInput) { in.Code = "1.2" }, "", ""},
		{"code of 20", func(in *processes.TopicInput) { in.Code = strings.Repeat("E", 20) }, "", ""},
		{"code too long", func(in *processes.TopicInput) { in.Code = strings.Repeat("E", 21) }, "code", processes.CodeTopicCode},
		{"missing spanish title", func(in *processes.TopicInput) { delete(in.Title, "es") }, "title.es", validate.Required},
		{"long title", func(in *processes.TopicInput) { in.Title["en"] = strings.Repeat("t", 201) }, "title.en", validate.TooLong},
		{"description of 5000", func(in *processes.TopicInput) { in.Description = translated.Text{"es": strings.Repeat("d", 5000)} }, "", ""},
		{"description too long", func(in *processes.TopicInput) { in.Description = translated.Text{"es": strings.Repeat("d", 5001)} }, "description.es", validate.TooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := topicInput(processes.KindObjective, "O1")
			tc.change(&in)
			checkErrors(t, in.Normalized().Validate(langs), tc.field, tc.code)
		})
	}
}

func checkErrors(t *testing.T, es validate.Errors, field, code string) {
	t.Helper()
	if field == "" {
		if len(es) > 0 {
			t.Fatalf("unexpected errors %v", es)
		}
		return
	}
	for _, e := range es {
		if e.Field == field && e.Code == code {
			return
		}
	}
	t.Fatalf("errors %v, want %s on %s", es, code, field)
}

func TestStandardListsAreFresh(t *testing.T) {
	groups := processes.StandardStakeholderGroups()
	if len(groups) != 11 || groups[0] != "government" || groups[10] != "general_public" {
		t.Fatalf("groups %v", groups)
	}
	groups[0] = "changed"
	processes.Statuses()[0] = "changed"
	if processes.StandardStakeholderGroups()[0] != "government" || processes.Statuses()[0] != processes.StatusDraft {
		t.Fatal("a caller changed the standard lists")
	}
}

// The []string columns must be JSON arrays on both dialects, in the order given.
func TestListColumnsAreJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		in := input()
		in.Languages = []string{"en", "es"}
		in.StakeholderGroups = []string{"media", "academia", "government"}
		p, err := newService(db).Create(ctx, actor, in)
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Languages string `bun:"languages"`
			Groups    string `bun:"groups"`
		}
		if err := db.NewSelect().Table("processes").
			ColumnExpr("CAST(languages AS TEXT) AS languages").ColumnExpr("CAST(stakeholder_groups AS TEXT) AS groups").
			Where("id = ?", p.ID).Scan(ctx, &raw); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			stored string
			want   []string
		}{{raw.Languages, in.Languages}, {raw.Groups, in.StakeholderGroups}} {
			var got []string
			if err := json.Unmarshal([]byte(c.stored), &got); err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("stored %q (%v), want the JSON array %q", c.stored, err, c.want)
			}
		}
		back, err := processes.ByID(ctx, db.DB, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back.Languages, in.Languages) || !reflect.DeepEqual(back.StakeholderGroups, in.StakeholderGroups) {
			t.Fatalf("read back %v %v", back.Languages, back.StakeholderGroups)
		}
	})
}

func TestProcessStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		svc := newService(db)
		clk := svc.Clock.(*clock.Fixed)
		p, err := svc.Create(ctx, actor, input())
		if err != nil {
			t.Fatal(err)
		}
		got, err := processes.BySlug(ctx, db.DB, "pnc-2026")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != p.ID || got.Code != "PNC2026" || got.Title["en"] != "Policy" || got.TimeZone != "America/Bogota" ||
			!got.CreatedAt.Equal(clk.Now()) || !got.UpdatedAt.Equal(clk.Now()) {
			t.Fatalf("round trip: %+v", got)
		}
		if _, err := processes.BySlug(ctx, db.DB, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing slug: %v", err)
		}
		if _, err := processes.ByID(ctx, db.DB, p.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing id: %v", err)
		}
		if list, _ := processes.List(ctx, db.DB, processes.ListFilter{PublicOnly: true}); len(list) != 0 {
			t.Fatalf("a draft is listed publicly: %+v", list)
		}
		clk.Advance(time.Hour)
		second := input()
		second.Slug, second.Code, second.Status = "second", "SECOND", processes.StatusOpen
		if _, err := svc.Create(ctx, actor, second); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name   string
			filter processes.ListFilter
			want   string
		}{
			{"everything, newest first", processes.ListFilter{}, "second pnc-2026"},
			{"public", processes.ListFilter{PublicOnly: true}, "second"},
		} {
			list, err := processes.List(ctx, db.DB, c.filter)
			if err != nil {
				t.Fatal(err)
			}
			var slugs []string
			for _, p := range list {
				slugs = append(slugs, p.Slug)
			}
			if got := strings.Join(slugs, " "); got != c.want {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
		}
		clk.Advance(time.Hour)
		upd := input()
		upd.Status = processes.StatusOpen
		upd.Title = translated.Text{"es": " Política 2026 ", "en": "Policy 2026"}
		if p, err = svc.Update(ctx, actor, p.ID, upd); err != nil || p.Title["es"] != "Política 2026" {
			t.Fatalf("update: %v %+v", err, p.Title)
		}
		got, _ = processes.ByID(ctx, db.DB, p.ID)
		if got.Status != processes.StatusOpen || !got.UpdatedAt.Equal(clk.Now()) || got.CreatedAt.Equal(clk.Now()) {
			t.Fatalf("after update: %+v", got)
		}
		if _, err := svc.Update(ctx, actor, 9999, upd); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing process: %v", err)
		}
		entries, n, err := audit.List(ctx, db.DB, 100, 0)
		if err != nil || n != 3 || entries[0].Action != "process.update" || entries[0].RequestID != "test" || entries[0].ActorID != nil {
			t.Fatalf("audit: %v, %d entries: %+v", err, n, entries)
		}
	})
}

// counts returns the rows of the tables actions write.
func counts(t *testing.T, db *storetest.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"processes", "topics", "audit_log"} {
		n, err := db.NewSelect().Table(table).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out[table] = int(n)
	}
	return out
}

func TestBadInputWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		svc := newService(db)
		p, err := svc.Create(ctx, actor, input())
		if err != nil {
			t.Fatal(err)
		}
		other := input()
		other.Slug, other.Code = "other", "OTHER"
		if _, err := svc.Create(ctx, actor, other); err != nil {
			t.Fatal(err)
		}
		o1, err := svc.CreateTopic(ctx, actor, p.ID, topicInput(processes.KindObjective, "O1"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateTopic(ctx, actor, p.ID, topicInput(processes.KindObjective, "O2")); err != nil {
			t.Fatal(err)
		}
		withInput := func(change func(*processes.ProcessInput)) processes.ProcessInput {
			in := input()
			change(&in)
			return in
		}
		cases := []struct {
			name  string
			act   func() error
			field string
			code  string
		}{
			{"create with a bad slug", func() error {
				_, err := svc.Create(ctx, actor, withInput(func(in *processes.ProcessInput) { in.Slug = "Bad Slug" }))
				return err
			}, "slug", validate.SlugCode},
			{"create with a taken slug", func() error {
				_, err := svc.Create(ctx, actor, withInput(func(in *processes.ProcessInput) { in.Code = "FREE" }))
				return err
			}, "slug", validate.Taken},
			{"create with a taken code", func() error {
				_, err := svc.Create(ctx, actor, withInput(func(in *processes.ProcessInput) { in.Slug = "free" }))
				return err
			}, "code", validate.Taken},
			{"update to another's slug", func() error {
				_, err := svc.Update(ctx, actor, p.ID, withInput(func(in *processes.ProcessInput) { in.Slug = "other" }))
				return err
			}, "slug", validate.Taken},
			{"update to another's code", func() error {
				_, err := svc.Update(ctx, actor, p.ID, withInput(func(in *processes.ProcessInput) { in.Code = "OTHER" }))
				return err
			}, "code", validate.Taken},
			{"update without a title", func() error {
				_, err := svc.Update(ctx, actor, p.ID, withInput(func(in *processes.ProcessInput) { in.Title = nil }))
				return err
			}, "title.es", validate.Required},
			{"topic with a taken code", func() error {
				_, err := svc.CreateTopic(ctx, actor, p.ID, topicInput(processes.KindAxis, "O1"))
				return err
			}, "code", validate.Taken},
			{"topic with a bad kind", func() error {
				_, err := svc.CreateTopic(ctx, actor, p.ID, topicInput("goal", "G1"))
				return err
			}, "kind", processes.CodeKind},
			{"topic updated to a taken code", func() error {
				_, err := svc.UpdateTopic(ctx, actor, p.ID, o1.ID, topicInput(processes.KindObjective, "O2"))
				return err
			}, "code", validate.Taken},
			{"topic updated without english", func() error {
				in := topicInput(processes.KindObjective, "O1")
				delete(in.Title, "en")
				_, err := svc.UpdateTopic(ctx, actor, p.ID, o1.ID, in)
				return err
			}, "title.en", validate.Required},
			{"move sideways", func() error { return svc.MoveTopic(ctx, actor, p.ID, o1.ID, 0) }, "direction", validate.Invalid},
		}
		before := counts(t, db)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.act()
				es, ok := validate.As(err)
				if !ok {
					t.Fatalf("err %v, want field errors", err)
				}
				checkErrors(t, es, tc.field, tc.code)
				if after := counts(t, db); !reflect.DeepEqual(after, before) {
					t.Fatalf("rows %v, were %v", after, before)
				}
			})
		}
		got, _ := processes.ByID(ctx, db.DB, p.ID)
		if got.Slug != "pnc-2026" || got.Code != "PNC2026" || got.Title["es"] != "Política" {
			t.Fatalf("a failed update changed the process: %+v", got)
		}
		topics, _ := processes.Topics(ctx, db.DB, p.ID)
		if len(topics) != 2 || topics[0].Code != "O1" || topics[0].Title["en"] != "O1 en" {
			t.Fatalf("a failed update changed the topics: %+v", topics)
		}
	})
}

func codes(t *testing.T, db *storetest.DB, processID int64) string {
	t.Helper()
	ts, err := processes.Topics(context.Background(), db.DB, processID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tp := range ts {
		out = append(out, tp.Code)
	}
	return strings.Join(out, " ")
}

func TestTopicOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		svc := newService(db)
		p, err := svc.Create(ctx, actor, input())
		if err != nil {
			t.Fatal(err)
		}
		id := map[string]int64{}
		for _, c := range []struct{ kind, code string }{
			{processes.KindAxis, "E1"}, {processes.KindObjective, "O1"}, {processes.KindObjective, "O2"},
			{processes.KindAxis, "E2"}, {processes.KindObjective, "O3"},
		} {
			tp, err := svc.CreateTopic(ctx, actor, p.ID, topicInput(c.kind, c.code))
			if err != nil {
				t.Fatal(err)
			}
			id[c.code] = tp.ID
		}
		if got := codes(t, db, p.ID); got != "O1 O2 O3 E1 E2" {
			t.Fatalf("objectives first, each by position: %q", got)
		}
		steps := []struct {
			name string
			act  func() error
			want string
		}{
			{"first up does nothing", func() error { return svc.MoveTopic(ctx, actor, p.ID, id["O1"], -1) }, "O1 O2 O3 E1 E2"},
			{"last down does nothing", func() error { return svc.MoveTopic(ctx, actor, p.ID, id["O3"], 1) }, "O1 O2 O3 E1 E2"},
			{"down swaps with the next", func() error { return svc.MoveTopic(ctx, actor, p.ID, id["O1"], 1) }, "O2 O1 O3 E1 E2"},
			{"up swaps with the previous", func() error { return svc.MoveTopic(ctx, actor, p.ID, id["O3"], -1) }, "O2 O3 O1 E1 E2"},
			{"last objective down stays among objectives", func() error { return svc.MoveTopic(ctx, actor, p.ID, id["O1"], 1) }, "O2 O3 O1 E1 E2"},
			{"first axis up stays among axes", func() error { return svc.MoveTopic(ctx, actor, p.ID, id["E1"], -1) }, "O2 O3 O1 E1 E2"},
			{"delete leaves a gap", func() error { return svc.DeleteTopic(ctx, actor, p.ID, id["O3"]) }, "O2 O1 E1 E2"},
			{"moves cross the gap", func() error { return svc.MoveTopic(ctx, actor, p.ID, id["O1"], -1) }, "O1 O2 E1 E2"},
			{"new topics go last of their kind", func() error {
				tp, err := svc.CreateTopic(ctx, actor, p.ID, topicInput(processes.KindObjective, "O4"))
				id["O4"] = tp.ID
				return err
			}, "O1 O2 O4 E1 E2"},
			{"a change of kind goes last of the new kind", func() error {
				_, err := svc.UpdateTopic(ctx, actor, p.ID, id["O1"], topicInput(processes.KindAxis, "E3"))
				return err
			}, "O2 O4 E1 E2 E3"},
			{"an update keeps the place", func() error {
				_, err := svc.UpdateTopic(ctx, actor, p.ID, id["E1"], topicInput(processes.KindAxis, "E0"))
				return err
			}, "O2 O4 E0 E2 E3"},
		}
		for _, s := range steps {
			if err := s.act(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got := codes(t, db, p.ID); got != s.want {
				t.Fatalf("%s: %q, want %q", s.name, got, s.want)
			}
		}
		entries, _, err := audit.List(ctx, db.DB, 1, 0)
		if err != nil || entries[0].Action != "topic.update" || !strings.Contains(entries[0].Detail, "E0") {
			t.Fatalf("audit: %v %+v", err, entries)
		}
	})
}

// A topic is reached only through its own process.
func TestTopicsBelongToTheirProcess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		svc := newService(db)
		p, err := svc.Create(ctx, actor, input())
		if err != nil {
			t.Fatal(err)
		}
		other := input()
		other.Slug, other.Code = "other", "OTHER"
		q, err := svc.Create(ctx, actor, other)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := svc.CreateTopic(ctx, actor, p.ID, topicInput(processes.KindObjective, "O1"))
		if err != nil {
			t.Fatal(err)
		}
		// The same code in another process is fine.
		if _, err := svc.CreateTopic(ctx, actor, q.ID, topicInput(processes.KindObjective, "O1")); err != nil {
			t.Fatal(err)
		}
		before := counts(t, db)
		cases := []struct {
			name string
			act  func() error
		}{
			{"read", func() error { _, err := processes.TopicByID(ctx, db.DB, q.ID, tp.ID); return err }},
			{"update", func() error {
				_, err := svc.UpdateTopic(ctx, actor, q.ID, tp.ID, topicInput(processes.KindObjective, "O9"))
				return err
			}},
			{"delete", func() error { return svc.DeleteTopic(ctx, actor, q.ID, tp.ID) }},
			{"move", func() error { return svc.MoveTopic(ctx, actor, q.ID, tp.ID, 1) }},
			{"create in a missing process", func() error {
				_, err := svc.CreateTopic(ctx, actor, q.ID+100, topicInput(processes.KindObjective, "O9"))
				return err
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.act(); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("err %v, want not found", err)
				}
			})
		}
		if after := counts(t, db); !reflect.DeepEqual(after, before) {
			t.Fatalf("rows %v, were %v", after, before)
		}
		if got, err := processes.TopicByID(ctx, db.DB, p.ID, tp.ID); err != nil || got.Code != "O1" {
			t.Fatalf("own topic: %v %+v", err, got)
		}
	})
}

// Topics added at once to one process get distinct positions.
func TestConcurrentTopics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		svc := newService(db)
		p, err := svc.Create(ctx, actor, input())
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				if _, err := svc.CreateTopic(ctx, actor, p.ID, topicInput(processes.KindAxis, "E"+string(rune('1'+i)))); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		ts, err := processes.Topics(ctx, db.DB, p.ID)
		if err != nil || len(ts) != n {
			t.Fatalf("%d topics (%v)", len(ts), err)
		}
		for i, tp := range ts {
			if tp.Position != i+1 {
				t.Fatalf("positions: topic %s at %d, want %d", tp.Code, tp.Position, i+1)
			}
		}
	})
}

// Of processes created at once with one slug, one wins; the others are told the slug is taken.
func TestConcurrentSameSlug(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		svc := newService(db)
		const n = 4
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				in := input()
				in.Code = "PNC" + string(rune('A'+i))
				_, errs[i] = svc.Create(ctx, actor, in)
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			if es, ok := validate.As(err); !ok || !es.Has("slug") {
				t.Errorf("a losing create: %v, want slug taken", err)
			}
		}
		if c := counts(t, db); won != 1 || c["processes"] != 1 || c["audit_log"] != 1 {
			t.Fatalf("%d won, rows %v", won, c)
		}
	})
}
