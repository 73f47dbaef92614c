package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/validate"
)

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "d@example.org", false)
		other := f.signIn(t, a.Email, "other browser")
		cases := []struct {
			name                   string
			current, new, confirm  string
			field, code            string
			badCredentials, worked bool
		}{
			{"no current password", "", "another passphrase", "another passphrase", "current_password", validate.Required, false, false},
			{"wrong current password", "wrong current", "another passphrase", "another passphrase", "current_password", accounts.CodeBadCredentials, false, false},
			{"new one too short", passphrase, "short", "short", "password", accounts.CodePasswordShort, false, false},
			{"new one is the email", passphrase, "D@example.org", "D@example.org", "password", accounts.CodePasswordIsEmail, false, false},
			{"confirmation differs", passphrase, "another passphrase", "another", "password_confirm", accounts.CodePasswordMismatch, false, false},
			{"right", passphrase, "another passphrase", "another passphrase", "", "", false, true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.out.len()
				mine, err := f.svc.ChangePassword(ctx, a.ID, tc.current, tc.new, tc.confirm, "this browser")
				if errors.Is(err, accounts.ErrBadCredentials) != tc.badCredentials {
					t.Fatalf("err = %v, want ErrBadCredentials: %v", err, tc.badCredentials)
				}
				if !tc.worked {
					if got := fieldCode(err, tc.field); got != tc.code {
						t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
					}
					if _, _, err := f.svc.Authenticate(ctx, other); err != nil || f.out.len() != before {
						t.Fatalf("a refused change ended a login (%v) or notified", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := f.svc.Authenticate(ctx, other); !errors.Is(err, accounts.ErrTokenInvalid) {
					t.Fatalf("another login survived the password change: %v", err)
				}
				if _, _, err := f.svc.Authenticate(ctx, mine); err != nil {
					t.Fatalf("the new login of the changing browser: %v", err)
				}
				n := f.out.last(t)
				if n.kind != "password_changed" || n.to != a.Email || n.data["ResetLink"] != baseURL+"/reset" {
					t.Fatalf("notice %+v", n)
				}
				stored, _ := accounts.ByID(ctx, db.DB, a.ID)
				if !stored.PasswordChangedAt.Equal(f.clk.Now()) {
					t.Fatalf("password_changed_at %v", stored.PasswordChangedAt)
				}
				if _, _, err := f.svc.SignIn(ctx, a.Email, "another passphrase", "", "", nil); err != nil {
					t.Fatalf("sign-in with the new password: %v", err)
				}
			})
		}
	})
}

func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "d@example.org", false)
		login := f.signIn(t, a.Email, "browser")

		if err := f.svc.RequestPasswordReset(ctx, "ghost@example.org"); err != nil || f.out.len() != 0 {
			t.Fatalf("reset for an unknown address: %v, %d notices", err, f.out.len())
		}
		if err := f.svc.RequestPasswordReset(ctx, "not an address"); fieldCode(err, "email") != accounts.CodeEmailInvalid {
			t.Fatalf("reset for a malformed address: %v", err)
		}
		if err := f.svc.RequestPasswordReset(ctx, "D@example.org"); err != nil {
			t.Fatal(err)
		}
		n := f.out.last(t)
		if n.kind != "password_reset" || n.to != a.Email || n.data["Minutes"] != 60 || !strings.HasPrefix(n.data["Link"].(string), baseURL+"/reset/") {
			t.Fatalf("notice %+v", n)
		}
		older := tokenOf(t, n)
		if err := f.svc.RequestPasswordReset(ctx, a.Email); err != nil {
			t.Fatal(err)
		}
		token := tokenOf(t, f.out.last(t))

		refused := []struct {
			name, token, password, confirm string
			field, code                    string
		}{
			{"unknown link", "nope", "third passphrase", "third passphrase", "", ""},
			{"short", token, "short", "short", "password", accounts.CodePasswordShort},
			{"the email", token, "d@example.org", "d@example.org", "password", accounts.CodePasswordIsEmail},
			{"mismatch", token, "third passphrase", "third passphrasf", "password_confirm", accounts.CodePasswordMismatch},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.ResetPassword(ctx, tc.token, tc.password, tc.confirm)
				if tc.field == "" {
					if !errors.Is(err, accounts.ErrTokenInvalid) {
						t.Fatalf("err = %v, want ErrTokenInvalid", err)
					}
					return
				}
				if got := fieldCode(err, tc.field); got != tc.code {
					t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
				}
			})
		}
		if _, _, err := f.svc.Authenticate(ctx, login); err != nil {
			t.Fatalf("a refused reset ended the login: %v", err)
		}
		// The refused attempts did not use the link up.
		got, err := f.svc.ResetPassword(ctx, token, "third passphrase", "third passphrase")
		if err != nil || got.ID != a.ID {
			t.Fatalf("reset: %+v %v", got, err)
		}
		if _, _, err := f.svc.Authenticate(ctx, login); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("a login survived the reset: %v", err)
		}
		if n := f.out.last(t); n.kind != "password_changed" || n.to != a.Email {
			t.Fatalf("notice %+v", n)
		}
		for name, tok := range map[string]string{"the used link": token, "an older link": older} {
			if _, err := f.svc.ResetPassword(ctx, tok, "fourth passphrase", "fourth passphrase"); !errors.Is(err, accounts.ErrTokenInvalid) {
				t.Fatalf("%s after the reset: %v", name, err)
			}
		}
		if _, _, err := f.svc.SignIn(ctx, a.Email, "third passphrase", "", "", nil); err != nil {
			t.Fatalf("sign-in with the reset password: %v", err)
		}

		// A link works for an hour.
		if err := f.svc.RequestPasswordReset(ctx, a.Email); err != nil {
			t.Fatal(err)
		}
		late := tokenOf(t, f.out.last(t))
		f.clk.Advance(time.Hour)
		if _, err := f.svc.ResetPassword(ctx, late, "fifth passphrase", "fifth passphrase"); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("expired reset link: %v", err)
		}
	})
}

