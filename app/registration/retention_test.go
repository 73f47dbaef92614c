package registration_test

import (
	"context"
	"testing"
	"time"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestGuestsForgotten: as the privacy notice says, who a guest was (name, address,
// organisation, needs, answers) is kept until GuestRetention after their forum, then the sweep
// anonymises it, keeping what aggregates count; registrations of accounts are their owners' to
// erase, and stay; a guest's link stops working at the same time.
func TestGuestsForgotten(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, forums.FormatInPerson)
		fx.configure(registration.SettingsInput{})
		ctx := context.Background()
		member := fx.register(fx.person("socia"), form("academia", registration.ModeInPerson))
		g := form("civil_society", registration.ModeInPerson)
		g.Name, g.Email, g.Organisation, g.Accessibility = "Invitada", "invitada@example.org", "R3D", "Intérprete de LSM"
		guest, _, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, g)
		if err != nil {
			t.Fatal(err)
		}
		read := func(id int64) registration.Registration {
			var r registration.Registration
			if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			return r
		}
		// The forum ends on 18 December 2026: the day before the period is over, nothing goes.
		fx.clk.Advance(time.Date(2026, 12, 18, 12, 0, 0, 0, time.UTC).Add(registration.GuestRetention).Sub(fx.clk.Now()))
		if _, err := fx.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if r := read(guest.ID); r.Name != "Invitada" || r.Email != "invitada@example.org" {
			t.Fatalf("forgotten too soon: %+v", r)
		}
		fx.clk.Advance(2 * 24 * time.Hour)
		if _, err := fx.svc.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		r := read(guest.ID)
		if r.Name != "" || r.Email != "" || r.Organisation != "" || r.Accessibility != "" || r.LinkSalt != nil || len(r.Answers) != 0 {
			t.Fatalf("the guest is still known: %+v", r)
		}
		if r.Group != "civil_society" || r.Mode != registration.ModeInPerson {
			t.Fatalf("what aggregates count went too: %+v", r)
		}
		if m := read(member.ID); m.Name == "" || m.AccountID == nil {
			t.Fatalf("an account's registration was forgotten: %+v", m)
		}
	})
}
