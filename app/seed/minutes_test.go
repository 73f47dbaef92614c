package seed_test

import (
	"context"
	"testing"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store/storetest"
)

// TestDemoMinutes: the IGF 2017 open forum's minutes are published, after the forum, with
// inputs from each of its questions and a commitment, every one tagged, and what became of
// some of them, so that every minutes page has real content.
func TestDemoMinutes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		if _, err := seed.Demo(ctx, db.DB, newClock()); err != nil {
			t.Fatal(err)
		}
		var sessionID int64
		if err := db.NewSelect().Table("minutes").Column("session_id").Scan(ctx, &sessionID); err != nil {
			t.Fatal(err)
		}
		m, vs, err := minutes.PublishedOf(ctx, db.DB, sessionID)
		if err != nil || len(vs) != 1 || len(vs[0].Content.Inputs) != 5 {
			t.Fatalf("published: %+v, %d versions, %v", m, len(vs), err)
		}
		if r := vs[0].Content.Report; len(r.Speakers) == 0 || r.Attendance.UnregisteredInPerson != 40 || r.Gender.Women() != 40 || r.Presentations == "" {
			t.Fatalf("the report: %+v", r)
		}
		questions, kinds := 0, map[string]int{}
		for _, x := range vs[0].Content.Inputs {
			if len(x.Topics) == 0 || len(x.Groups) == 0 {
				t.Errorf("input %d is not tagged: %+v", x.Number, x)
			}
			questions += len(x.Questions)
			kinds[x.Kind]++
		}
		if questions != 4 || kinds[minutes.Commitment] != 1 {
			t.Errorf("%d inputs from questions, kinds %v", questions, kinds)
		}
		x, err := minutes.InputByRef(ctx, db.DB, "ENCS2017-0005")
		if err != nil || x.Standing.Status != minutes.Adopted || x.Standing.Progress != minutes.InProgress {
			t.Fatalf("the commitment: %+v %v", x.Standing, err)
		}
		if vs[0].PublishedAt.Year() != 2017 {
			t.Errorf("published on %s", vs[0].PublishedAt)
		}
	})
}
