package registration_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
)

// workshop adds a capped online session to the fixture's forum, on its first day.
func (fx *fixture) workshop(places int) forums.Session {
	fx.t.Helper()
	s, err := fx.forums().CreateSession(context.Background(), audit.Actor{}, fx.process.ID, fx.forum.ID, fx.sessionInput(places, "10:00", "12:00"))
	if err != nil {
		fx.t.Fatal(err)
	}
	return s
}

func (fx *fixture) forums() *forums.Service {
	return &forums.Service{DB: fx.db.DB, Clock: fx.clk, Followers: []forums.Follower{registration.Follower{Notifier: fx.sent}}}
}

func (fx *fixture) sessionInput(places int, start, end string) forums.SessionInput {
	return forums.SessionInput{Kind: forums.KindWorkshop, QAMode: forums.QAOff, Capacity: places,
		Start: fx.forum.StartsOn + "T" + start, End: fx.forum.StartsOn + "T" + end,
		Title: translated.Text{"es": "Taller", "en": "Workshop"}}
}

// TestSessionPlaces: a capped session takes those confirmed at its forum, seats while its cap
// lasts and lines up the rest; a bigger cap seats those in line; moving it sends the session's
// invite again; cancelling it cancels the places, with METHOD:CANCEL to those confirmed.
func TestSessionPlaces(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatVirtual)
		fx.configure(registration.SettingsInput{})
		ctx := context.Background()
		w := fx.workshop(1)
		a, b, outsider := fx.person("a"), fx.person("b"), fx.person("c")
		fx.register(a, form("academia", registration.ModeOnline))
		fx.register(b, form("academia", registration.ModeOnline))
		if _, _, err := fx.svc.RegisterSession(ctx, w.ID, registration.Holder{AccountID: outsider.AccountID}); !errors.Is(err, registration.ErrForumFirst) {
			t.Fatalf("without the forum: %v", err)
		}
		ra, _, err := fx.svc.RegisterSession(ctx, w.ID, registration.Holder{AccountID: a.AccountID})
		if err != nil || ra.Status != registration.StatusConfirmed {
			t.Fatalf("a: %+v %v", ra, err)
		}
		rb, _, err := fx.svc.RegisterSession(ctx, w.ID, registration.Holder{AccountID: b.AccountID})
		if err != nil || rb.Status != registration.StatusWaitlisted || rb.Position != 1 {
			t.Fatalf("b: %+v %v", rb, err)
		}
		if _, _, err := fx.svc.RegisterSession(ctx, w.ID, registration.Holder{AccountID: a.AccountID}); !errors.Is(err, registration.ErrRegistered) {
			t.Fatalf("twice: %v", err)
		}
		open := fx.workshop(0)
		if _, _, err := fx.svc.RegisterSession(ctx, open.ID, registration.Holder{AccountID: a.AccountID}); !errors.Is(err, registration.ErrNotCapped) {
			t.Fatalf("an uncapped session: %v", err)
		}
		fs := fx.forums()
		if _, err := fs.UpdateSession(ctx, audit.Actor{}, fx.process.ID, fx.forum.ID, w.ID, fx.sessionInput(2, "10:00", "12:00")); err != nil {
			t.Fatal(err)
		}
		if r := fx.reload(rb.ID); r.Status != registration.StatusConfirmed {
			t.Fatalf("a bigger cap left b waiting: %s", r.Status)
		}
		if got := fx.sent.of(ra.ID); !slices.Equal(got, []string{"confirmed/REQUEST"}) {
			t.Fatalf("a cap a calendar does not show sent %v", got)
		}
		if _, err := fs.UpdateSession(ctx, audit.Actor{}, fx.process.ID, fx.forum.ID, w.ID, fx.sessionInput(2, "11:00", "13:00")); err != nil {
			t.Fatal(err)
		}
		fx.updatesSent()
		if got := fx.sent.of(ra.ID); !slices.Equal(got, []string{"confirmed/REQUEST", "updated/REQUEST"}) {
			t.Fatalf("after the move: %v", got)
		}
		if _, err := fs.CancelSession(ctx, audit.Actor{}, fx.process.ID, fx.forum.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		if r := fx.reload(ra.ID); r.Status != registration.StatusCancelled || r.InviteSequence != 1 {
			t.Fatalf("after the cancellation: %+v", r)
		}
		if got := fx.sent.of(ra.ID); got[len(got)-1] != "called_off/CANCEL" {
			t.Fatalf("the cancellation's notice: %v", got)
		}
		// The forum's own places are untouched.
		if r := fx.reload(fx.forumReg(a).ID); r.Status != registration.StatusConfirmed {
			t.Fatalf("the forum place: %s", r.Status)
		}
		fx.checkPlaces()
	})
}

