package forums_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

func fieldCode(err error, field string) string {
	es, _ := validate.As(err)
	for _, e := range es {
		if e.Field == field {
			return e.Code
		}
	}
	return ""
}

// TestSessionTimes: wall-clock times in the forum's zone become the right instants, also in a
// zone with summer time; a time the clocks skip or repeat is refused, naming the field.
func TestSessionTimes(t *testing.T) {
	t.Parallel()
	zone := func(name string) *time.Location {
		loc, err := clock.Zone(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	cases := []struct {
		name, zone, start, end string
		from, to               string
		wantStart              time.Time
		field, code            string
	}{
		// Mexico left summer time in 2022: April is UTC−6 like December.
		{"Mexico City in April", "America/Mexico_City", "2026-04-06T10:00", "2026-04-06T11:00", "2026-04-06", "2026-04-06",
			time.Date(2026, 4, 6, 16, 0, 0, 0, time.UTC), "", ""},
		{"Geneva in December", "Europe/Zurich", "2017-12-17T17:00", "2017-12-17T18:00", "2017-12-17", "2017-12-17",
			time.Date(2017, 12, 17, 16, 0, 0, 0, time.UTC), "", ""},
		{"New York after the clocks go forward", "America/New_York", "2026-03-08T10:00", "2026-03-08T11:00", "2026-03-08", "2026-03-08",
			time.Date(2026, 3, 8, 14, 0, 0, 0, time.UTC), "", ""},
		{"a time the clocks skip", "America/New_York", "2026-03-08T02:30", "2026-03-08T04:00", "2026-03-08", "2026-03-08",
			time.Time{}, "start", forums.CodeNoSuchTime},
		{"a time the clocks repeat", "Europe/Madrid", "2026-10-25T02:30", "2026-10-25T04:00", "2026-10-25", "2026-10-25",
			time.Time{}, "start", forums.CodeNoSuchTime},
		{"ends before it starts", "UTC", "2026-12-17T10:00", "2026-12-17T09:00", "2026-12-17", "2026-12-17",
			time.Time{}, "end", forums.CodeEndsFirst},
		{"outside the forum's days", "UTC", "2026-12-20T10:00", "2026-12-20T11:00", "2026-12-17", "2026-12-18",
			time.Time{}, "start", forums.CodeOutside},
		{"malformed", "UTC", "17/12/2026 10:00", "2026-12-17T11:00", "2026-12-17", "2026-12-17",
			time.Time{}, "start", forums.CodeLocalTime},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := forums.SessionInput{Start: tc.start, End: tc.end}
			start, _, es := in.Times(zone(tc.zone), forums.Forum{StartsOn: tc.from, EndsOn: tc.to})
			if tc.field == "" {
				if len(es) > 0 || !start.Equal(tc.wantStart) {
					t.Fatalf("start %v (%v), want %v", start, es, tc.wantStart)
				}
				return
			}
			if fieldCode(es, tc.field) != tc.code {
				t.Fatalf("errors %v, want %s on %s", es, tc.code, tc.field)
			}
		})
	}
}

// TestRoomClash: a room holds one session at a time; the clash is refused naming the other
// session, and changes nothing. A room of another forum is refused too.
func TestRoomClash(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		sys := audit.Actor{}
		p, err := processes.Create(ctx, db.DB, now, sys, processes.ProcessInput{Slug: "encs", Code: "ENCS", TimeZone: "America/Mexico_City",
			Status: processes.StatusOpen, Languages: []string{"es"}, StakeholderGroups: []string{"academia"}, Title: translated.Text{"es": "Estrategia"}})
		if err != nil {
			t.Fatal(err)
		}
		f, err := forums.Create(ctx, db.DB, now, sys, p.ID, hybrid())
		if err != nil {
			t.Fatal(err)
		}
		second := hybrid()
		second.Slug = "otro-foro"
		g, err := forums.Create(ctx, db.DB, now, sys, p.ID, second)
		if err != nil {
			t.Fatal(err)
		}
		room, err := forums.AddRoom(ctx, db.DB, now, sys, p.ID, f.ID, "Salón de Actos", 120)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, err := forums.AddRoom(ctx, db.DB, now, sys, p.ID, g.ID, "Aula 3", 30)
		if err != nil {
			t.Fatal(err)
		}
		session := func(title, start, end string, roomID int64) (forums.Session, error) {
			return forums.CreateSession(ctx, db.DB, now, sys, forums.Effects{}, p.ID, f.ID, forums.SessionInput{Kind: forums.KindPanel,
				Start: start, End: end, RoomID: roomID, Title: translated.Text{"es": title}})
		}
		first, err := session("Inauguración", "2026-12-17T10:00", "2026-12-17T11:00", room.ID)
		if err != nil || !first.StartsAt.Equal(time.Date(2026, 12, 17, 16, 0, 0, 0, time.UTC)) {
			t.Fatalf("first session: %+v %v", first, err)
		}
		if _, err := session("Justo después", "2026-12-17T11:00", "2026-12-17T12:00", room.ID); err != nil {
			t.Fatalf("back to back in one room: %v", err)
		}
		before, _ := db.NewSelect().Table("sessions").Count(ctx)
		_, err = session("Choque", "2026-12-17T10:30", "2026-12-17T11:30", room.ID)
		es, _ := validate.As(err)
		if fieldCode(err, "room_id") != forums.CodeRoomTaken || len(es) != 1 || es[0].Data["Other"] != "Inauguración" {
			t.Fatalf("a clash: %v", err)
		}
		if fieldCode(mustErr(session("Sala ajena", "2026-12-17T13:00", "2026-12-17T14:00", elsewhere.ID)), "room_id") != forums.CodeUnknownRoom {
			t.Fatal("a room of another forum was accepted")
		}
		if after, _ := db.NewSelect().Table("sessions").Count(ctx); after != before {
			t.Fatal("a refused session was stored")
		}
		if _, err := session("", "2026-12-17T15:00", "2026-12-17T16:00", 0); fieldCode(err, "title.es") != validate.Required {
			t.Fatalf("no title: %v", err)
		}
		if _, err := forums.Cancel(ctx, db.DB, now, sys, forums.Effects{}, p.ID, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := session("Tarde", "2026-12-17T17:00", "2026-12-17T18:00", 0); !errors.Is(err, forums.ErrCancelled) {
			t.Fatalf("a session in a cancelled forum: %v", err)
		}
	})
}

