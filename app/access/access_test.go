package access_test

import (
	"context"
	"encoding/json"
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

// now is the instant of every row and grant of these tests.
func now() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }

// Rows every test has: accounts Ana (1), Bea (2) and Carla (3); processes 10 (slug p10) and 20
// (slug p20). They are inserted with SQL: grants only need the rows to exist.
const (
	ana, bea, carla = int64(1), int64(2), int64(3)
	p10, p20        = int64(10), int64(20)
)

func rows(t *testing.T, db *storetest.DB) {
	t.Helper()
	ctx := context.Background()
	for id, name := range map[int64]string{ana: "Ana", bea: "Bea", carla: "Carla"} {
		if _, err := db.ExecContext(ctx, `INSERT INTO accounts (id, email, name, password_hash, password_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, 'x', ?, ?, ?)`, id, name+"@example.org", name, now(), now(), now()); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct {
		id         int64
		slug, code string
	}{{p10, "p10", "PTEN"}, {p20, "p20", "PTWENTY"}} {
		if _, err := db.ExecContext(ctx, `INSERT INTO processes (id, slug, code, title, description, general_objective, time_zone,
			languages, stakeholder_groups, status, created_at, updated_at)
			VALUES (?, ?, ?, '{"es":"Proceso","en":"Process"}', '{}', '{}', 'UTC', '["es","en"]', '["media"]', 'open', ?, ?)`,
			p.id, p.slug, p.code, now(), now()); err != nil {
			t.Fatal(err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func auditCount(t *testing.T, db *storetest.DB) int64 {
	t.Helper()
	_, n, err := audit.List(context.Background(), db.DB, 1, 0)
	must(t, err)
	return n
}

func fieldCode(err error, field string) string {
	es, _ := validate.As(err)
	for _, e := range es {
		if e.Field == field {
			return e.Code
		}
	}
	return ""
}

func TestGrantRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		rows(t, db)
		actor := audit.Actor{AccountID: ana, RequestID: "req"}
		cases := []struct {
			name             string
			account          int64
			role             access.Role
			process, session int64
			code             string // field error on role, "" when granted
			audited          bool
		}{
			{"organiser of a process", bea, access.Organiser, p10, 0, "", true},
			{"the same again changes nothing", bea, access.Organiser, p10, 0, "", false},
			{"organiser of one session", bea, access.Organiser, p10, 7, access.CodeSessionScope, false},
			{"moderator of a process", bea, access.Moderator, p10, 0, "", true},
			{"moderator of a session", bea, access.Moderator, p10, 7, "", true},
			{"rapporteur of a session", bea, access.Rapporteur, p10, 7, "", true},
			{"unknown role", bea, access.Role("king"), p10, 0, validate.Invalid, false},
			{"empty role", bea, access.Role(""), p10, 0, validate.Invalid, false},
			{"participant is never granted", bea, access.Role("participant"), p10, 0, validate.Invalid, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := auditCount(t, db)
				err := access.Grant(ctx, db.DB, now(), actor, tc.account, tc.role, tc.process, tc.session)
				if got := fieldCode(err, "role"); got != tc.code || (tc.code == "" && err != nil) {
					t.Fatalf("Grant = %v, want field code %q", err, tc.code)
				}
				if audited := auditCount(t, db) > before; audited != tc.audited {
					t.Fatalf("audited = %v, want %v", audited, tc.audited)
				}
			})
		}
		if err := access.Grant(ctx, db.DB, now(), actor, bea, access.Moderator, 999, 0); err == nil {
			t.Fatal("a grant in a process that does not exist")
		}
		entries, _, err := audit.List(ctx, db.DB, 1, 0)
		must(t, err)
		var detail map[string]any
		e := entries[0]
		if json.Unmarshal([]byte(e.Detail), &detail) != nil || e.Action != "grant.add" || e.ObjectType != "process" || e.ObjectID != "10" ||
			detail["role"] != "rapporteur" || detail["account_id"] != float64(bea) || detail["session_id"] != float64(7) || e.RequestID != "req" {
			t.Fatalf("audit entry %+v", e)
		}
	})
}

func TestHas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		rows(t, db)
		system := audit.Actor{}
		must(t, access.Grant(ctx, db.DB, now(), system, ana, access.Organiser, p20, 0))
		must(t, access.Grant(ctx, db.DB, now(), system, bea, access.Moderator, p10, 7))
		must(t, access.Grant(ctx, db.DB, now(), system, carla, access.Rapporteur, p10, 0))
		asAna, asBea, asCarla := access.Subject{AccountID: ana}, access.Subject{AccountID: bea}, access.Subject{AccountID: carla}
		cases := []struct {
			name             string
			who              access.Subject
			role             access.Role
			process, session int64
			want             bool
		}{
			{"session moderator in that session", asBea, access.Moderator, p10, 7, true},
			{"session moderator in another session", asBea, access.Moderator, p10, 8, false},
			{"session moderator for the whole process", asBea, access.Moderator, p10, 0, false},
			{"session moderator is no rapporteur", asBea, access.Rapporteur, p10, 7, false},
			{"session moderator is no organiser", asBea, access.Organiser, p10, 0, false},
			{"session moderator in another process", asBea, access.Moderator, p20, 7, false},
			{"process rapporteur for the process", asCarla, access.Rapporteur, p10, 0, true},
			{"process rapporteur in every session", asCarla, access.Rapporteur, p10, 9, true},
			{"process rapporteur is no moderator", asCarla, access.Moderator, p10, 9, false},
			{"process rapporteur is no organiser", asCarla, access.Organiser, p10, 0, false},
			{"organiser organises", asAna, access.Organiser, p20, 0, true},
			{"organiser moderates any session", asAna, access.Moderator, p20, 3, true},
			{"organiser moderates process-wide", asAna, access.Moderator, p20, 0, true},
			{"organiser reports", asAna, access.Rapporteur, p20, 5, true},
			{"organiser of another process", asAna, access.Organiser, p10, 0, false},
			{"organiser moderates no other process", asAna, access.Moderator, p10, 7, false},
			{"admin holds every role", access.Subject{AccountID: 99, IsAdmin: true}, access.Organiser, p10, 0, true},
			{"admin in any session", access.Subject{IsAdmin: true}, access.Moderator, p20, 4, true},
			{"anonymous holds none", access.Subject{}, access.Moderator, p10, 7, false},
			{"an unknown role is never held", asAna, access.Role("king"), p20, 0, false},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := access.Has(ctx, db.DB, tc.who, tc.role, tc.process, tc.session)
				if err != nil || got != tc.want {
					t.Fatalf("Has = %v, %v; want %v", got, err, tc.want)
				}
			})
		}
	})
}

func TestRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		rows(t, db)
		actor := audit.Actor{AccountID: ana}
		must(t, access.Grant(ctx, db.DB, now(), actor, bea, access.Moderator, p10, 7))
		must(t, access.Grant(ctx, db.DB, now(), actor, bea, access.Moderator, p10, 0))
		must(t, access.Grant(ctx, db.DB, now(), actor, bea, access.Organiser, p20, 0))
		steps := []struct {
			name             string
			role             access.Role
			process, session int64
			audited          bool
		}{
			{"the process-wide grant", access.Moderator, p10, 0, true},
			{"again: nothing to do", access.Moderator, p10, 0, false},
			{"a role not held", access.Rapporteur, p10, 7, false},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				before := auditCount(t, db)
				must(t, access.Revoke(ctx, db.DB, now(), actor, bea, st.role, st.process, st.session))
				if audited := auditCount(t, db) > before; audited != st.audited {
					t.Fatalf("audited = %v, want %v", audited, st.audited)
				}
			})
		}
		// The session grant stays: revoking process-wide is not revoking everywhere.
		if ok, _ := access.Has(ctx, db.DB, access.Subject{AccountID: bea}, access.Moderator, p10, 7); !ok {
			t.Fatal("the session grant went with the process-wide one")
		}
		if ok, _ := access.Has(ctx, db.DB, access.Subject{AccountID: bea}, access.Moderator, p10, 8); ok {
			t.Fatal("the revoked process-wide grant still counts")
		}

		list, err := access.ForProcess(ctx, db.DB, p10)
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("ForProcess = %+v", list)
		}
		byID := []struct {
			name           string
			process, grant int64
			want           error
		}{
			{"through another process", p20, list[0].ID, store.ErrNotFound},
			{"unknown", p10, 999, store.ErrNotFound},
			{"its own process", p10, list[0].ID, nil},
			{"again", p10, list[0].ID, store.ErrNotFound},
		}
		for _, tc := range byID {
			t.Run("by id "+tc.name, func(t *testing.T) {
				before := auditCount(t, db)
				if err := access.RevokeByID(ctx, db.DB, now(), actor, tc.process, tc.grant); !errors.Is(err, tc.want) {
					t.Fatalf("RevokeByID = %v, want %v", err, tc.want)
				}
				if audited := auditCount(t, db) > before; audited != (tc.want == nil) {
					t.Fatalf("audited = %v", audited)
				}
			})
		}
		if ok, _ := access.Has(ctx, db.DB, access.Subject{AccountID: bea}, access.Moderator, p10, 7); ok {
			t.Fatal("the revoked session grant still counts")
		}
		entries, _, err := audit.List(ctx, db.DB, 1, 0)
		must(t, err)
		if entries[0].Action != "grant.remove" || entries[0].ObjectID != "10" {
			t.Fatalf("audit entry %+v", entries[0])
		}
	})
}

