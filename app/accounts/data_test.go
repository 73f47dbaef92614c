package accounts_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
)

// grantRole gives the account a moderator grant in a new process; the processes and access
// packages are not needed for what the export and the erasure must cover.
func grantRole(t *testing.T, db *storetest.DB, accountID int64, now time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO processes (id, slug, code, title, description, general_objective,
		time_zone, languages, stakeholder_groups, status, created_at, updated_at)
		VALUES (7, 'p', 'P', '{}', '{}', '{}', 'UTC', '["es"]', '[]', 'open', ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO grants (account_id, role, process_id, session_id, created_at)
		VALUES (?, 'moderator', 7, 3, ?)`, accountID, now); err != nil {
		t.Fatal(err)
	}
}

func TestExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a := f.account(t, "ana@example.org", false)
		f.account(t, "bea@example.org", false)
		login := f.signIn(t, a.Email, "Firefox")
		f.signIn(t, "bea@example.org", "not Ana's")
		plain, _, err := f.svc.CreateAPIToken(ctx, a.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		grantRole(t, db, a.ID, f.clk.Now())

		e, err := f.svc.Export(ctx, audit.Actor{}, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		logins, _ := e["logins"].([]accounts.Login)
		tokens, _ := e["api_tokens"].([]accounts.APIToken)
		if e["account"].(accounts.Account).Email != a.Email || len(logins) != 1 || logins[0].UserAgent != "Firefox" ||
			len(tokens) != 1 || tokens[0].Name != "script" {
			t.Fatalf("export %+v", e)
		}
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var loginHash, tokenHash string
		_ = db.NewSelect().Table("logins").Column("token_hash").Where("account_id = ?", a.ID).Scan(ctx, &loginHash)
		_ = db.NewSelect().Table("api_tokens").Column("token_hash").Scan(ctx, &tokenHash)
		for _, secret := range []string{"password_hash", "$argon2id", "token_hash", login, plain, loginHash, tokenHash} {
			if strings.Contains(string(b), secret) {
				t.Fatalf("the export holds %q: %s", secret, b)
			}
		}
		for _, want := range []string{`"email":"ana@example.org"`, `"user_agent":"Firefox"`, `"name":"script"`, `"role":"moderator"`, `"process":"p"`, `"session_id":3`, `"mail":[`} {
			if !strings.Contains(string(b), want) {
				t.Fatalf("the export lacks %s: %s", want, b)
			}
		}
		if _, err := f.svc.Export(ctx, audit.Actor{}, 999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("export of an unknown account: %v", err)
		}
	})
}

func TestDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		root := f.account(t, "root@example.org", true)
		a := f.account(t, "ana@example.org", false)
		f.signIn(t, a.Email, "browser")
		if _, _, err := f.svc.CreateAPIToken(ctx, a.ID, "script"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RequestPasswordReset(ctx, a.Email); err != nil {
			t.Fatal(err)
		}
		grantRole(t, db, a.ID, f.clk.Now())
		cases := []struct {
			name, password string
			account        int64
			want           error
			field          string
		}{
			{"no password", "", a.ID, nil, "delete_password"},
			{"wrong password", "not the passphrase", a.ID, nil, "delete_password"},
			{"the last admin", passphrase, root.ID, accounts.ErrLastAdmin, "delete_password"},
			{"right", passphrase, a.ID, nil, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				err := f.svc.Delete(ctx, audit.Actor{}, tc.account, tc.password)
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if tc.field != "" && fieldCode(err, tc.field) == "" {
					t.Fatalf("err = %v, want a field error on %s", err, tc.field)
				}
				_, found := accounts.ByID(ctx, db.DB, tc.account)
				if deleted := errors.Is(found, store.ErrNotFound); deleted != (err == nil) {
					t.Fatalf("Delete = %v, but deleted = %v", err, deleted)
				}
			})
		}
		for _, table := range []string{"logins", "api_tokens", "account_tokens", "grants"} {
			n, err := db.NewSelect().Table(table).Where("account_id = ?", a.ID).Count(ctx)
			if err != nil || n != 0 {
				t.Fatalf("%s: %d rows outlived the account (%v)", table, n, err)
			}
		}
		if f.count(t, "accounts") != 1 {
			t.Fatal("the admin went with the account")
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		ana, bea := f.account(t, "ana@example.org", false), f.account(t, "bea@example.org", false)
		plain, tok, err := f.svc.CreateAPIToken(ctx, ana.ID, " script ")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(plain, "cvn_") || len(plain) != 4+43 || tok.Prefix != plain[4:12] || tok.Name != "script" {
			t.Fatalf("token %q %+v", plain, tok)
		}
		var stored string
		if err := db.NewSelect().Table("api_tokens").Column("token_hash").Scan(ctx, &stored); err != nil || strings.Contains(stored, plain[4:]) || len(stored) != 64 {
			t.Fatalf("stored %q (%v): want only a sha256 hex", stored, err)
		}
		if _, _, err := f.svc.CreateAPIToken(ctx, ana.ID, " "); fieldCode(err, "token_name") == "" {
			t.Fatalf("unnamed token: %v", err)
		}

		auth := []struct {
			name    string
			advance time.Duration
			token   string
			ok      bool
			usedAgo time.Duration // how long before now last_used_at is afterwards
		}{
			{"first use", 0, plain, true, 0},
			{"seconds later: not touched", 30 * time.Second, plain, true, 30 * time.Second},
			{"a minute later: touched", time.Minute, plain, true, 0},
			{"without the prefix", 0, plain[4:], false, 0},
			{"altered", 0, plain + "x", false, 0},
			{"unknown", 0, "cvn_nothing", false, 0},
		}
		for _, tc := range auth {
			t.Run(tc.name, func(t *testing.T) {
				f.clk.Advance(tc.advance)
				a, err := f.svc.AuthenticateAPIToken(ctx, tc.token)
				if !tc.ok {
					if !errors.Is(err, accounts.ErrTokenInvalid) {
						t.Fatalf("err = %v, want ErrTokenInvalid", err)
					}
					return
				}
				if err != nil || a.ID != ana.ID {
					t.Fatalf("AuthenticateAPIToken = %+v, %v", a, err)
				}
				// The list shows the use before it is written, and the same once it is.
				for _, flush := range []bool{false, true} {
					if flush {
						if err := f.svc.FlushTokenUses(ctx); err != nil {
							t.Fatal(err)
						}
					}
					list, _ := f.svc.ListAPITokens(ctx, ana.ID)
					if len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(f.clk.Now().Add(-tc.usedAgo)) {
						t.Fatalf("flushed %v: last used %+v at %v", flush, list, f.clk.Now())
					}
				}
			})
		}

		revoke := []struct {
			name             string
			account, tokenID int64
			want             error
		}{
			{"another person's token", bea.ID, tok.ID, store.ErrNotFound},
			{"an unknown token", ana.ID, 999, store.ErrNotFound},
			{"one's own", ana.ID, tok.ID, nil},
			{"again", ana.ID, tok.ID, store.ErrNotFound},
		}
		for _, tc := range revoke {
			t.Run(tc.name, func(t *testing.T) {
				if err := f.svc.RevokeAPIToken(ctx, tc.account, tc.tokenID); !errors.Is(err, tc.want) {
					t.Fatalf("RevokeAPIToken = %v, want %v", err, tc.want)
				}
				_, err := f.svc.AuthenticateAPIToken(ctx, plain)
				if revoked := errors.Is(err, accounts.ErrTokenInvalid); revoked != (tc.account == ana.ID && tc.tokenID == tok.ID) {
					t.Fatalf("after the step the token authenticates with %v", err)
				}
			})
		}
		list, err := f.svc.ListAPITokens(ctx, ana.ID)
		if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
			t.Fatalf("ListAPITokens = %+v, %v", list, err)
		}
		if list, _ := f.svc.ListAPITokens(ctx, bea.ID); len(list) != 0 {
			t.Fatalf("Bea sees %+v", list)
		}
	})
}
