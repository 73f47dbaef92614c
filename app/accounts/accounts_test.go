package accounts_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

const (
	passphrase = "a long passphrase"
	baseURL    = "https://convene.example"
)

// notice is one queued notification; outbox records them in memory (a recorder, not a mock of
// the database: the accounts themselves live in the real one).
type notice struct {
	to, lang, kind string
	data           map[string]any
}

type outbox struct {
	mu   sync.Mutex
	sent []notice
}

func (o *outbox) Notify(_ context.Context, _ bun.IDB, to, lang, kind string, data map[string]any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, notice{to, lang, kind, data})
	return nil
}

func (o *outbox) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)
}

func (o *outbox) last(t *testing.T) notice {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.sent) == 0 {
		t.Fatal("nothing was notified")
	}
	return o.sent[len(o.sent)-1]
}

// tokenOf extracts the token of a mailed link.
func tokenOf(t *testing.T, n notice) string {
	t.Helper()
	link, _ := n.data["Link"].(string)
	i := strings.LastIndexByte(link, '/')
	if i < 0 {
		t.Fatalf("no link in %+v", n)
	}
	return link[i+1:]
}

type fixture struct {
	db  *storetest.DB
	clk *clock.Fixed
	out *outbox
	svc *accounts.Service
}

func newFixture(db *storetest.DB) *fixture {
	clk := clock.NewFixed(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	out := &outbox{}
	return &fixture{db: db, clk: clk, out: out, svc: &accounts.Service{
		DB: db.DB, Clock: clk, Hasher: accounts.NewHasher(2, accounts.TestCost()), Notifier: out, BaseURL: baseURL,
		Personal:  []accounts.Holder{{Name: "role_grants", Data: access.Personal{}}, {Name: "mail", Data: mail.Personal{}}},
		LoginIdle: time.Hour, LoginAbsolute: 24 * time.Hour,
	}}
}

// count returns the rows of table.
func (f *fixture) count(t *testing.T, table string) int {
	t.Helper()
	n, err := f.db.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// account creates a verified account whose password is passphrase.
func (f *fixture) account(t *testing.T, email string, admin bool) accounts.Account {
	t.Helper()
	a, err := f.svc.CreateAccount(context.Background(), f.db.DB, accounts.CreateInput{Email: email, Name: strings.ToUpper(email[:1]), Password: passphrase, Admin: admin})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// signUp signs email up and returns the token of its verification link.
func (f *fixture) signUp(t *testing.T, email string) string {
	t.Helper()
	err := f.svc.SignUp(context.Background(), accounts.SignUpInput{Email: email, Name: "Someone", Password: passphrase, PasswordConfirm: passphrase, Language: "es", AcceptPrivacy: true})
	if err != nil {
		t.Fatal(err)
	}
	n := f.out.last(t)
	if n.kind != "verify_email" || n.to != email || n.lang != "es" || n.data["Hours"] != 48 {
		t.Fatalf("sign-up of %s notified %+v", email, n)
	}
	return tokenOf(t, n)
}

func (f *fixture) signIn(t *testing.T, email, userAgent string) string {
	t.Helper()
	token, _, err := f.svc.SignIn(context.Background(), email, passphrase, userAgent, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// fieldCode returns the message id of field in err, or "" when err names no such field.
func fieldCode(err error, field string) string {
	es, _ := validate.As(err)
	if p, ok := problem.As(err); ok {
		es = p.Fields()
	}
	for _, e := range es {
		if e.Field == field {
			return e.Code
		}
	}
	return ""
}

func TestSignUpRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		f := newFixture(db)
		good := accounts.SignUpInput{Email: "ana@example.org", Name: "Ana", Password: passphrase, PasswordConfirm: passphrase, Language: "es", AcceptPrivacy: true}
		cases := []struct {
			name   string
			change func(*accounts.SignUpInput)
			field  string
			code   string
		}{
			{"blank name", func(in *accounts.SignUpInput) { in.Name = "  " }, "name", validate.Required},
			{"long name", func(in *accounts.SignUpInput) { in.Name = strings.Repeat("n", 201) }, "name", validate.TooLong},
			{"blank email", func(in *accounts.SignUpInput) { in.Email = "" }, "email", validate.Required},
			{"long email", func(in *accounts.SignUpInput) { in.Email = strings.Repeat("a", 243) + "@example.org" }, "email", validate.TooLong},
			{"no at", func(in *accounts.SignUpInput) { in.Email = "ana.example.org" }, "email", accounts.CodeEmailInvalid},
			{"no domain dot", func(in *accounts.SignUpInput) { in.Email = "ana@localhost" }, "email", accounts.CodeEmailInvalid},
			{"display name form", func(in *accounts.SignUpInput) { in.Email = "Ana <ana@example.org>" }, "email", accounts.CodeEmailInvalid},
			{"blank password", func(in *accounts.SignUpInput) { in.Password, in.PasswordConfirm = "", "" }, "password", validate.Required},
			{"short password", func(in *accounts.SignUpInput) { in.Password, in.PasswordConfirm = "123456789", "123456789" }, "password", accounts.CodePasswordShort},
			{"short in characters, long in bytes", func(in *accounts.SignUpInput) {
				in.Password, in.PasswordConfirm = "ñññññññññ", "ñññññññññ"
			}, "password", accounts.CodePasswordShort},
			{"long password", func(in *accounts.SignUpInput) {
				in.Password = strings.Repeat("p", 129)
				in.PasswordConfirm = in.Password
			}, "password", accounts.CodePasswordLong},
			{"password is the email", func(in *accounts.SignUpInput) { in.Password, in.PasswordConfirm = "ANA@example.org", "ANA@example.org" }, "password", accounts.CodePasswordIsEmail},
			{"confirmation differs", func(in *accounts.SignUpInput) { in.PasswordConfirm = "something else" }, "password_confirm", accounts.CodePasswordMismatch},
			{"no language", func(in *accounts.SignUpInput) { in.Language = "" }, "language", accounts.CodeLanguage},
			{"other language", func(in *accounts.SignUpInput) { in.Language = "pt" }, "language", accounts.CodeLanguage},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := good
				tc.change(&in)
				err := f.svc.SignUp(context.Background(), in)
				if got := fieldCode(err, tc.field); got != tc.code {
					t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
				}
				if f.count(t, "accounts") != 0 || f.count(t, "account_tokens") != 0 || f.out.len() != 0 {
					t.Fatal("an invalid sign-up wrote something")
				}
			})
		}
	})
}

func TestSignUpTwiceRevealsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		f.signUp(t, "ana@example.org")
		again := accounts.SignUpInput{Email: " ANA@example.org ", Name: "Impostor", Password: "another passphrase", PasswordConfirm: "another passphrase", Language: "en", AcceptPrivacy: true}
		if err := f.svc.SignUp(ctx, again); err != nil {
			t.Fatalf("a second sign-up must answer as the first: %v", err)
		}
		if f.count(t, "accounts") != 1 || f.count(t, "account_tokens") != 1 {
			t.Fatal("a second sign-up wrote rows")
		}
		a, err := accounts.ByEmail(ctx, db.DB, "ana@example.org")
		if err != nil || a.Name != "Someone" || a.Language != "es" {
			t.Fatalf("the account changed: %v %+v", err, a)
		}
		n := f.out.last(t)
		want := map[string]any{"Name": "Someone", "SignInLink": baseURL + "/signin", "ResetLink": baseURL + "/reset"}
		if n.kind != "account_exists" || n.to != "ana@example.org" || n.lang != "es" || !sameData(n.data, want) {
			t.Fatalf("notice %+v", n)
		}
	})
}

func sameData(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestVerifyEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		cases := []struct {
			name string
			// token runs the case's steps before the verification and returns the token to use.
			token func(t *testing.T, email string) string
			ok    bool
		}{
			{"fresh link", func(t *testing.T, email string) string { return f.signUp(t, email) }, true},
			{"just before expiry", func(t *testing.T, email string) string {
				tok := f.signUp(t, email)
				f.clk.Advance(48*time.Hour - time.Second)
				return tok
			}, true},
			{"expired", func(t *testing.T, email string) string {
				tok := f.signUp(t, email)
				f.clk.Advance(48 * time.Hour)
				return tok
			}, false},
			{"used twice", func(t *testing.T, email string) string {
				tok := f.signUp(t, email)
				if _, err := f.svc.VerifyEmail(ctx, tok); err != nil {
					t.Fatal(err)
				}
				return tok
			}, false},
			{"older link after the newer was used", func(t *testing.T, email string) string {
				old := f.signUp(t, email)
				if err := f.svc.ResendVerification(ctx, email); err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.VerifyEmail(ctx, tokenOf(t, f.out.last(t))); err != nil {
					t.Fatal(err)
				}
				return old
			}, false},
			{"unknown", func(t *testing.T, email string) string { return "not-a-token" }, false},
			{"a reset link", func(t *testing.T, email string) string {
				f.account(t, email, false)
				if err := f.svc.RequestPasswordReset(ctx, email); err != nil {
					t.Fatal(err)
				}
				return tokenOf(t, f.out.last(t))
			}, false},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				email := string(rune('a'+i)) + "@example.org"
				a, err := f.svc.VerifyEmail(ctx, tc.token(t, email))
				if !tc.ok {
					if !errors.Is(err, accounts.ErrTokenInvalid) {
						t.Fatalf("err = %v, want ErrTokenInvalid", err)
					}
					return
				}
				if err != nil || a.Email != email || a.EmailVerifiedAt == nil || !a.EmailVerifiedAt.Equal(f.clk.Now()) {
					t.Fatalf("VerifyEmail = %+v, %v", a, err)
				}
				if stored, _ := accounts.ByEmail(ctx, db.DB, email); stored.EmailVerifiedAt == nil {
					t.Fatal("verification not stored")
				}
			})
		}
	})
}