func mustErr(_ forums.Session, err error) error { return err }

// TestChangeLog: once the forum is published, moving a session, changing its room or title, or
// cancelling it is recorded (times as the programme shows them) and grows its calendar
// sequence; a change before publication, or to what no calendar shows, records nothing.
func TestChangeLog(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		sys := audit.Actor{}
		p, err := processes.Create(ctx, db.DB, now, sys, processes.ProcessInput{Slug: "encs", Code: "ENCS", TimeZone: "America/Mexico_City",
			Status: processes.StatusOpen, Languages: []string{"es"}, StakeholderGroups: []string{"academia"}, Title: translated.Text{"es": "Estrategia"}})
		if err != nil {
			t.Fatal(err)
		}
		f, err := forums.Create(ctx, db.DB, now, sys, p.ID, hybrid())
		if err != nil {
			t.Fatal(err)
		}
		a, _ := forums.AddRoom(ctx, db.DB, now, sys, p.ID, f.ID, "Sala A", 50)
		b, _ := forums.AddRoom(ctx, db.DB, now, sys, p.ID, f.ID, "Sala B", 50)
		in := forums.SessionInput{Kind: forums.KindWorkshop, Start: "2026-12-17T10:00", End: "2026-12-17T11:00", RoomID: a.ID,
			Title: translated.Text{"es": "Taller de respuesta a incidentes"}}
		s, err := forums.CreateSession(ctx, db.DB, now, sys, forums.Effects{}, p.ID, f.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Title = translated.Text{"es": "Taller de respuesta a incidentes (CSIRT)"}
		if s, err = forums.UpdateSession(ctx, db.DB, now, sys, forums.Effects{}, p.ID, f.ID, s.ID, in); err != nil || s.Sequence != 0 {
			t.Fatalf("a change before publication: %+v %v", s, err)
		}
		if _, err := forums.Publish(ctx, db.DB, now, sys, p.ID, f.ID); err != nil {
			t.Fatal(err)
		}
		in.Start, in.End, in.RoomID = "2026-12-17T12:00", "2026-12-17T13:30", b.ID
		if s, err = forums.UpdateSession(ctx, db.DB, now.Add(time.Hour), sys, forums.Effects{}, p.ID, f.ID, s.ID, in); err != nil || s.Sequence != 1 {
			t.Fatalf("the move: %+v %v", s, err)
		}
		in.Description = translated.Text{"es": "Traer portátil"}
		if s, err = forums.UpdateSession(ctx, db.DB, now.Add(2*time.Hour), sys, forums.Effects{}, p.ID, f.ID, s.ID, in); err != nil || s.Sequence != 1 {
			t.Fatalf("a description change: %+v %v", s, err)
		}
		if s, err = forums.CancelSession(ctx, db.DB, now.Add(3*time.Hour), sys, forums.Effects{}, p.ID, f.ID, s.ID); err != nil || s.Sequence != 2 || s.Status != forums.SessionCancelled {
			t.Fatalf("cancel: %+v %v", s, err)
		}
		changes, err := forums.Changes(ctx, db.DB, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range changes {
			got = append(got, c.What+": "+c.Before+" → "+c.After)
		}
		want := []string{"status: scheduled → cancelled", "room: Sala A → Sala B", "time: 2026-12-17 10:00–11:00 → 2026-12-17 12:00–13:30"}
		if len(got) != 3 || got[0] != want[0] || !((got[1] == want[1] && got[2] == want[2]) || (got[1] == want[2] && got[2] == want[1])) {
			t.Fatalf("changes, newest first:\n%q\nwant\n%q", got, want)
		}
		// A cancelled session frees its room.
		again := forums.SessionInput{Kind: forums.KindPanel, Start: "2026-12-17T12:00", End: "2026-12-17T13:00", RoomID: b.ID,
			Title: translated.Text{"es": "Panel"}}
		if _, err := forums.CreateSession(ctx, db.DB, now, sys, forums.Effects{}, p.ID, f.ID, again); err != nil {
			t.Fatalf("the room of a cancelled session: %v", err)
		}
	})
}
