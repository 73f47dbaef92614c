package registration_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// notices records what would be mailed.
type notices struct {
	mu   sync.Mutex
	list []registration.Notice
}

func (n *notices) Notify(_ context.Context, _ bun.IDB, xs ...registration.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.list = append(n.list, xs...)
	return nil
}

// of lists the kinds noticed to registration id, in order.
func (n *notices) of(id int64) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, x := range n.list {
		if x.Registration.ID == id {
			out = append(out, x.Kind+"/"+x.Invite)
		}
	}
	return out
}

type fixture struct {
	t       *testing.T
	db      *storetest.DB
	clk     *clock.Fixed
	sent    *notices
	svc     *registration.Service
	process processes.Process
	forum   forums.Forum
	next    int64
}

func newFixture(t *testing.T, db *storetest.DB, format string) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFixed(time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC))
	p, err := (&processes.Service{DB: db.DB, Clock: clk}).Create(ctx, audit.Actor{}, processes.ProcessInput{Slug: "encs", Code: "ENCS",
		TimeZone: "America/Mexico_City", Status: processes.StatusOpen, Languages: []string{"es", "en"},
		StakeholderGroups: []string{"government", "civil_society", "academia"}, Title: translated.Text{"es": "Estrategia", "en": "Strategy"}})
	if err != nil {
		t.Fatal(err)
	}
	fs := &forums.Service{DB: db.DB, Clock: clk}
	f, err := fs.Create(ctx, audit.Actor{}, p.ID, forums.Input{Slug: "foro", Format: format, VenueName: "Palacio de Minería",
		OnlineURL: "https://meet.example.org/foro", TimeZone: "America/Mexico_City", StartsOn: "2026-12-17", EndsOn: "2026-12-18",
		Title: translated.Text{"es": "Foro", "en": "Forum"}})
	if err != nil {
		t.Fatal(err)
	}
	if f, err = fs.Publish(ctx, audit.Actor{}, p.ID, f.ID); err != nil {
		t.Fatal(err)
	}
	sent := &notices{}
	return &fixture{t: t, db: db, clk: clk, sent: sent, process: p, forum: f,
		svc: &registration.Service{DB: db.DB, Clock: clk, Notifier: sent, Links: registration.Links{Key: []byte("a test key of thirty-two bytes..")}}}
}

func seats(n int) *int { return &n }

func (fx *fixture) configure(in registration.SettingsInput) registration.Current {
	fx.t.Helper()
	c, err := fx.svc.Configure(context.Background(), audit.Actor{}, fx.process.ID, fx.forum.ID, in)
	if err != nil {
		fx.t.Fatalf("configure: %v", err)
	}
	return c
}

// person makes an account and returns its owner.
func (fx *fixture) person(name string) registration.Owner {
	fx.t.Helper()
	fx.next++
	email := fmt.Sprintf("%s%d@example.org", name, fx.next)
	var id int64
	err := fx.db.NewRaw(`INSERT INTO accounts (email, name, password_hash, password_changed_at, created_at, updated_at)
		VALUES (?, ?, 'x', ?, ?, ?) RETURNING id`, email, name, fx.clk.Now(), fx.clk.Now(), fx.clk.Now()).Scan(context.Background(), &id)
	if err != nil {
		fx.t.Fatal(err)
	}
	return registration.Owner{AccountID: id, Name: name, Email: email, Language: "es"}
}

func form(group, mode string) registration.Form {
	return registration.Form{Mode: mode, Group: group, Role: "participant", Country: "MX", PrivacyVersion: privacy.Version,
		Languages: []string{"es"}}
}

func (fx *fixture) register(o registration.Owner, f registration.Form) registration.Registration {
	fx.t.Helper()
	r, _, err := fx.svc.Register(context.Background(), fx.forum.ID, o, f)
	if err != nil {
		fx.t.Fatalf("register %s: %v", o.Name, err)
	}
	return r
}

func (fx *fixture) reload(id int64) registration.Registration {
	fx.t.Helper()
	var r registration.Registration
	if err := fx.db.NewSelect().Model(&r).Where("id = ?", id).Scan(context.Background()); err != nil {
		fx.t.Fatal(err)
	}
	return r
}