// updatesSent lets the minute that gathers a programme's changes pass, and sweeps: the updated
// invites go out.
func (fx *fixture) updatesSent() {
	fx.t.Helper()
	fx.clk.Advance(registration.UpdateDelay)
	if _, err := fx.svc.Sweep(context.Background()); err != nil {
		fx.t.Fatal(err)
	}
}

func (fx *fixture) forumReg(o registration.Owner) registration.Registration {
	fx.t.Helper()
	r, err := registration.ForAccount(context.Background(), fx.db.DB, o.AccountID, fx.forum.ID)
	if err != nil || r == nil {
		fx.t.Fatalf("the forum registration of %s: %v", o.Name, err)
	}
	return *r
}

// TestForumFollows: a move of the forum a calendar shows sends the invite again, once its
// minute's changes are in; cancelling the
// forum cancels every place, with METHOD:CANCEL to those confirmed and a notice to those
// waiting.
func TestForumFollows(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		fx.configure(registration.SettingsInput{InPerson: seats(1)})
		ctx := context.Background()
		a, b := fx.person("a"), fx.person("b")
		ra, rb := fx.register(a, form("academia", registration.ModeInPerson)), fx.register(b, form("academia", registration.ModeInPerson))
		fs := fx.forums()
		in := fx.forum.Input()
		in.Description = translated.Text{"es": "Otra descripción"}
		if _, err := fs.Update(ctx, audit.Actor{}, fx.process.ID, fx.forum.ID, in); err != nil {
			t.Fatal(err)
		}
		if got := fx.sent.of(ra.ID); len(got) != 1 {
			t.Fatalf("a change no calendar shows sent %v", got)
		}
		in.VenueName = "Otra sede"
		if _, err := fs.Update(ctx, audit.Actor{}, fx.process.ID, fx.forum.ID, in); err != nil {
			t.Fatal(err)
		}
		fx.updatesSent()
		if got := fx.sent.of(ra.ID); !slices.Equal(got, []string{"confirmed/REQUEST", "updated/REQUEST"}) {
			t.Fatalf("after the move: %v", got)
		}
		if got := fx.sent.of(rb.ID); !slices.Equal(got, []string{"waitlisted/"}) {
			t.Fatalf("one waiting got an invite: %v", got)
		}
		if _, err := fs.Cancel(ctx, audit.Actor{}, fx.process.ID, fx.forum.ID); err != nil {
			t.Fatal(err)
		}
		if got := fx.sent.of(ra.ID); got[len(got)-1] != "called_off/CANCEL" {
			t.Fatalf("the confirmed person: %v", got)
		}
		if got := fx.sent.of(rb.ID); got[len(got)-1] != "called_off/" {
			t.Fatalf("the waiting person: %v", got)
		}
		for _, id := range []int64{ra.ID, rb.ID} {
			if r := fx.reload(id); r.Status != registration.StatusCancelled {
				t.Fatalf("registration %d: %s", id, r.Status)
			}
		}
		fx.checkPlaces()
	})
}

// TestReminders: a confirmed person is reminded once, within the day before the forum starts.
func TestReminders(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		fx.configure(registration.SettingsInput{InPerson: seats(1)})
		ctx := context.Background()
		ra := fx.register(fx.person("a"), form("academia", registration.ModeInPerson))
		rb := fx.register(fx.person("b"), form("academia", registration.ModeInPerson))
		fx.workshop(0) // the forum starts at its first session, 10:00 on its first day
		if n, err := fx.svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("weeks before: %d %v", n, err)
		}
		zone, _ := time.LoadLocation(fx.forum.TimeZone)
		first, _ := time.ParseInLocation("2006-01-02T15:04", fx.forum.StartsOn+"T10:00", zone)
		fx.clk.Advance(first.Add(-23 * time.Hour).Sub(fx.clk.Now()))
		if n, err := fx.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("the day before: %d %v", n, err)
		}
		if n, err := fx.svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("reminded twice: %d %v", n, err)
		}
		if got := fx.sent.of(ra.ID); got[len(got)-1] != "reminder/" {
			t.Fatalf("the reminder: %v", got)
		}
		if got := fx.sent.of(rb.ID); slices.Contains(got, "reminder/") {
			t.Fatalf("one waiting was reminded: %v", got)
		}
	})
}

