package accounts_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/validate"
)

func TestEnsureAdminOnceUnderRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		var wg sync.WaitGroup
		created := make(chan [2]string, 4)
		for range 4 {
			wg.Go(func() {
				ok, email, password, err := f.svc.EnsureAdmin(ctx)
				if err != nil {
					t.Error(err)
				}
				if ok {
					created <- [2]string{email, password}
				}
			})
		}
		wg.Wait()
		close(created)
		var got [][2]string
		for c := range created {
			got = append(got, c)
		}
		if len(got) != 1 {
			t.Fatalf("%d admins created, want 1", len(got))
		}
		email, password := got[0][0], got[0][1]
		if email != accounts.FirstAdminEmail || len(password) != 20 {
			t.Fatalf("created %s with password %q", email, password)
		}
		_, a, err := f.svc.SignIn(ctx, email, password, "", "", nil)
		if err != nil || !a.IsAdmin || a.Name != "Admin" {
			t.Fatalf("the printed admin login: %+v %v", a, err)
		}
		if ok, _, _, err := f.svc.EnsureAdmin(ctx); ok || err != nil {
			t.Fatalf("EnsureAdmin again: created=%v err=%v", ok, err)
		}
		if f.count(t, "accounts") != 1 {
			t.Fatal("more than one account")
		}
	})
}

func TestEnsureAdminKeepsExistingAdmins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		f.account(t, "root@example.org", true)
		if ok, _, _, err := f.svc.EnsureAdmin(ctx); ok || err != nil {
			t.Fatalf("EnsureAdmin with an admin: created=%v err=%v", ok, err)
		}
		if f.count(t, "accounts") != 1 {
			t.Fatal("an admin was added beside the existing one")
		}
	})
}

// TestEnsureAdminAddressTaken: when a member holds the first admin's address and there is no
// admin, serve must say so instead of running without one.
func TestEnsureAdminAddressTaken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		f := newFixture(db)
		f.account(t, accounts.FirstAdminEmail, false)
		ok, _, _, err := f.svc.EnsureAdmin(context.Background())
		if ok || err == nil || !strings.Contains(err.Error(), "no admin") {
			t.Fatalf("created=%v err=%v", ok, err)
		}
	})
}

func TestCreateAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		a, err := f.svc.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: " Root@Example.org", Name: " Root ", Password: passphrase, Admin: true})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.Email != "root@example.org" || a.Name != "Root" || !a.IsAdmin || a.EmailVerifiedAt == nil ||
			!strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$m=8,t=1,p=1$") {
			t.Fatalf("created %+v", a)
		}
		cases := []struct {
			name        string
			in          accounts.CreateInput
			field, code string
		}{
			{"taken, any case", accounts.CreateInput{Email: "ROOT@example.org", Name: "Dup", Password: passphrase}, "email", validate.Taken},
			{"bad email", accounts.CreateInput{Email: "root", Name: "X", Password: passphrase}, "email", accounts.CodeEmailInvalid},
			{"no name", accounts.CreateInput{Email: "x@example.org", Password: passphrase}, "name", validate.Required},
			{"short password", accounts.CreateInput{Email: "x@example.org", Name: "X", Password: "short"}, "password", accounts.CodePasswordShort},
			{"common password", accounts.CreateInput{Email: "x@example.org", Name: "X", Password: "password1234"}, "password", accounts.CodePasswordWeak},
			{"one letter twelve times", accounts.CreateInput{Email: "x@example.org", Name: "X", Password: "aaaaaaaaaaaa"}, "password", accounts.CodePasswordWeak},
			{"spaces", accounts.CreateInput{Email: "x@example.org", Name: "X", Password: "            "}, "password", accounts.CodePasswordWeak},
			{"ten characters", accounts.CreateInput{Email: "x@example.org", Name: "X", Password: "Zq9!vR2#kT"}, "password", accounts.CodePasswordShort},
			{"their own name", accounts.CreateInput{Email: "xavier.quintana@example.org", Name: "Xavier Quintana", Password: "xavierquintana"}, "password", accounts.CodePasswordWeak},
			{"NUL in the name", accounts.CreateInput{Email: "x@example.org", Name: "X\x00Y", Password: passphrase}, "name", validate.Control},
			{"NUL in the email", accounts.CreateInput{Email: "x\x00@example.org", Name: "X", Password: passphrase}, "email", validate.Control},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.CreateAccount(ctx, db.DB, tc.in)
				if got := fieldCode(err, tc.field); got != tc.code {
					t.Fatalf("err = %v, want %s on %s", err, tc.code, tc.field)
				}
				if tc.code == validate.Taken && !errors.Is(err, accounts.ErrEmailTaken) {
					t.Fatalf("err = %v, want ErrEmailTaken", err)
				}
				if f.count(t, "accounts") != 1 {
					t.Fatal("a refused account was stored")
				}
			})
		}
	})
}

func TestSetAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		f := newFixture(db)
		root := f.account(t, "root@example.org", true)
		member := f.account(t, "m@example.org", false)
		actor := audit.Actor{AccountID: root.ID, RequestID: "req-1"}
		steps := []struct {
			name    string
			account int64
			admin   bool
			want    error
			audited bool
		}{
			{"the last admin cannot step down", root.ID, false, accounts.ErrLastAdmin, false},
			{"a member becomes admin", member.ID, true, nil, true},
			{"again: nothing to do", member.ID, true, nil, false},
			{"now the first may step down", root.ID, false, nil, true},
			{"but not the new last one", member.ID, false, accounts.ErrLastAdmin, false},
			{"an unknown account", 999, true, store.ErrNotFound, false},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				before := f.count(t, "audit_log")
				err := f.svc.SetAdmin(ctx, actor, st.account, st.admin)
				if !errors.Is(err, st.want) {
					t.Fatalf("err = %v, want %v", err, st.want)
				}
				if st.want == accounts.ErrLastAdmin && fieldCode(err, "admin") != accounts.CodeLastAdmin {
					t.Fatalf("err = %v names no field", err)
				}
				if audited := f.count(t, "audit_log") > before; audited != st.audited {
					t.Fatalf("audited = %v, want %v", audited, st.audited)
				}
				if err == nil {
					if a, _ := accounts.ByID(ctx, db.DB, st.account); a.IsAdmin != st.admin {
						t.Fatalf("is_admin = %v", a.IsAdmin)
					}
				}
			})
		}
		entries, _, err := audit.List(ctx, db.DB, 10, 0)
		if err != nil || len(entries) != 2 {
			t.Fatalf("audit: %v %+v", err, entries)
		}
		var detail map[string]any
		first := entries[1]
		if json.Unmarshal([]byte(first.Detail), &detail) != nil || detail["admin"] != true || first.Action != "account.set_admin" ||
			first.ObjectID != fmt.Sprint(member.ID) || first.ActorName != "R" || first.RequestID != "req-1" {
			t.Fatalf("audit entry %+v", first)
		}
	})
}

func TestListAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		// Inserted directly: listing needs no passwords, so no time is spent hashing.
		for _, a := range [][2]string{{"ana@example.org", "Ana Pérez"}, {"bea@example.org", "Beatriz Roca"}, {"root@convene.example", "Admin"}, {"x_y@example.org", "Per Cent 100%"}} {
			if _, err := db.NewInsert().Model(&accounts.Account{Email: a[0], Name: a[1], PasswordHash: "x", PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name          string
			query         string
			limit, offset int64
			want          []string
			total         int64
		}{
			{"all by name", "", 10, 0, []string{"Admin", "Ana Pérez", "Beatriz Roca", "Per Cent 100%"}, 4},
			{"a page", "", 2, 1, []string{"Ana Pérez", "Beatriz Roca"}, 4},
			{"name, any case", "roCA", 10, 0, []string{"Beatriz Roca"}, 1},
			{"email", "CONVENE", 10, 0, []string{"Admin"}, 1},
			{"in both", "e", 10, 0, []string{"Admin", "Ana Pérez", "Beatriz Roca", "Per Cent 100%"}, 4},
			{"percent is literal", "%", 10, 0, []string{"Per Cent 100%"}, 1},
			{"underscore is literal", "x_", 10, 0, []string{"Per Cent 100%"}, 1},
			{"nothing", "zzz", 10, 0, nil, 0},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				list, total, err := accounts.List(ctx, db.DB, tc.query, tc.limit, tc.offset)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, a := range list {
					names = append(names, a.Name)
				}
				if total != tc.total || strings.Join(names, "|") != strings.Join(tc.want, "|") {
					t.Fatalf("List = %q (%d), want %q (%d)", names, total, tc.want, tc.total)
				}
			})
		}
	})
}