// checkPlaces compares what the places rows count with the seats registrations hold.
func (fx *fixture) checkPlaces() {
	fx.t.Helper()
	ctx := context.Background()
	places, err := registration.Places(ctx, fx.db.DB, fx.forum.ID)
	if err != nil {
		fx.t.Fatal(err)
	}
	for _, p := range places {
		n, err := fx.db.NewSelect().Model((*registration.Registration)(nil)).Where("place_id = ? AND status IN (?)", p.ID,
			bun.List([]string{registration.StatusConfirmed, registration.StatusOffered})).Count(ctx)
		if err != nil {
			fx.t.Fatal(err)
		}
		if int(n) != p.Taken {
			fx.t.Errorf("places row %d (%s %s) counts %d taken, registrations hold %d", p.ID, p.Mode, p.Group, p.Taken, n)
		}
		if p.Capacity != nil && p.Taken > *p.Capacity {
			fx.t.Errorf("places row %d holds %d of %d", p.ID, p.Taken, *p.Capacity)
		}
	}
}

func statuses(rs ...registration.Registration) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

// TestSeatsAndLine: seats go first come, first served; the rest wait in order; a cancelled seat
// goes to the first in line at once, with the invite; positions close up.
func TestSeatsAndLine(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		fx.configure(registration.SettingsInput{InPerson: seats(2)})
		var rs []registration.Registration
		var owners []registration.Owner
		for i := range 5 {
			o := fx.person(fmt.Sprint("p", i))
			owners = append(owners, o)
			rs = append(rs, fx.register(o, form("government", registration.ModeInPerson)))
		}
		if got := statuses(rs...); !slices.Equal(got, []string{"confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"}) {
			t.Fatalf("statuses %v", got)
		}
		for i, r := range rs[2:] {
			if r.Position != i+1 {
				t.Errorf("%d in line has position %d", i+1, r.Position)
			}
		}
		if got := fx.sent.of(rs[0].ID); !slices.Equal(got, []string{"confirmed/REQUEST"}) {
			t.Errorf("confirmation notices %v", got)
		}
		if got := fx.sent.of(rs[2].ID); !slices.Equal(got, []string{"waitlisted/"}) {
			t.Errorf("waitlist notices %v", got)
		}
		ctx := context.Background()
		if _, err := fx.svc.Cancel(ctx, rs[1].ID, registration.Holder{AccountID: owners[0].AccountID}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another person's registration cancelled: %v", err)
		}
		if _, err := fx.svc.Cancel(ctx, rs[1].ID, registration.Holder{AccountID: owners[1].AccountID}); err != nil {
			t.Fatal(err)
		}
		if got := fx.sent.of(rs[1].ID); !slices.Equal(got, []string{"confirmed/REQUEST", "cancelled/CANCEL"}) {
			t.Errorf("cancellation notices %v", got)
		}
		if r := fx.reload(rs[2].ID); r.Status != registration.StatusConfirmed {
			t.Fatalf("the first in line was not promoted: %s", r.Status)
		}
		if got := fx.sent.of(rs[2].ID); !slices.Equal(got, []string{"waitlisted/", "promoted/REQUEST"}) {
			t.Errorf("promotion notices %v", got)
		}
		mine, err := registration.Mine(ctx, db.DB, owners[4].AccountID)
		if err != nil || len(mine) != 1 || mine[0].Position != 2 {
			t.Fatalf("the last in line: %+v %v", mine, err)
		}
		if _, err := fx.svc.Cancel(ctx, rs[1].ID, registration.Holder{AccountID: owners[1].AccountID}); !errors.Is(err, registration.ErrNotActive) {
			t.Fatalf("cancelled twice: %v", err)
		}
		// Registering again after cancelling goes to the end of the line.
		again := fx.register(owners[1], form("government", registration.ModeInPerson))
		if again.ID != rs[1].ID || again.Status != registration.StatusWaitlisted || again.Position != 3 {
			t.Fatalf("registered again: %+v", again)
		}
		if _, _, err := fx.svc.Register(ctx, fx.forum.ID, owners[1], form("government", registration.ModeInPerson)); !errors.Is(err, registration.ErrRegistered) {
			t.Fatalf("registered twice: %v", err)
		}
		// More capacity seats those in line at once.
		fx.configure(registration.SettingsInput{InPerson: seats(4)})
		if r := fx.reload(rs[3].ID); r.Status != registration.StatusConfirmed {
			t.Errorf("capacity grew but the next in line waits: %s", r.Status)
		}
		if r := fx.reload(rs[4].ID); r.Status != registration.StatusConfirmed {
			t.Errorf("capacity grew but the next in line waits: %s", r.Status)
		}
		if _, err := fx.svc.Configure(ctx, audit.Actor{}, fx.process.ID, fx.forum.ID, registration.SettingsInput{InPerson: seats(2)}); !hasField(err, "capacity_in_person") {
			t.Fatalf("capacity below the seats given: %v", err)
		}
		fx.checkPlaces()
	})
}