// TestRemindersBehindMany: reminders go to those whose forum starts within the day, however
// many are confirmed for later forums (the job once read the first 500 by id and skipped those
// not due, so a busy later forum stopped every reminder).
func TestRemindersBehindMany(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		ctx := context.Background()
		fs := fx.forums()
		later, err := fs.Create(ctx, audit.Actor{}, fx.process.ID, forums.Input{Slug: "later", Format: forums.FormatInPerson,
			VenueName: "Palacio", TimeZone: "America/Mexico_City", StartsOn: "2027-03-01", EndsOn: "2027-03-02",
			Title: translated.Text{"es": "Después", "en": "Later"}})
		if err != nil {
			t.Fatal(err)
		}
		if later, err = fs.Publish(ctx, audit.Actor{}, fx.process.ID, later.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.Configure(ctx, audit.Actor{}, fx.process.ID, later.ID, registration.SettingsInput{}); err != nil {
			t.Fatal(err)
		}
		// 520 accounts in one statement (one at a time, they were most of the test's time).
		var values []string
		var args []any
		for i := range 520 {
			values = append(values, "(?, ?, 'x', ?, ?, ?)")
			args = append(args, fmt.Sprintf("later%d@example.org", i), "Later", fx.clk.Now(), fx.clk.Now(), fx.clk.Now())
		}
		var owners []struct {
			ID    int64  `bun:"id"`
			Email string `bun:"email"`
		}
		if err := db.NewRaw(`INSERT INTO accounts (email, name, password_hash, password_changed_at, created_at, updated_at) VALUES `+
			strings.Join(values, ", ")+` RETURNING id, email`, args...).Scan(ctx, &owners); err != nil {
			t.Fatal(err)
		}
		var reqs []registration.Request
		for _, o := range owners {
			reqs = append(reqs, registration.Request{Owner: registration.Owner{AccountID: o.ID, Name: "Later", Email: o.Email, Language: "es"},
				Form: form("academia", registration.ModeInPerson)})
		}
		if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := registration.RegisterMany(ctx, tx, fx.clk.Now(), nil, later.ID, reqs)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		fx.configure(registration.SettingsInput{})
		soon := fx.register(fx.person("soon"), form("academia", registration.ModeInPerson))
		zone, _ := time.LoadLocation(fx.forum.TimeZone)
		first, _ := time.ParseInLocation(time.DateOnly, fx.forum.StartsOn, zone)
		fx.clk.Advance(first.Add(-12 * time.Hour).Sub(fx.clk.Now()))
		if n, err := fx.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("the day before, behind 520 confirmed for a later forum: %d reminded, %v", n, err)
		}
		if got := fx.sent.of(soon.ID); got[len(got)-1] != "reminder/" {
			t.Fatalf("the reminder: %v", got)
		}
	})
}

// TestRegisterMany: a batch counts its places once for all, in order; the same person twice in
// a batch, and refusals, leave the others be.
func TestRegisterMany(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatHybrid)
		fx.configure(registration.SettingsInput{InPerson: seats(2), Online: seats(1)})
		ctx := context.Background()
		p := []registration.Owner{fx.person("a"), fx.person("b"), fx.person("c"), fx.person("d"), fx.person("e")}
		bad := form("academia", registration.ModeInPerson)
		bad.PrivacyVersion = ""
		reqs := []registration.Request{
			{Owner: p[0], Form: form("academia", registration.ModeInPerson)},
			{Owner: p[1], Form: form("academia", registration.ModeOnline)},
			{Owner: p[0], Form: form("academia", registration.ModeOnline)}, // the same person again
			{Owner: p[2], Form: bad},
			{Owner: p[3], Form: form("academia", registration.ModeInPerson)},
			{Owner: p[4], Form: form("academia", registration.ModeInPerson)},
			{Owner: p[2], Form: form("academia", registration.ModeOnline)},
		}
		var out []registration.Result
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var err error
			out, err = registration.RegisterMany(ctx, tx, fx.clk.Now(), fx.sent, fx.forum.ID, reqs)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range out {
			switch {
			case r.Err != nil && errors.Is(r.Err, registration.ErrRegistered):
				got = append(got, "twice")
			case r.Err != nil:
				got = append(got, "refused")
			default:
				got = append(got, fmt.Sprintf("%s/%s/%d", r.Registration.Mode, r.Registration.Status, r.Registration.Position))
			}
		}
		want := []string{"in_person/confirmed/0", "online/confirmed/0", "twice", "refused", "in_person/confirmed/0",
			"in_person/waitlisted/1", "online/waitlisted/1"}
		if !slices.Equal(got, want) {
			t.Fatalf("the batch: %v, want %v", got, want)
		}
		fx.checkPlaces()
	})
}
