package registration_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/validate"
)

// guestForm is form for a guest with this name and address.
func guestForm(name, email string) registration.Form {
	f := form("civil_society", registration.ModeInPerson)
	f.Name, f.Email = name, email
	return f
}

// rowsWithEmail counts the forum's registrations stored with exactly this address.
func (fx *fixture) rowsWithEmail(email string) int {
	fx.t.Helper()
	n, err := fx.db.NewSelect().Model((*registration.Registration)(nil)).Where("forum_id = ? AND email = ?", fx.forum.ID, email).
		Count(context.Background())
	if err != nil {
		fx.t.Fatal(err)
	}
	return int(n)
}

// TestGuestAddressesAreCanonical: a guest's address is stored as one bare, lower-cased
// mailbox; comments, display names and control characters are refused naming the field; two
// spellings of one mailbox are one person, and asking again mails the link instead of
// answering differently.
func TestGuestAddressesAreCanonical(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, "in_person")
		fx.configure(registration.SettingsInput{InPerson: seats(10)})
		ctx := context.Background()
		for _, bad := range []string{"att@example.org(\r\nX)", "dup@example.org(1)", "Dup <dup@example.org>", "dup@example.org\x00",
			`"d p"@example.org`, "dup@@example.org", "dup@localhost"} {
			_, _, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guestForm("Guest", bad))
			if es, ok := validate.As(err); !ok || !es.Has("email") {
				t.Errorf("%q: %v, want a refusal naming email", bad, err)
			}
		}
		if n, _ := db.NewSelect().Model((*registration.Registration)(nil)).Count(ctx); n != 0 {
			t.Fatalf("refused addresses left %d registrations", n)
		}
		r, token, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guestForm("Guest", " Dup@Example.ORG "))
		if err != nil || token == "" || r.Email != "dup@example.org" {
			t.Fatalf("registered %+v %q %v, want dup@example.org with a link", r, token, err)
		}
		for _, again := range []string{"dup@example.org", "DUP@example.org"} {
			r2, token2, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guestForm("Someone else", again))
			if err != nil || token2 != "" || r2.ID != 0 {
				t.Fatalf("%s again: %+v %q %v, want the answer of a new guest (no error, nothing shown)", again, r2, token2, err)
			}
		}
		if n := fx.rowsWithEmail("dup@example.org"); n != 1 {
			t.Fatalf("%d registrations for one mailbox", n)
		}
		if got := fx.sent.of(r.ID); len(got) != 3 || got[1] != registration.NoticeGuestAgain+"/" || got[2] != registration.NoticeGuestAgain+"/" {
			t.Fatalf("notices to the mailbox: %v, want its link, then its link again twice", got)
		}
	})
}

// TestGuestRowWithMembersAddress: a guest registration typed with a member's address, never
// confirmed, does not shut the member out: the member's registration renews it as theirs. One
// the address confirmed is the member's already: it is handed over, and registering says so.
func TestGuestRowWithMembersAddress(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, "in_person")
		fx.configure(registration.SettingsInput{InPerson: seats(10)})
		ctx := context.Background()
		victim := fx.person("vict")
		planted, _, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guestForm("Attacker", victim.Email))
		if err != nil {
			t.Fatal(err)
		}
		r, _, err := fx.svc.Register(ctx, fx.forum.ID, victim, form("civil_society", registration.ModeInPerson))
		if err != nil {
			t.Fatalf("the member's own registration after a planted guest one: %v", err)
		}
		if r.Status != registration.StatusConfirmed || r.ID != planted.ID || r.AccountID == nil || *r.AccountID != victim.AccountID || r.LinkSalt != nil {
			t.Fatalf("the member's registration: %+v, want the planted row, confirmed, theirs, without the guest link", r)
		}
		if n := fx.rowsWithEmail(victim.Email); n != 1 {
			t.Fatalf("%d registrations for the member's address", n)
		}

		// A guest who proved the address before the account registered: the row is the account's.
		member := fx.person("claims")
		g, token, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guestForm("Claims", member.Email))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.ConfirmGuest(ctx, token); err != nil {
			t.Fatal(err)
		}
		_, _, err = fx.svc.Register(ctx, fx.forum.ID, member, form("civil_society", registration.ModeInPerson))
		if !errors.Is(err, registration.ErrRegistered) {
			t.Fatalf("registering over a confirmed guest registration with the same address: %v, want ErrRegistered", err)
		}
		mine, err := registration.Mine(ctx, db.DB, member.AccountID)
		if err != nil || len(mine) != 1 || mine[0].ID != g.ID || mine[0].Status != registration.StatusConfirmed {
			t.Fatalf("the account's registrations: %+v %v, want the guest one, handed over", mine, err)
		}
	})
}

// TestSamePersonOnTwoInstances: the same person registering through two instances at the same
// moment (two services, two batches of one) gets one place and one ErrRegistered, never the
// database's unique violation.
func TestSamePersonOnTwoInstances(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, "in_person")
		fx.configure(registration.SettingsInput{InPerson: seats(100)})
		ctx := context.Background()
		other := &registration.Service{DB: db.DB, Clock: fx.clk, Notifier: fx.sent, Links: fx.svc.Links}
		for range 15 {
			who := fx.person("twice")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, svc := range []*registration.Service{fx.svc, other} {
				wg.Go(func() {
					_, _, errs[i] = svc.Register(ctx, fx.forum.ID, who, form("academia", registration.ModeInPerson))
				})
			}
			wg.Wait()
			ok, refused := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, registration.ErrRegistered):
					refused++
				default:
					t.Fatalf("registering twice at once: %v", err)
				}
			}
			if ok != 1 || refused != 1 {
				t.Fatalf("%d placed and %d refused, want 1 and 1", ok, refused)
			}
		}
	})
}

// TestSameSessionPlaceTwiceAtOnce: reserving one capped session twice at the same moment gives
// one place and one ErrRegistered, never the database's unique violation.
func TestSameSessionPlaceTwiceAtOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, "in_person")
		fx.configure(registration.SettingsInput{InPerson: seats(100)})
		ctx := context.Background()
		session := fx.workshop(50)
		for range 10 {
			who := fx.person("twice")
			fx.register(who, form("academia", registration.ModeInPerson))
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Go(func() {
					_, _, errs[i] = fx.svc.RegisterSession(ctx, session.ID, registration.Holder{AccountID: who.AccountID})
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !errors.Is(err, registration.ErrRegistered):
					t.Fatalf("reserving twice at once: %v", err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d places from two requests, want 1", ok)
			}
		}
	})
}