func hasField(err error, field string) bool {
	es, ok := validate.As(err)
	return ok && es.Has(field)
}

// TestQuota: seats held for a group go only to it until their release; then the unused ones go
// to the first in line.
func TestQuota(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		release := fx.clk.Now().Add(48 * time.Hour)
		fx.configure(registration.SettingsInput{InPerson: seats(4), Quotas: []registration.Quota{
			{Group: "civil_society", Mode: registration.ModeInPerson, Seats: 2, ReleaseAt: &release}}})
		var gov []registration.Registration
		for i := range 3 {
			gov = append(gov, fx.register(fx.person(fmt.Sprint("g", i)), form("government", registration.ModeInPerson)))
		}
		if got := statuses(gov...); !slices.Equal(got, []string{"confirmed", "confirmed", "waitlisted"}) {
			t.Fatalf("government: %v", got)
		}
		cs := fx.register(fx.person("cs"), form("civil_society", registration.ModeInPerson))
		if cs.Status != registration.StatusConfirmed {
			t.Fatalf("civil society found the held seats taken: %s", cs.Status)
		}
		fx.checkPlaces()
		ctx := context.Background()
		if n, err := fx.svc.Sweep(ctx); err != nil || n != 0 {
			t.Fatalf("a sweep before the release: %d %v", n, err)
		}
		fx.clk.Advance(49 * time.Hour)
		if n, err := fx.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("the release sweep: %d %v", n, err)
		}
		if r := fx.reload(gov[2].ID); r.Status != registration.StatusConfirmed {
			t.Fatalf("the released seat did not go to the first in line: %s", r.Status)
		}
		late := fx.register(fx.person("cs2"), form("civil_society", registration.ModeInPerson))
		if late.Status != registration.StatusWaitlisted {
			t.Fatalf("after the release the quota still holds seats: %s", late.Status)
		}
		fx.checkPlaces()
	})
}

