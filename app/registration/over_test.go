package registration_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store/storetest"
)

// TestAfterTheForum: once a forum is over its registrations no longer change at their holders'
// wish (a cancellation after the event promoted and mailed the next in line), a seat given back
// then seats nobody, and a guest's link is gone LinkLife after the end.
func TestAfterTheForum(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		fx := newFixture(t, db, "in_person")
		fx.configure(registration.SettingsInput{InPerson: seats(1)})
		ctx := context.Background()
		held, token, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guestForm("Guest", "held@example.org"))
		if err != nil {
			t.Fatal(err)
		}
		if held, err = fx.svc.ConfirmGuest(ctx, token); err != nil || held.Status != registration.StatusConfirmed {
			t.Fatalf("confirming: %+v %v", held, err)
		}
		waiting := fx.register(fx.person("waiting"), form("academia", registration.ModeInPerson))
		who, err := fx.svc.Links.Holder(token)
		if err != nil {
			t.Fatal(err)
		}
		_, keptToken, err := fx.svc.Register(ctx, fx.forum.ID, registration.Owner{Language: "es"}, guestForm("Kept", "kept@example.org"))
		if err != nil {
			t.Fatal(err)
		}
		kept, err := fx.svc.Links.Holder(keptToken)
		if err != nil {
			t.Fatal(err)
		}
		zone, _ := time.LoadLocation(fx.forum.TimeZone)
		last, _ := time.ParseInLocation(time.DateOnly, fx.forum.EndsOn, zone)
		fx.clk.Advance(last.AddDate(0, 0, 2).Sub(fx.clk.Now()))
		if _, err := fx.svc.Cancel(ctx, held.ID, who); !errors.Is(err, registration.ErrOver) {
			t.Fatalf("cancelling by the guest's link after the forum: %v, want ErrOver", err)
		}
		if _, err := fx.svc.ChangeMode(ctx, waiting.ID, registration.Holder{AccountID: *waiting.AccountID}, registration.ModeOnline); !errors.Is(err, registration.ErrOver) {
			t.Fatalf("changing mode after the forum: %v, want ErrOver", err)
		}
		before := len(fx.sent.of(waiting.ID))
		if err := (registration.Personal{Notifier: fx.sent}).Erase(ctx, db.DB, fx.clk.Now(), 0, "held@example.org"); err != nil {
			t.Fatal(err)
		}
		if got := fx.reload(waiting.ID); got.Status != registration.StatusWaitlisted || len(fx.sent.of(waiting.ID)) != before {
			t.Fatalf("the next in line after a seat was given back after the forum: %s, notices %v", got.Status, fx.sent.of(waiting.ID))
		}
		if _, err := registration.ByLink(ctx, db.DB, fx.clk.Now(), kept); err != nil {
			t.Fatalf("the link just after the forum: %v", err)
		}
		if _, err := fx.svc.ConfirmGuest(ctx, keptToken); !errors.Is(err, registration.ErrOver) {
			t.Fatalf("confirming an address after the forum: %v, want ErrOver", err)
		}
		fx.clk.Advance(registration.LinkLife)
		if _, err := registration.ByLink(ctx, db.DB, fx.clk.Now(), kept); !errors.Is(err, registration.ErrBadLink) {
			t.Fatalf("the link %v after the forum: %v, want ErrBadLink", registration.LinkLife, err)
		}
	})
}