func TestListings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		rows(t, db)
		system := audit.Actor{}
		must(t, access.Grant(ctx, db.DB, now(), system, carla, access.Moderator, p10, 7))
		must(t, access.Grant(ctx, db.DB, now(), system, bea, access.Moderator, p10, 0))
		must(t, access.Grant(ctx, db.DB, now(), system, ana, access.Organiser, p10, 0))
		must(t, access.Grant(ctx, db.DB, now(), system, ana, access.Rapporteur, p20, 3))

		list, err := access.ForProcess(ctx, db.DB, p10)
		must(t, err)
		want := []access.GrantView{
			{AccountID: bea, AccountName: "Bea", AccountEmail: "Bea@example.org", Role: access.Moderator, ProcessID: p10},
			{AccountID: carla, AccountName: "Carla", AccountEmail: "Carla@example.org", Role: access.Moderator, ProcessID: p10, SessionID: 7},
			{AccountID: ana, AccountName: "Ana", AccountEmail: "Ana@example.org", Role: access.Organiser, ProcessID: p10},
		}
		if len(list) != len(want) {
			t.Fatalf("ForProcess = %+v", list)
		}
		for i := range want {
			list[i].ID = 0
			if list[i] != want[i] {
				t.Fatalf("ForProcess[%d] = %+v, want %+v", i, list[i], want[i])
			}
		}

		held, err := access.ForAccount(ctx, db.DB, ana)
		must(t, err)
		if len(held) != 2 || held[0].Role != access.Organiser || held[0].ProcessSlug != "p10" || held[0].SessionID != 0 ||
			held[1].Role != access.Rapporteur || held[1].ProcessSlug != "p20" || held[1].SessionID != 3 ||
			held[0].ProcessTitle["en"] != "Process" || len(held[0].Languages) != 2 {
			t.Fatalf("ForAccount = %+v", held)
		}
		if none, err := access.ForAccount(ctx, db.DB, 999); err != nil || len(none) != 0 {
			t.Fatalf("ForAccount of nobody = %+v, %v", none, err)
		}
	})
}