// TestOffers: with offers, a freed seat is offered to the first in line for N hours, then
// passes to the next.
func TestOffers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		fx.configure(registration.SettingsInput{InPerson: seats(1), OfferHours: 24})
		a, b, c := fx.person("a"), fx.person("b"), fx.person("c")
		ra, rb, rc := fx.register(a, form("academia", registration.ModeInPerson)), fx.register(b, form("academia", registration.ModeInPerson)),
			fx.register(c, form("academia", registration.ModeInPerson))
		ctx := context.Background()
		if _, err := fx.svc.Cancel(ctx, ra.ID, registration.Holder{AccountID: a.AccountID}); err != nil {
			t.Fatal(err)
		}
		if r := fx.reload(rb.ID); r.Status != registration.StatusOffered || r.OfferExpiresAt == nil {
			t.Fatalf("no offer: %+v", r)
		}
		fx.clk.Advance(25 * time.Hour)
		if _, err := fx.svc.Accept(ctx, rb.ID, registration.Holder{AccountID: b.AccountID}); !errors.Is(err, registration.ErrOfferExpired) {
			t.Fatalf("accepted too late: %v", err)
		}
		if n, err := fx.svc.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("expiry sweep: %d %v", n, err)
		}
		if r := fx.reload(rb.ID); r.Status != registration.StatusExpired {
			t.Fatalf("the offer did not expire: %s", r.Status)
		}
		if got := fx.sent.of(rb.ID); !slices.Equal(got, []string{"waitlisted/", "offered/", "expired/"}) {
			t.Errorf("notices to b: %v", got)
		}
		if r := fx.reload(rc.ID); r.Status != registration.StatusOffered {
			t.Fatalf("the offer did not pass on: %s", r.Status)
		}
		if r, err := fx.svc.Accept(ctx, rc.ID, registration.Holder{AccountID: c.AccountID}); err != nil || r.Status != registration.StatusConfirmed {
			t.Fatalf("accept: %+v %v", r, err)
		}
		if got := fx.sent.of(rc.ID); !slices.Equal(got, []string{"waitlisted/", "offered/", "confirmed/REQUEST"}) {
			t.Errorf("notices to c: %v", got)
		}
		fx.checkPlaces()
	})
}

// TestApprovalAndModes: with approval, registrations wait for an organiser; a hybrid forum's
// modes have places of their own, and a seat moves only to a free one.
func TestApprovalAndModes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatHybrid)
		fx.configure(registration.SettingsInput{InPerson: seats(1), Online: seats(1), Approval: true})
		a, b := fx.person("a"), fx.person("b")
		ra := fx.register(a, form("academia", registration.ModeInPerson))
		rb := fx.register(b, form("academia", registration.ModeOnline))
		if ra.Status != registration.StatusPending || rb.Status != registration.StatusPending {
			t.Fatalf("approval: %s %s", ra.Status, rb.Status)
		}
		ctx := context.Background()
		if _, err := fx.svc.Approve(ctx, audit.Actor{}, fx.forum.ID+1, ra.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("approved through another forum: %v", err)
		}
		for _, id := range []int64{ra.ID, rb.ID} {
			if r, err := fx.svc.Approve(ctx, audit.Actor{}, fx.forum.ID, id); err != nil || r.Status != registration.StatusConfirmed {
				t.Fatalf("approve: %+v %v", r, err)
			}
		}
		if _, err := fx.svc.ChangeMode(ctx, ra.ID, registration.Holder{AccountID: a.AccountID}, registration.ModeOnline); !errors.Is(err, registration.ErrModeFull) {
			t.Fatalf("moved to a full mode: %v", err)
		}
		if _, err := fx.svc.Cancel(ctx, rb.ID, registration.Holder{AccountID: b.AccountID}); err != nil {
			t.Fatal(err)
		}
		r, err := fx.svc.ChangeMode(ctx, ra.ID, registration.Holder{AccountID: a.AccountID}, registration.ModeOnline)
		if err != nil || r.Mode != registration.ModeOnline || r.Status != registration.StatusConfirmed {
			t.Fatalf("move online: %+v %v", r, err)
		}
		if _, err := fx.svc.ChangeMode(ctx, ra.ID, registration.Holder{AccountID: a.AccountID}, "hologram"); !hasProblemField(err, "mode") {
			t.Fatalf("an unknown mode: %v", err)
		}
		c := fx.person("c")
		rc := fx.register(c, form("academia", registration.ModeInPerson))
		if r, err := fx.svc.Decline(ctx, audit.Actor{}, fx.forum.ID, rc.ID); err != nil || r.Status != registration.StatusDeclined {
			t.Fatalf("decline: %+v %v", r, err)
		}
		if _, _, err := fx.svc.Register(ctx, fx.forum.ID, c, form("academia", registration.ModeInPerson)); !errors.Is(err, registration.ErrDeclined) {
			t.Fatalf("declined, registered again: %v", err)
		}
		fx.checkPlaces()
	})
}

func hasProblemField(err error, field string) bool {
	var p interface{ Fields() validate.Errors }
	if errors.As(err, &p) {
		return p.Fields().Has(field)
	}
	return false
}

