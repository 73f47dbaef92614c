package minutes_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// came registers someone at the fixture's forum as confirmed in mode, checked in or not.
func came(t *testing.T, db *storetest.DB, x *fixture, n int, group, mode string, checkedIn bool) {
	t.Helper()
	for i := 0; i < n; i++ {
		code := fmt.Sprintf("%.3s%.2s%v%d", group, mode, checkedIn, i)
		r := registration.Registration{ForumID: x.session.ForumID, Email: code + "@example.org", Name: code, Language: "es",
			Status: registration.StatusConfirmed, Mode: mode, Code: code, CreatedAt: t0, UpdatedAt: t0,
			Details: registration.Details{Group: group, Languages: []string{}, Answers: registration.Answers{}}}
		if checkedIn {
			at := t0
			r.CheckedInAt = &at
		}
		if _, err := db.NewInsert().Model(&r).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReport: the editor begins with the programme's speakers; the report's fields are
// checked, each error naming its field and changing nothing; published minutes keep who came as
// the door counted it then (checked in, or confirmed online; not those who never came), and a
// later check-in changes only the next version.
func TestReport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		sys := forums.Effects{}
		if _, err := forums.UpdateSession(ctx, db.DB, t0, audit.Actor{}, sys, x.process.ID, x.session.ForumID, x.session.ID, forums.SessionInput{Kind: forums.KindPanel,
			QAMode: forums.QAOpen, Start: "2026-12-17T10:00", End: "2026-12-17T23:00", Title: translated.Text{"es": "Panel", "en": "Panel"}, Rapporteur: "relatora@example.org",
			Speakers: []forums.SpeakerInput{{Name: "Mariana Ruiz", Affiliation: "OEA", Group: "government"}}}); err != nil {
			t.Fatal(err)
		}
		m := x.begin(t)
		if len(m.Report.Speakers) != 1 || m.Report.Speakers[0] != (minutes.Speaker{Name: "Mariana Ruiz", Organisation: "OEA", Group: "government"}) {
			t.Fatalf("the minutes began with speakers %+v, want the programme's", m.Report.Speakers)
		}
		for _, c := range []struct {
			name  string
			in    minutes.ReportDraft
			field string
		}{
			{"an estimate that is not a number", minutes.ReportDraft{UnregisteredInPerson: "unos 30"}, "unregistered_in_person"},
			{"a negative estimate", minutes.ReportDraft{UnregisteredOnline: "-4"}, "unregistered_online"},
			{"a share over 100", minutes.ReportDraft{WomenPercent: "140"}, "women_percent"},
			{"an answer not offered", minutes.ReportDraft{GenderRaised: "maybe"}, "gender_raised"},
			{"a speaker without a name", minutes.ReportDraft{Speakers: []minutes.Speaker{{Organisation: "OEA"}}}, "speakers.0.name"},
			{"a group not of the process", minutes.ReportDraft{Speakers: []minutes.Speaker{{Name: "Ana", Group: "private_sector"}}}, "speakers.0.group"},
			{"a name on two lines", minutes.ReportDraft{Speakers: []minutes.Speaker{{Name: "Ana\nBCC: x"}}}, "speakers.0.name"},
		} {
			_, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: m.Revision, Summary: "cambiado", Report: c.in})
			if es, ok := validate.As(err); !ok || !es.Has(c.field) {
				t.Fatalf("%s: %v, want an error naming %s", c.name, err, c.field)
			}
			if got, _ := minutes.OfSession(ctx, db.DB, x.session.ID); got.Revision != m.Revision || got.Summary != "" {
				t.Fatalf("%s: a refused save changed the minutes", c.name)
			}
		}
		m, err := x.svc.Save(ctx, x.rapporteur, m.ID, minutes.DraftInput{Revision: m.Revision, Report: minutes.ReportDraft{
			Presentations: "La OEA presentó su guía.", UnregisteredInPerson: "12", UnregisteredOnline: "", WomenPercent: "45", GenderRaised: "yes",
			GenderNotes: "Violencia digital contra mujeres.", Speakers: []minutes.Speaker{{Name: " Mariana Ruiz ", Organisation: "OEA", Group: "government"},
				{Name: "Luis Gómez", Organisation: "UNAM", Group: "academia"}}}})
		if err != nil {
			t.Fatal(err)
		}
		r := m.Report
		if r.Presentations != "La OEA presentó su guía." || len(r.Speakers) != 2 || r.Speakers[0].Name != "Mariana Ruiz" || r.Attendance.UnregisteredInPerson != 12 ||
			r.Gender.Women() != 45 || r.Gender.Raised != "yes" {
			t.Fatalf("saved report: %+v", r)
		}
		came(t, db, x, 2, "academia", registration.ModeInPerson, true)
		came(t, db, x, 3, "academia", registration.ModeInPerson, false) // registered, never came
		came(t, db, x, 1, "civil_society", registration.ModeOnline, false)
		if m, err = x.svc.Submit(ctx, x.rapporteur, m.ID, m.Revision); err != nil {
			t.Fatal(err)
		}
		if _, err = x.svc.Publish(ctx, x.organiser, m.ID); err != nil {
			t.Fatal(err)
		}
		came(t, db, x, 1, "government", registration.ModeInPerson, true) // checked in after publishing
		vs, err := minutes.Versions(ctx, db.DB, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		a := vs[0].Content.Report.Attendance
		want := []minutes.Count{{Group: "academia", Mode: registration.ModeInPerson, N: 2}, {Group: "civil_society", Mode: registration.ModeOnline, N: 1}}
		if fmt.Sprint(a.Counted) != fmt.Sprint(want) || a.Total() != 15 || a.ByMode(registration.ModeInPerson) != 14 {
			t.Fatalf("version 1's attendance: %+v (total %d), want %+v and 12 estimated", a.Counted, a.Total(), want)
		}
		if rows := a.Rows(x.process.StakeholderGroups); len(rows) != 2 || rows[0] != (minutes.AttendanceRow{Group: "academia", InPerson: 2}) {
			t.Fatalf("attendance rows: %+v", rows)
		}
		now, err := minutes.OfSession(ctx, db.DB, x.session.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err = x.svc.Correct(ctx, x.organiser, m.ID, minutes.DraftInput{Revision: now.Revision, Report: minutes.DraftOf(r)}, "Asistencia final."); err != nil {
			t.Fatal(err)
		}
		if vs, _ = minutes.Versions(ctx, db.DB, m.ID); len(vs) != 2 || vs[1].Content.Report.Attendance.Total() != 16 || vs[0].Content.Report.Attendance.Total() != 15 {
			t.Fatalf("after a correction: %d versions, totals %d then %d", len(vs), vs[0].Content.Report.Attendance.Total(), vs[len(vs)-1].Content.Report.Attendance.Total())
		}
	})
}