func TestResendVerification(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		f.signUp(t, "new@example.org")
		f.account(t, "done@example.org", false)
		cases := []struct {
			name, email string
			sends       bool
		}{
			{"unverified", "New@example.org", true},
			{"verified", "done@example.org", false},
			{"unknown", "ghost@example.org", false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.out.len()
				if err := f.svc.ResendVerification(ctx, tc.email); err != nil {
					t.Fatal(err)
				}
				if sent := f.out.len() > before; sent != tc.sends {
					t.Fatalf("sent = %v, want %v", sent, tc.sends)
				}
				if tc.sends {
					n := f.out.last(t)
					if n.kind != "verify_email" || n.data["Hours"] != 48 || !strings.HasPrefix(n.data["Link"].(string), baseURL+"/verify/") {
						t.Fatalf("notice %+v", n)
					}
				}
			})
		}
	})
}

func TestSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		f.account(t, "ana@example.org", false)
		f.signUp(t, "new@example.org")
		cases := []struct {
			name, email, password string
			want                  error
		}{
			{"right", "ana@example.org", passphrase, nil},
			{"right, any case and spaces", " ANA@example.org ", passphrase, nil},
			{"wrong password", "ana@example.org", "not the passphrase", accounts.ErrBadCredentials},
			{"unknown email", "nobody@example.org", passphrase, accounts.ErrBadCredentials},
			{"unverified, right password", "new@example.org", passphrase, accounts.ErrNotVerified},
			{"unverified, wrong password", "new@example.org", "not the passphrase", accounts.ErrBadCredentials},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.count(t, "logins")
				token, a, err := f.svc.SignIn(ctx, tc.email, tc.password, "test", "", nil)
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				opened := f.count(t, "logins") - before
				if tc.want != nil {
					if token != "" || a.ID != 0 || opened != 0 {
						t.Fatalf("a refused sign-in returned %q %+v and opened %d logins", token, a, opened)
					}
					return
				}
				if a.Email != "ana@example.org" || opened != 1 {
					t.Fatalf("signed in as %+v, %d logins opened", a, opened)
				}
				if got, _, err := f.svc.Authenticate(ctx, token); err != nil || got.ID != a.ID {
					t.Fatalf("the new login: %+v %v", got, err)
				}
			})
		}
	})
}

func TestLoginTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "c@example.org", false)
		first := f.signIn(t, a.Email, "browser one")
		if len(first) < 43 {
			t.Fatalf("token %q shorter than 256 bits", first)
		}
		var stored string
		if err := db.NewSelect().Table("logins").Column("token_hash").Scan(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		if stored == first || len(stored) != 64 {
			t.Fatalf("stored %q: want the sha256 hex of the token, never the token", stored)
		}
		// Signing in again from the same browser rotates: the old token dies.
		second, _, err := f.svc.SignIn(ctx, a.Email, passphrase, "browser one", first, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, first); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("previous token after rotation: %v", err)
		}
		if f.count(t, "logins") != 1 {
			t.Fatal("rotation left the previous login behind")
		}
		if _, _, err := f.svc.Authenticate(ctx, "unknown"); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("unknown token: %v", err)
		}
		if err := f.svc.SignOut(ctx, second); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, second); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("token after sign-out: %v", err)
		}
	})
}

func TestLoginExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "c@example.org", false)
		idle := f.signIn(t, a.Email, "idle")
		steps := []struct {
			name    string
			advance time.Duration
			ok      bool
			seenAgo time.Duration // how long before now last_seen_at is afterwards
		}{
			{"fresh", 0, true, 0},
			{"seconds later: not touched", 30 * time.Second, true, 30 * time.Second},
			{"within idle: touched", 50 * time.Minute, true, 0},
			{"used again within idle", 59 * time.Minute, true, 0},
			{"idle too long", time.Hour, false, 0},
			{"and gone for good", 0, false, 0},
		}
		for _, st := range steps {
			f.clk.Advance(st.advance)
			_, l, err := f.svc.Authenticate(ctx, idle)
			if (err == nil) != st.ok {
				t.Fatalf("%s: err = %v, want ok=%v", st.name, err, st.ok)
			}
			if !st.ok {
				continue
			}
			var stored time.Time
			if err := db.NewSelect().Table("logins").Column("last_seen_at").Where("id = ?", l.ID).Scan(ctx, &stored); err != nil || !stored.Equal(f.clk.Now().Add(-st.seenAgo)) {
				t.Fatalf("%s: last seen %v (%v) at %v, want %v before", st.name, stored, err, f.clk.Now(), st.seenAgo)
			}
		}
		if f.count(t, "logins") != 0 {
			t.Fatal("the expired login was not deleted")
		}
		// Absolute expiry even when used all the time.
		busy := f.signIn(t, a.Email, "busy")
		for elapsed := time.Duration(0); elapsed < 24*time.Hour-time.Hour; elapsed += 59 * time.Minute {
			f.clk.Advance(59 * time.Minute)
			if _, _, err := f.svc.Authenticate(ctx, busy); err != nil {
				t.Fatalf("after %v: %v", elapsed+59*time.Minute, err)
			}
		}
		f.clk.Advance(59 * time.Minute)
		if _, _, err := f.svc.Authenticate(ctx, busy); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("a login older than the absolute limit still works: %v", err)
		}
	})
}

