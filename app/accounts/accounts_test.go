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

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

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
		DB: db.DB, Clock: clk, Hasher: accounts.NewHasher(2), Notifier: out, BaseURL: "https://convene.example",
		LoginIdle: time.Hour, LoginAbsolute: 24 * time.Hour,
	}}
}

func (f *fixture) count(t *testing.T, table string) int {
	t.Helper()
	n, err := f.db.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func TestSignUpRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		f := newFixture(db)
		good := accounts.SignUpInput{Email: "ana@example.org", Name: "Ana", Password: "a long passphrase", PasswordConfirm: "a long passphrase", Language: "es"}
		cases := []struct {
			name   string
			change func(*accounts.SignUpInput)
			field  string
			code   string
		}{
			{"blank name", func(in *accounts.SignUpInput) { in.Name = "  " }, "name", validate.Required},
			{"long name", func(in *accounts.SignUpInput) { in.Name = strings.Repeat("n", 201) }, "name", validate.TooLong},
			{"blank email", func(in *accounts.SignUpInput) { in.Email = "" }, "email", validate.Required},
			{"no at", func(in *accounts.SignUpInput) { in.Email = "ana.example.org" }, "email", accounts.CodeEmailInvalid},
			{"no domain dot", func(in *accounts.SignUpInput) { in.Email = "ana@localhost" }, "email", accounts.CodeEmailInvalid},
			{"display name form", func(in *accounts.SignUpInput) { in.Email = "Ana <ana@example.org>" }, "email", accounts.CodeEmailInvalid},
			{"short password", func(in *accounts.SignUpInput) { in.Password, in.PasswordConfirm = "123456789", "123456789" }, "password", accounts.CodePasswordShort},
			{"long password", func(in *accounts.SignUpInput) {
				in.Password = strings.Repeat("p", 129)
				in.PasswordConfirm = in.Password
			}, "password", accounts.CodePasswordLong},
			{"password is the email", func(in *accounts.SignUpInput) { in.Password, in.PasswordConfirm = "ana@example.org", "ana@example.org" }, "password", accounts.CodePasswordIsEmail},
			{"confirmation differs", func(in *accounts.SignUpInput) { in.PasswordConfirm = "something else" }, "password_confirm", accounts.CodePasswordMismatch},
			{"language", func(in *accounts.SignUpInput) { in.Language = "pt" }, "language", accounts.CodeLanguage},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				in := good
				tc.change(&in)
				err := f.svc.SignUp(context.Background(), in)
				es, ok := validate.As(err)
				if !ok || !es.Has(tc.field) {
					t.Fatalf("err = %v, want a field error on %s", err, tc.field)
				}
				for _, e := range es {
					if e.Field == tc.field && e.Code != tc.code {
						t.Fatalf("code %s, want %s", e.Code, tc.code)
					}
				}
				if f.count(t, "accounts") != 0 || len(f.out.sent) != 0 {
					t.Fatal("invalid sign-up wrote something")
				}
			})
		}
	})
}

func TestSignUpVerifySignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		in := accounts.SignUpInput{Email: " Ana@Example.org ", Name: "Ana", Password: "a long passphrase", PasswordConfirm: "a long passphrase", Language: "en"}
		if err := f.svc.SignUp(ctx, in); err != nil {
			t.Fatal(err)
		}
		n := f.out.last(t)
		if n.kind != "verify_email" || n.to != "ana@example.org" || n.lang != "en" {
			t.Fatalf("notice %+v", n)
		}
		token := tokenOf(t, n)
		if _, _, err := f.svc.SignIn(ctx, "ana@example.org", "a long passphrase", "test", ""); !errors.Is(err, accounts.ErrNotVerified) {
			t.Fatalf("unverified sign-in: %v", err)
		}
		// A second sign-up with the same address creates nothing and tells the owner.
		if err := f.svc.SignUp(ctx, in); err != nil {
			t.Fatal(err)
		}
		if f.count(t, "accounts") != 1 || f.out.last(t).kind != "account_exists" {
			t.Fatalf("duplicate sign-up: %d accounts, last notice %s", f.count(t, "accounts"), f.out.last(t).kind)
		}
		if _, err := f.svc.VerifyEmail(ctx, "not-a-token"); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("unknown token: %v", err)
		}
		a, err := f.svc.VerifyEmail(ctx, token)
		if err != nil || a.EmailVerifiedAt == nil {
			t.Fatalf("verify: %v %+v", err, a)
		}
		if _, err := f.svc.VerifyEmail(ctx, token); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("reused token: %v", err)
		}
		cases := []struct {
			name, email, password string
			want                  error
		}{
			{"wrong password", "ana@example.org", "not the passphrase", accounts.ErrBadCredentials},
			{"unknown email", "nobody@example.org", "a long passphrase", accounts.ErrBadCredentials},
			{"right, any case", "ANA@example.org", "a long passphrase", nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := f.svc.SignIn(ctx, tc.email, tc.password, "test", "")
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
			})
		}
	})
}

func TestVerificationExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		if err := f.svc.SignUp(ctx, accounts.SignUpInput{Email: "b@example.org", Name: "B", Password: "a long passphrase", PasswordConfirm: "a long passphrase", Language: "es"}); err != nil {
			t.Fatal(err)
		}
		token := tokenOf(t, f.out.last(t))
		f.clk.Advance(49 * time.Hour)
		if _, err := f.svc.VerifyEmail(ctx, token); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("expired token: %v", err)
		}
		if err := f.svc.ResendVerification(ctx, "b@example.org"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.VerifyEmail(ctx, tokenOf(t, f.out.last(t))); err != nil {
			t.Fatalf("new token: %v", err)
		}
		before := len(f.out.sent)
		if err := f.svc.ResendVerification(ctx, "b@example.org"); err != nil || len(f.out.sent) != before {
			t.Fatalf("resend to a verified account sent mail: %v", err)
		}
	})
}

func TestLogins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a, err := f.svc.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: "c@example.org", Name: "C", Password: "a long passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		first, _, err := f.svc.SignIn(ctx, a.Email, "a long passphrase", "browser one", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(first) < 43 {
			t.Fatalf("token %q shorter than 256 bits", first)
		}
		// Signing in again from the same browser rotates: the old token dies.
		second, _, err := f.svc.SignIn(ctx, a.Email, "a long passphrase", "browser one", first)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, first); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("previous token after rotation: %v", err)
		}
		var stored string
		if err := db.NewSelect().Table("logins").Column("token_hash").Limit(1).Scan(ctx, &stored); err != nil {
			t.Fatal(err)
		}
		if stored == second {
			t.Fatal("the plain token is stored")
		}
		steps := []struct {
			name    string
			advance time.Duration
			ok      bool
		}{
			{"fresh", 0, true},
			{"within idle", 50 * time.Minute, true},
			{"used again within idle", 50 * time.Minute, true},
			{"idle too long", 61 * time.Minute, false},
		}
		for _, st := range steps {
			f.clk.Advance(st.advance)
			_, _, err := f.svc.Authenticate(ctx, second)
			if (err == nil) != st.ok {
				t.Fatalf("%s: err = %v, want ok=%v", st.name, err, st.ok)
			}
		}
		// Absolute expiry even when used all the time.
		token, _, err := f.svc.SignIn(ctx, a.Email, "a long passphrase", "browser two", "")
		if err != nil {
			t.Fatal(err)
		}
		for range 25 {
			f.clk.Advance(59 * time.Minute)
			if _, _, err := f.svc.Authenticate(ctx, token); err != nil {
				break
			}
		}
		if _, _, err := f.svc.Authenticate(ctx, token); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("a login older than the absolute limit still works: %v", err)
		}
	})
}

func TestPasswordChangeAndReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a, err := f.svc.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: "d@example.org", Name: "D", Password: "a long passphrase"})
		if err != nil {
			t.Fatal(err)
		}
		other, _, _ := f.svc.SignIn(ctx, a.Email, "a long passphrase", "other", "")
		if _, err := f.svc.ChangePassword(ctx, a.ID, "wrong current", "another passphrase", "another passphrase", "me"); !hasField(err, "current_password") {
			t.Fatalf("wrong current password: %v", err)
		}
		mine, err := f.svc.ChangePassword(ctx, a.ID, "a long passphrase", "another passphrase", "another passphrase", "me")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, other); err == nil {
			t.Fatal("another login survived the password change")
		}
		if _, _, err := f.svc.Authenticate(ctx, mine); err != nil {
			t.Fatalf("the new login of the changing browser: %v", err)
		}
		if f.out.last(t).kind != "password_changed" {
			t.Fatal("no password_changed notice")
		}
		// Reset: unknown addresses are silent; a link works once, within the hour.
		if err := f.svc.RequestPasswordReset(ctx, "ghost@example.org"); err != nil || len(f.out.sent) != 1 {
			t.Fatalf("reset for an unknown address: %v, %d notices", err, len(f.out.sent))
		}
		if err := f.svc.RequestPasswordReset(ctx, "d@example.org"); err != nil {
			t.Fatal(err)
		}
		token := tokenOf(t, f.out.last(t))
		if _, err := f.svc.ResetPassword(ctx, token, "short", "short"); !hasField(err, "password") {
			t.Fatalf("short password: %v", err)
		}
		if _, err := f.svc.ResetPassword(ctx, token, "third passphrase", "third passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ResetPassword(ctx, token, "fourth passphrase", "fourth passphrase"); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("reused reset link: %v", err)
		}
		if _, _, err := f.svc.Authenticate(ctx, mine); err == nil {
			t.Fatal("a login survived the reset")
		}
		if err := f.svc.RequestPasswordReset(ctx, "d@example.org"); err != nil {
			t.Fatal(err)
		}
		late := tokenOf(t, f.out.last(t))
		f.clk.Advance(61 * time.Minute)
		if _, err := f.svc.ResetPassword(ctx, late, "fifth passphrase", "fifth passphrase"); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("expired reset link: %v", err)
		}
		if _, _, err := f.svc.SignIn(ctx, a.Email, "third passphrase", "me", ""); err != nil {
			t.Fatalf("sign-in with the reset password: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	es, ok := validate.As(err)
	return ok && es.Has(field)
}

func TestEnsureAdminOnceUnderRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		var wg sync.WaitGroup
		created := make(chan string, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, email, password, err := f.svc.EnsureAdmin(ctx)
				if err != nil {
					t.Error(err)
				}
				if ok {
					created <- email + " " + password
				}
			}()
		}
		wg.Wait()
		close(created)
		var got []string
		for c := range created {
			got = append(got, c)
		}
		if len(got) != 1 {
			t.Fatalf("%d admins created, want 1", len(got))
		}
		parts := strings.Fields(got[0])
		if _, _, err := f.svc.SignIn(ctx, parts[0], parts[1], "", ""); err != nil {
			t.Fatalf("the printed admin login does not work: %v", err)
		}
		if ok, _, _, err := f.svc.EnsureAdmin(ctx); ok || err != nil {
			t.Fatalf("second EnsureAdmin: created=%v err=%v", ok, err)
		}
	})
}

func TestAdminsAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		admin, _ := f.svc.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: "root@example.org", Name: "Root", Password: "a long passphrase", Admin: true})
		member, _ := f.svc.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: "m@example.org", Name: "Member", Password: "a long passphrase"})
		if _, err := f.svc.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: "M@example.org", Name: "Dup", Password: "a long passphrase"}); !hasField(err, "email") {
			t.Fatalf("duplicate email: %v", err)
		}
		actor := audit.Actor{AccountID: admin.ID}
		if err := f.svc.SetAdmin(ctx, actor, admin.ID, false); !hasField(err, "admin") {
			t.Fatalf("removing the last admin: %v", err)
		}
		if err := f.svc.Delete(ctx, admin.ID, "a long passphrase"); !errors.Is(err, accounts.ErrLastAdmin) {
			t.Fatalf("deleting the last admin: %v", err)
		}
		if err := f.svc.SetAdmin(ctx, actor, member.ID, true); err != nil {
			t.Fatal(err)
		}
		entries, n, err := audit.List(ctx, db.DB, 10, 0)
		if err != nil || n != 1 || entries[0].Action != "account.set_admin" || entries[0].ActorName != "Root" {
			t.Fatalf("audit: %v %d %+v", err, n, entries)
		}
		plain, tok, err := f.svc.CreateAPIToken(ctx, db.DB, member.ID, "script")
		if err != nil || !strings.HasPrefix(plain, "cvn_") || !strings.HasPrefix(plain[4:], tok.Prefix) {
			t.Fatalf("token %q %+v %v", plain, tok, err)
		}
		if _, _, err := f.svc.CreateAPIToken(ctx, db.DB, member.ID, " "); !hasField(err, "token_name") {
			t.Fatalf("unnamed token: %v", err)
		}
		if a, err := f.svc.AuthenticateAPIToken(ctx, plain); err != nil || a.ID != member.ID {
			t.Fatalf("authenticate: %v", err)
		}
		if err := f.svc.RevokeAPIToken(ctx, admin.ID, tok.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking another's token: %v", err)
		}
		if err := f.svc.RevokeAPIToken(ctx, member.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateAPIToken(ctx, plain); !errors.Is(err, accounts.ErrTokenInvalid) {
			t.Fatalf("revoked token: %v", err)
		}
		export, err := f.svc.Export(ctx, member.ID)
		if err != nil || export.Account.Email != "m@example.org" || len(export.APITokens) != 1 {
			t.Fatalf("export: %v %+v", err, export)
		}
		if err := f.svc.Delete(ctx, member.ID, "wrong"); !hasField(err, "delete_password") {
			t.Fatalf("delete with a wrong password: %v", err)
		}
		if err := f.svc.Delete(ctx, member.ID, "a long passphrase"); err != nil {
			t.Fatal(err)
		}
		if f.count(t, "api_tokens") != 0 {
			t.Fatal("tokens outlived their account")
		}
		list, total, err := accounts.List(ctx, db.DB, "RO", 10, 0)
		if err != nil || total != 1 || list[0].Email != "root@example.org" {
			t.Fatalf("search: %v %d %+v", err, total, list)
		}
	})
}

func TestHasherRejectsMalformedHashes(t *testing.T) {
	h := accounts.NewHasher(1)
	ctx := context.Background()
	good, err := h.Hash(ctx, "secret passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(good, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id at the OWASP minimum", good)
	}
	cases := []struct {
		name, hash, password string
		ok, fails            bool
	}{
		{"right", good, "secret passphrase", true, false},
		{"wrong", good, "secret passphrasf", false, false},
		{"not argon", "$2a$10$abc", "x", false, true},
		{"bad params", "$argon2id$v=19$m=x,t=2,p=1$AAAA$AAAA", "x", false, true},
		{"bad salt", "$argon2id$v=19$m=19456,t=2,p=1$***$AAAA", "x", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := h.Verify(ctx, tc.hash, tc.password)
			if ok != tc.ok || (err != nil) != tc.fails {
				t.Fatalf("Verify = %v, %v", ok, err)
			}
		})
	}
	if p := accounts.GeneratePassword(); len(p) != 20 || strings.ContainsAny(p, "0O1lI") {
		t.Fatalf("generated password %q", p)
	}
}

func FuzzVerifyHash(f *testing.F) {
	h := accounts.NewHasher(1)
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "pw")
	f.Add("$argon2id$v=19$m=,t=,p=$$", "")
	f.Fuzz(func(t *testing.T, hash, password string) {
		// Malformed hashes must never panic, and Verify's parameter bounds keep memory small.
		_, _ = h.Verify(context.Background(), hash, password)
	})
}