// TestWindowAndForm: registration opens and closes at its times; each rule of the form names
// its field.
func TestWindowAndForm(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatHybrid)
		ctx := context.Background()
		o := fx.person("a")
		if _, _, err := fx.svc.Register(ctx, fx.forum.ID, o, form("academia", registration.ModeOnline)); !errors.Is(err, registration.ErrNoRegistration) {
			t.Fatalf("registered where registration is not offered: %v", err)
		}
		opens, closes := fx.clk.Now().Add(time.Hour), fx.clk.Now().Add(48*time.Hour)
		c := fx.configure(registration.SettingsInput{OpensAt: &opens, ClosesAt: &closes, Questions: []registration.QuestionInput{
			{Kind: registration.KindSingle, Label: translated.Text{"es": "¿Sector?", "en": "Sector?"}, Required: true,
				Options: []translated.Text{{"es": "Público", "en": "Public"}, {"es": "Privado", "en": "Private"}}},
			{Kind: registration.KindLongText, Label: translated.Text{"es": "Expectativas", "en": "Expectations"}}}})
		q := c.Questions[0].ID
		if _, _, err := fx.svc.Register(ctx, fx.forum.ID, o, form("academia", registration.ModeOnline)); !errors.Is(err, registration.ErrNotOpen) {
			t.Fatalf("registered before it opens: %v", err)
		}
		fx.clk.Advance(2 * time.Hour)
		good := form("academia", registration.ModeOnline)
		good.Answers = map[int64][]string{q: {"1"}}
		cases := []struct {
			name   string
			change func(*registration.Form)
			field  string
		}{
			{"no group", func(f *registration.Form) { f.Group = "" }, "stakeholder_group"},
			{"a group the process does not invite", func(f *registration.Form) { f.Group = "media" }, "stakeholder_group"},
			{"unknown mode", func(f *registration.Form) { f.Mode = "hologram" }, "mode"},
			{"unknown role", func(f *registration.Form) { f.Role = "king" }, "role"},
			{"unknown country", func(f *registration.Form) { f.Country = "XX" }, "country"},
			{"bad language", func(f *registration.Form) { f.Languages = []string{"español"} }, "languages"},
			{"unknown gender", func(f *registration.Form) { f.Gender = "robot" }, "gender"},
			{"no consent", func(f *registration.Form) { f.PrivacyVersion = "" }, "privacy"},
			{"an old notice", func(f *registration.Form) { f.PrivacyVersion = "2020-01-01" }, "privacy"},
			{"required question unanswered", func(f *registration.Form) { f.Answers = nil }, fmt.Sprint("answers.", q)},
			{"an option that is not there", func(f *registration.Form) { f.Answers = map[int64][]string{q: {"7"}} }, fmt.Sprint("answers.", q)},
			{"two answers to a single choice", func(f *registration.Form) { f.Answers = map[int64][]string{q: {"0", "1"}} }, fmt.Sprint("answers.", q)},
			{"an answer to no question", func(f *registration.Form) { f.Answers = map[int64][]string{q: {"0"}, 999: {"x"}} }, "answers.999"},
			{"control characters", func(f *registration.Form) { f.Organisation = "ACME\x00" }, "organisation"},
		}
		for _, tc := range cases {
			f := good
			f.Answers = map[int64][]string{q: {"1"}}
			tc.change(&f)
			_, _, err := fx.svc.Register(ctx, fx.forum.ID, o, f)
			if !hasField(err, tc.field) {
				t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
			}
		}
		guest := good
		guest.Name, guest.Email = "", "not an address"
		if _, _, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guest); !hasField(err, "name") || !hasField(err, "email") {
			t.Errorf("a guest without name and address: %v", err)
		}
		if n, _ := db.NewSelect().Model((*registration.Registration)(nil)).Count(ctx); n != 0 {
			t.Fatalf("refused forms wrote %d registrations", n)
		}
		r, _, err := fx.svc.Register(ctx, fx.forum.ID, o, good)
		if err != nil || r.Answers[q][0] != "1" {
			t.Fatalf("a good form: %+v %v", r, err)
		}
		fx.clk.Advance(48 * time.Hour)
		if _, _, err := fx.svc.Register(ctx, fx.forum.ID, fx.person("late"), good); !errors.Is(err, registration.ErrClosed) {
			t.Fatalf("registered after it closed: %v", err)
		}
	})
}

