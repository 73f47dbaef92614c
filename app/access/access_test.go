package access_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/validate"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// rows inserts what grants refer to: two accounts and two processes.
func rows(t *testing.T, db *storetest.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, a := range []struct {
		id   int
		name string
	}{{1, "Ana"}, {2, "Bea"}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO accounts (id, email, name, password_hash, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, 'x', ?, ?, ?)`, a.id, a.name+"@example.org", a.name, now, now, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int{10, 20} {
		if _, err := db.ExecContext(ctx, `INSERT INTO processes (id, slug, code, title, description, general_objective, time_zone,
			languages, stakeholder_groups, status, created_at, updated_at)
			VALUES (?, ?, ?, '{}', '{}', '{}', 'UTC', '["es"]', '["media"]', 'open', ?, ?)`, id, "p"+string(rune('0'+id/10)), "P"+string(rune('A'+id/10)), now, now); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGrantsAndChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		rows(t, db)
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		admin := audit.Actor{AccountID: 1}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(access.Grant(ctx, db.DB, now, admin, 2, access.Moderator, 10, 7))
		must(access.Grant(ctx, db.DB, now, admin, 2, access.Moderator, 10, 7)) // again: no change
		must(access.Grant(ctx, db.DB, now, admin, 1, access.Organiser, 20, 0))
		if err := access.Grant(ctx, db.DB, now, admin, 2, access.Organiser, 10, 7); !hasField(err, "role") {
			t.Fatalf("organiser of one session: %v", err)
		}
		if err := access.Grant(ctx, db.DB, now, admin, 2, "king", 10, 0); !hasField(err, "role") {
			t.Fatalf("unknown role: %v", err)
		}
		bea, ana := access.Subject{AccountID: 2}, access.Subject{AccountID: 1}
		cases := []struct {
			name             string
			who              access.Subject
			role             access.Role
			process, session int64
			want             bool
		}{
			{"session moderator in that session", bea, access.Moderator, 10, 7, true},
			{"session moderator in another session", bea, access.Moderator, 10, 8, false},
			{"session moderator process-wide", bea, access.Moderator, 10, 0, false},
			{"session moderator is no rapporteur", bea, access.Rapporteur, 10, 7, false},
			{"session moderator in another process", bea, access.Moderator, 20, 7, false},
			{"organiser organises", ana, access.Organiser, 20, 0, true},
			{"organiser moderates any session", ana, access.Moderator, 20, 3, true},
			{"organiser reports", ana, access.Rapporteur, 20, 0, true},
			{"organiser of another process", ana, access.Organiser, 10, 0, false},
			{"admin holds every role", access.Subject{AccountID: 99, IsAdmin: true}, access.Organiser, 10, 0, true},
			{"anonymous holds none", access.Subject{}, access.Moderator, 10, 7, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := access.Has(ctx, db.DB, tc.who, tc.role, tc.process, tc.session)
				if err != nil || got != tc.want {
					t.Fatalf("Has = %v, %v; want %v", got, err, tc.want)
				}
			})
		}
		list, err := access.ForProcess(ctx, db.DB, 10)
		if err != nil || len(list) != 1 || list[0].AccountName != "Bea" || list[0].SessionID != 7 {
			t.Fatalf("ForProcess: %v %+v", err, list)
		}
		held, err := access.ForAccount(ctx, db.DB, 1)
		if err != nil || len(held) != 1 || held[0].Role != access.Organiser || held[0].ProcessSlug != "p2" || held[0].Languages[0] != "es" {
			t.Fatalf("ForAccount: %v %+v", err, held)
		}
		if err := access.RevokeByID(ctx, db.DB, now, admin, 20, list[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoking through another process: %v", err)
		}
		must(access.RevokeByID(ctx, db.DB, now, admin, 10, list[0].ID))
		if ok, _ := access.Has(ctx, db.DB, bea, access.Moderator, 10, 7); ok {
			t.Fatal("revoked grant still counts")
		}
		_, n, err := audit.List(ctx, db.DB, 10, 0)
		if err != nil || n != 3 {
			t.Fatalf("audit entries %d (%v), want 2 grants and 1 revoke", n, err)
		}
	})
}

func hasField(err error, field string) bool {
	es, ok := validate.As(err)
	return ok && es.Has(field)
}
