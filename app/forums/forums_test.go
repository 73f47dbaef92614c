package forums_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func hybrid() forums.Input {
	return forums.Input{Slug: "foro-cdmx", Format: forums.FormatHybrid, VenueName: "Palacio de Minería",
		VenueAddress: "Tacuba 5, Centro, Ciudad de México", OnlineURL: "https://meet.example.org/foro",
		TimeZone: "America/Mexico_City", StartsOn: "2026-12-17", EndsOn: "2026-12-18",
		Title: translated.Text{"es": "Foro de ciberseguridad", "en": "Cybersecurity forum"}}
}

// TestValidate: each rule names its field.
func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		change      func(*forums.Input)
		field, code string
	}{
		{"no slug, and a title that suggests none", func(in *forums.Input) { in.Slug, in.Title = "", translated.Text{"es": "日本語", "en": "日本語"} }, "slug", validate.Required},
		{"bad slug", func(in *forums.Input) { in.Slug = "Foro CDMX" }, "slug", validate.SlugCode},
		{"no Spanish title", func(in *forums.Input) { in.Title = translated.Text{"en": "x"} }, "title.es", validate.Required},
		{"unknown format", func(in *forums.Input) { in.Format = "hologram" }, "format", forums.CodeFormat},
		{"in person without a venue", func(in *forums.Input) { in.Format, in.VenueName = forums.FormatInPerson, "" }, "venue_name", forums.CodeVenue},
		{"virtual without a link", func(in *forums.Input) { in.Format, in.OnlineURL = forums.FormatVirtual, "" }, "online_url", forums.CodeOnline},
		{"link that is not a URL", func(in *forums.Input) { in.OnlineURL = "meet at noon" }, "online_url", forums.CodeURL},
		{"javascript link", func(in *forums.Input) { in.MapURL = "javascript:alert(1)" }, "map_url", forums.CodeURL},
		{"unknown time zone", func(in *forums.Input) { in.TimeZone = "Mars/Olympus_Mons" }, "time_zone", validate.TimeZoneCode},
		{"malformed date", func(in *forums.Input) { in.StartsOn = "17/12/2026" }, "starts_on", forums.CodeDate},
		{"no last day", func(in *forums.Input) { in.EndsOn = "" }, "ends_on", validate.Required},
		{"ends before it starts", func(in *forums.Input) { in.EndsOn = "2026-12-16" }, "ends_on", forums.CodeEndsBefore},
		{"NUL in the venue", func(in *forums.Input) { in.VenueName = "Sede\x00" }, "venue_name", validate.Control},
		{"a slug of digits, read as an id", func(in *forums.Input) { in.Slug = "2027" }, "slug", forums.CodeSlugDigits},
		{"longer than a year", func(in *forums.Input) { in.StartsOn, in.EndsOn = "2026-01-01", "2027-01-02" }, "ends_on", forums.CodeTooLong},
		{"across the ages", func(in *forums.Input) { in.StartsOn, in.EndsOn = "1900-01-01", "2200-12-31" }, "ends_on", forums.CodeTooLong},
		{"the year 0", func(in *forums.Input) { in.StartsOn = "0000-01-01" }, "starts_on", forums.CodeDate},
	}
	if es := hybrid().Normalized().Validate([]string{"es", "en"}); len(es) > 0 {
		t.Fatalf("a good forum is refused: %v", es)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := hybrid()
			tc.change(&in)
			es := in.Normalized().Validate([]string{"es", "en"})
			for _, e := range es {
				if e.Field == tc.field && e.Code == tc.code {
					return
				}
			}
			t.Fatalf("errors %v, want %s on %s", es, tc.code, tc.field)
		})
	}
}

// TestLifecycle: an organiser drafts, publishes, moves and cancels a forum; a published forum's
// calendar sequence grows with each change a calendar shows, and every step is audited.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
		ps := &processes.Service{DB: db.DB, Clock: clk}
		p, err := ps.Create(ctx, audit.Actor{}, processes.ProcessInput{Slug: "encs", Code: "ENCS", TimeZone: "America/Mexico_City",
			Status: processes.StatusOpen, Languages: []string{"es", "en"}, StakeholderGroups: []string{"academia"},
			Title: translated.Text{"es": "Estrategia", "en": "Strategy"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := ps.Create(ctx, audit.Actor{}, processes.ProcessInput{Slug: "otro", Code: "OTRO", TimeZone: "UTC",
			Status: processes.StatusOpen, Languages: []string{"es"}, StakeholderGroups: []string{"academia"},
			Title: translated.Text{"es": "Otro"}})
		if err != nil {
			t.Fatal(err)
		}
		s := &forums.Service{DB: db.DB, Clock: clk}
		f, err := s.Create(ctx, audit.Actor{}, p.ID, hybrid())
		if err != nil || f.Status != forums.StatusDraft || f.Sequence != 0 {
			t.Fatalf("create: %+v %v", f, err)
		}
		if _, err := s.Create(ctx, audit.Actor{}, p.ID, hybrid()); !errors.As(err, new(validate.Errors)) {
			t.Fatalf("a taken slug: %v", err)
		}
		if list, _ := forums.List(ctx, db.DB, p.ID, true); len(list) != 0 {
			t.Fatalf("a draft is public: %+v", list)
		}
		if _, err := forums.ByID(ctx, db.DB, other.ID, f.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another process's forum by id: %v", err)
		}
		if f, err = s.Publish(ctx, audit.Actor{}, p.ID, f.ID); err != nil || f.Status != forums.StatusPublished {
			t.Fatalf("publish: %+v %v", f, err)
		}
		moved := hybrid()
		moved.StartsOn, moved.EndsOn = "2026-12-18", "2026-12-19"
		if f, err = s.Update(ctx, audit.Actor{}, p.ID, f.ID, moved); err != nil || f.Sequence != 1 {
			t.Fatalf("move: %+v %v", f, err)
		}
		moved.Description = translated.Text{"es": "Más detalles"}
		if f, err = s.Update(ctx, audit.Actor{}, p.ID, f.ID, moved); err != nil || f.Sequence != 1 {
			t.Fatalf("a description a calendar does not show changed the sequence: %+v %v", f, err)
		}
		if f, err = s.Cancel(ctx, audit.Actor{}, p.ID, f.ID); err != nil || f.Status != forums.StatusCancelled || f.Sequence != 2 {
			t.Fatalf("cancel: %+v %v", f, err)
		}
		if _, err := s.Update(ctx, audit.Actor{}, p.ID, f.ID, moved); !errors.Is(err, forums.ErrCancelled) {
			t.Fatalf("changing a cancelled forum: %v", err)
		}
		if list, _ := forums.List(ctx, db.DB, p.ID, true); len(list) != 1 || list[0].Status != forums.StatusCancelled {
			t.Fatalf("a cancelled forum must stay listed, marked: %+v", list)
		}
		n, err := db.NewSelect().Table("audit_log").Where("action LIKE 'forum.%'").Count(ctx)
		if err != nil || n != 5 {
			t.Fatalf("audit entries: %d %v", n, err)
		}
		bad := hybrid()
		bad.Slug, bad.EndsOn = "otro-foro", "2026-01-01"
		before, _ := db.NewSelect().Table("forums").Count(ctx)
		if _, err := s.Create(ctx, audit.Actor{}, p.ID, bad); !errors.As(err, new(validate.Errors)) {
			t.Fatalf("bad input: %v", err)
		}
		if after, _ := db.NewSelect().Table("forums").Count(ctx); after != before {
			t.Fatal("bad input changed the forums")
		}
	})
}