// TestGuests: a guest's registration waits for their address to be confirmed by the link,
// which then manages it.
func TestGuests(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		fx.configure(registration.SettingsInput{InPerson: seats(1)})
		ctx := context.Background()
		fx.register(fx.person("a"), form("academia", registration.ModeInPerson))
		g := form("civil_society", registration.ModeInPerson)
		g.Name, g.Email = "Invitada", "invitada@example.org"
		r, token, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "en"}, g)
		if err != nil || r.Status != registration.StatusPending || token == "" || r.AccountID != nil {
			t.Fatalf("guest: %+v %q %v", r, token, err)
		}
		if got := fx.sent.of(r.ID); !slices.Equal(got, []string{"guest_link/"}) {
			t.Errorf("guest notices %v", got)
		}
		if _, err := fx.svc.ConfirmGuest(ctx, "forged"); !errors.Is(err, registration.ErrBadLink) {
			t.Fatalf("a forged link: %v", err)
		}
		c, err := fx.svc.ConfirmGuest(ctx, token)
		if err != nil || c.Status != registration.StatusWaitlisted || c.Position != 1 {
			t.Fatalf("confirmed guest: %+v %v", c, err)
		}
		if again, err := fx.svc.ConfirmGuest(ctx, token); err != nil || again.Status != registration.StatusWaitlisted {
			t.Fatalf("the link followed again: %+v %v", again, err)
		}
		if _, err := fx.svc.Cancel(ctx, r.ID, registration.Holder{Salt: "forged"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cancelled with a forged link: %v", err)
		}
		if _, err := fx.svc.Links.Holder(forged(token)); !errors.Is(err, registration.ErrBadLink) {
			t.Fatalf("a link with a forged MAC: %v", err)
		}
		who, err := fx.svc.Links.Holder(token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.Cancel(ctx, r.ID, who); err != nil {
			t.Fatal(err)
		}
	})
}

// TestErase: erasing a person frees their seat for the next in line and leaves only what the
// aggregates count.
func TestErase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		fx.configure(registration.SettingsInput{InPerson: seats(1)})
		a, b := fx.person("a"), fx.person("b")
		f := form("academia", registration.ModeInPerson)
		f.Organisation, f.Accessibility, f.Gender = "UNAM", "Silla de ruedas", "woman"
		ra := fx.register(a, f)
		rb := fx.register(b, form("academia", registration.ModeInPerson))
		ctx := context.Background()
		p := registration.Personal{Notifier: fx.sent}
		exported, err := p.Export(ctx, db.DB, a.AccountID, a.Email)
		if err != nil || len(exported.([]registration.Registration)) != 1 {
			t.Fatalf("export: %+v %v", exported, err)
		}
		if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return p.Erase(ctx, tx, fx.clk.Now(), a.AccountID, a.Email)
		}); err != nil {
			t.Fatal(err)
		}
		gone := fx.reload(ra.ID)
		if gone.Name != "" || gone.Email != "" || gone.Organisation != "" || gone.Accessibility != "" || gone.AccountID != nil ||
			gone.Status != registration.StatusCancelled || gone.Group != "academia" || gone.Gender != "woman" {
			t.Fatalf("erased: %+v", gone)
		}
		if r := fx.reload(rb.ID); r.Status != registration.StatusConfirmed {
			t.Fatalf("the freed seat waits: %s", r.Status)
		}
		if got := fx.sent.of(ra.ID); !slices.Equal(got, []string{"confirmed/REQUEST"}) {
			t.Errorf("an erased person was written to: %v", got)
		}
		fx.checkPlaces()
	})
}

// forged is token with its last character changed.
func forged(token string) string {
	last := "A"
	if strings.HasSuffix(token, last) {
		last = "B"
	}
	return token[:len(token)-1] + last
}