func TestListAndEndLogins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		ana, bea := f.account(t, "ana@example.org", false), f.account(t, "bea@example.org", false)
		stale := f.signIn(t, ana.Email, "stale browser")
		f.clk.Advance(2 * time.Hour) // past the idle limit, not yet deleted
		f.signIn(t, ana.Email, "laptop")
		f.clk.Advance(time.Minute)
		phone := f.signIn(t, ana.Email, "phone")
		f.signIn(t, bea.Email, "bea's")
		list, err := f.svc.ListLogins(ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].UserAgent != "phone" || list[1].UserAgent != "laptop" {
			t.Fatalf("ListLogins = %+v, want phone then laptop", list)
		}
		beas, _ := f.svc.ListLogins(ctx, bea.ID)
		cases := []struct {
			name      string
			account   int64
			login     int64
			wantErr   error
			endsPhone bool
		}{
			{"another person's login", bea.ID, list[0].ID, store.ErrNotFound, false},
			{"my login through another's id", ana.ID, beas[0].ID, store.ErrNotFound, false},
			{"my own", ana.ID, list[0].ID, nil, true},
			{"already ended", ana.ID, list[0].ID, store.ErrNotFound, true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				if err := f.svc.EndLogin(ctx, tc.account, tc.login); !errors.Is(err, tc.wantErr) {
					t.Fatalf("EndLogin = %v, want %v", err, tc.wantErr)
				}
				_, _, err := f.svc.Authenticate(ctx, phone)
				if ended := err != nil; ended != tc.endsPhone {
					t.Fatalf("phone login ended = %v (%v), want %v", ended, err, tc.endsPhone)
				}
			})
		}
		if _, _, err := f.svc.Authenticate(ctx, stale); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("stale login: %v", err)
		}
		if err := accounts.EndAllLogins(ctx, db.DB, ana.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := f.svc.ListLogins(ctx, ana.ID); len(list) != 0 {
			t.Fatalf("logins after EndAllLogins: %+v", list)
		}
		if list, _ := f.svc.ListLogins(ctx, bea.ID); len(list) != 1 {
			t.Fatal("EndAllLogins ended another person's login")
		}
	})
}

func TestUpdateProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "ana@example.org", false)
		cases := []struct {
			name  string
			in    accounts.ProfileInput
			field string
			code  string
		}{
			{"everything", accounts.ProfileInput{Name: " Ana María ", Language: "en", TimeZone: "America/Mexico_City"}, "", ""},
			{"defaults", accounts.ProfileInput{Name: "Ana", Language: "", TimeZone: ""}, "", ""},
			{"blank name", accounts.ProfileInput{Name: " "}, "name", validate.Required},
			{"long name", accounts.ProfileInput{Name: strings.Repeat("n", 201)}, "name", validate.TooLong},
			{"unknown language", accounts.ProfileInput{Name: "Ana", Language: "fr"}, "language", accounts.CodeLanguage},
			{"unknown zone", accounts.ProfileInput{Name: "Ana", TimeZone: "Mars/Olympus"}, "time_zone", validate.TimeZoneCode},
			{"the server's zone", accounts.ProfileInput{Name: "Ana", TimeZone: "Local"}, "time_zone", validate.TimeZoneCode},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before, _ := accounts.ByID(ctx, db.DB, a.ID)
				err := f.svc.UpdateProfile(ctx, a.ID, tc.in)
				after, _ := accounts.ByID(ctx, db.DB, a.ID)
				if tc.field != "" {
					if got := fieldCode(err, tc.field); got != tc.code {
						t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
					}
					if after.Name != before.Name || after.Language != before.Language || after.TimeZone != before.TimeZone {
						t.Fatal("a refused update changed the account")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if after.Name != strings.TrimSpace(tc.in.Name) || after.Language != tc.in.Language || after.TimeZone != tc.in.TimeZone {
					t.Fatalf("stored %+v", after)
				}
			})
		}
		if err := f.svc.UpdateProfile(ctx, 999, accounts.ProfileInput{Name: "Nobody"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
	})
}