// TestResetVerifies: following a reset link proves the address, so an account that never
// confirmed it may sign in afterwards.
func TestResetVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		f.signUp(t, "new@example.org")
		if err := f.svc.RequestPasswordReset(ctx, "new@example.org"); err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.ResetPassword(ctx, tokenOf(t, f.out.last(t)), "third passphrase", "third passphrase")
		if err != nil || a.EmailVerifiedAt == nil {
			t.Fatalf("reset: %+v %v", a, err)
		}
		if _, _, err := f.svc.SignIn(ctx, "new@example.org", "third passphrase", "", "", nil); err != nil {
			t.Fatalf("sign-in after the reset: %v", err)
		}
	})
}

// TestPasswordChangeEndsResetLinks: a reset link mailed before a password change cannot undo
// it afterwards.
func TestPasswordChangeEndsResetLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "ana@example.org", false)
		if err := f.svc.RequestPasswordReset(ctx, a.Email); err != nil {
			t.Fatal(err)
		}
		link := tokenOf(t, f.out.last(t))
		if _, err := f.svc.ChangePassword(ctx, a.ID, passphrase, "another passphrase", "another passphrase", "browser"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.CheckToken(ctx, link, accounts.PurposeReset); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("reset link after a password change: %v", err)
		}
		if _, err := f.svc.ResetPassword(ctx, link, "third passphrase", "third passphrase"); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("reset after a password change: %v", err)
		}
	})
}

// TestSignInThrottleCountsParallelAttempts: wrong passwords sent all at once are counted one by
// one before any is checked, so no more than the free few reach the hasher; a reset by mailed
// link ends the slowing down.
func TestSignInThrottleCountsParallelAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "ana@example.org", false)
		var mu sync.Mutex
		checked, throttled := 0, 0
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Go(func() {
				_, _, err := f.svc.SignIn(ctx, a.Email, fmt.Sprintf("guess number %d", i), "", "", nil)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, accounts.ErrBadCredentials):
					checked++
				case errors.Is(err, accounts.ErrThrottled):
					throttled++
				default:
					t.Errorf("attempt %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if checked > 6 || checked+throttled != 60 {
			t.Fatalf("%d passwords checked, %d throttled, of 60 sent at once", checked, throttled)
		}
		if _, _, err := f.svc.SignIn(ctx, a.Email, passphrase, "", "", nil); !errors.Is(err, accounts.ErrThrottled) {
			t.Fatalf("the right password during the wait: %v", err)
		}
		// A trusted browser is not slowed down.
		if _, _, err := f.svc.SignIn(ctx, a.Email, passphrase, "", "", func(accounts.Account) bool { return true }); err != nil {
			t.Fatalf("the owner's browser: %v", err)
		}
		// Guessing again, then a reset by mailed link: the new password works at once.
		for i := range 10 {
			_, _, _ = f.svc.SignIn(ctx, a.Email, fmt.Sprintf("again %d", i), "", "", nil)
		}
		if err := f.svc.RequestPasswordReset(ctx, a.Email); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ResetPassword(ctx, tokenOf(t, f.out.last(t)), "brand new passphrase", "brand new passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.SignIn(ctx, a.Email, "brand new passphrase", "", "", nil); err != nil {
			t.Fatalf("sign-in after a reset: %v", err)
		}
	})
}