// TestReminders: the rapporteur of a session is mailed once when its minutes come due (three
// days ahead, in the forum's zone) and once when they are overdue; a session without a
// rapporteur of its own reminds the organisers; published minutes and sessions long past are
// not reminded of; a second sweep sends nothing again.
func TestReminders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		x := newFixture(t, db)
		ctx := context.Background()
		out, bundle := x.outbox(t)
		_, err := forums.CreateSession(ctx, db.DB, t0, audit.Actor{}, forums.Effects{}, x.process.ID, x.session.ForumID, forums.SessionInput{Kind: forums.KindPanel,
			QAMode: forums.QAOpen, Start: "2026-12-18T16:00", End: "2026-12-18T17:00", Title: translated.Text{"es": "Cierre", "en": "Closing"}})
		if err != nil {
			t.Fatal(err)
		}
		// The second session's minutes are published: nobody is reminded of them.
		m, err := x.svc.Open(ctx, x.secondRapp, x.second.ID)
		if err == nil {
			m, err = x.svc.Submit(ctx, x.secondRapp, m.ID, m.Revision)
		}
		if err == nil {
			_, err = x.svc.Publish(ctx, x.organiser, m.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		type sent struct{ to, subject string }
		sweep := func(at string) []sent {
			t.Helper()
			now, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			var before int64
			if err := db.NewSelect().Table("outbox").ColumnExpr("count(*)").Scan(ctx, &before); err != nil {
				t.Fatal(err)
			}
			_, err = minutes.Remind(ctx, db.DB, out, bundle, nil, "https://convene.example.org", now)
			if err != nil {
				t.Fatal(err)
			}
			var got []sent
			var rows []struct {
				Recipient string `bun:"recipient"`
				Subject   string `bun:"subject"`
				Body      string `bun:"body_text"`
			}
			if err := db.NewSelect().Table("outbox").Column("recipient", "subject", "body_text").OrderExpr("id").Scan(ctx, &rows); err != nil {
				t.Fatal(err)
			}
			for _, r := range rows[before:] {
				got = append(got, sent{r.Recipient, r.Subject})
				if !strings.Contains(r.Body, "https://convene.example.org/sessions/") {
					t.Errorf("a reminder without its link: %q", r.Body)
				}
			}
			return got
		}
		// The first session ends 17 Dec 23:00 in Mexico City: due 31 Dec; the third ends 18 Dec:
		// due 1 Jan.
		for _, step := range []struct {
			at   string
			want []sent
		}{
			{"2026-12-20T12:00:00Z", nil},
			{"2026-12-28T05:59:00Z", nil}, // still 27 Dec in Mexico City
			{"2026-12-28T12:00:00Z", []sent{{"relatora@example.org", "La relatoría de «Panel» vence el jueves 31 de diciembre de 2026"}}},
			{"2026-12-28T13:00:00Z", nil},
			{"2026-12-29T12:00:00Z", []sent{{"org@example.org", "La relatoría de «Cierre» vence el viernes 1 de enero de 2027"}}},
			{"2027-01-01T12:00:00Z", []sent{{"relatora@example.org", "La relatoría de «Panel» está vencida"}}},
			{"2027-01-02T12:00:00Z", []sent{{"org@example.org", "La relatoría de «Cierre» está vencida"}}},
			{"2027-01-20T12:00:00Z", nil},
		} {
			if got := sweep(step.at); fmt.Sprint(got) != fmt.Sprint(step.want) {
				t.Fatalf("at %s: mailed %v, want %v", step.at, got, step.want)
			}
		}
		// A session that ended long ago is past reminding.
		if _, err := db.NewDelete().Table("minutes_reminders").Where("1 = 1").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if got := sweep("2027-12-01T12:00:00Z"); len(got) != 0 {
			t.Fatalf("a year later: mailed %v", got)
		}
	})
}
