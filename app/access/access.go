// Package access holds role grants: organiser, moderator and rapporteur, each granted to an
// account for a process or for one session of it. Admin is a flag on the account; participant
// follows from a confirmed registration and is never granted.
package access

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Role is a grantable role.
type Role string

// The grantable roles.
const (
	Organiser  Role = "organiser"
	Moderator  Role = "moderator"
	Rapporteur Role = "rapporteur"
)

// Valid tells whether r is a grantable role.
func (r Role) Valid() bool { return r == Organiser || r == Moderator || r == Rapporteur }

// CodeSessionScope: organisers run whole processes, so they cannot be granted one session.
const CodeSessionScope = "error.organiser_session"

type grant struct {
	bun.BaseModel `bun:"table:grants"`

	ID        int64     `bun:"id,pk,autoincrement"`
	AccountID int64     `bun:"account_id,notnull"`
	Role      Role      `bun:"role,notnull"`
	ProcessID int64     `bun:"process_id,notnull"`
	SessionID int64     `bun:"session_id,nullzero"` // 0 (NULL): the whole process
	CreatedAt time.Time `bun:"created_at,notnull"`
	CreatedBy *int64    `bun:"created_by"`
}

// GrantView is a grant with the account it names.
type GrantView struct {
	ID           int64  `bun:"id"`
	AccountID    int64  `bun:"account_id"`
	AccountName  string `bun:"account_name"`
	AccountEmail string `bun:"account_email"`
	Role         Role   `bun:"role"`
	ProcessID    int64  `bun:"process_id"`
	SessionID    int64  `bun:"session_id,nullzero"`
}

// Grant gives accountID role in a process (sessionID 0) or one of its sessions. Granting what
// is already held changes nothing.
func Grant(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, accountID int64, role Role, processID, sessionID int64) error {
	if !role.Valid() {
		return validate.Errors{{Field: "role", Code: validate.Invalid}}
	}
	if role == Organiser && sessionID != 0 {
		return validate.Errors{{Field: "role", Code: CodeSessionScope}}
	}
	g := &grant{AccountID: accountID, Role: role, ProcessID: processID, SessionID: sessionID, CreatedAt: now.UTC()}
	if actor.AccountID != 0 {
		g.CreatedBy = &actor.AccountID
	}
	// The partial unique indexes (one per scope) make a second grant of the same a no-op.
	res, err := db.NewInsert().Model(g).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return fmt.Errorf("granting %s to %d: %w", role, accountID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return granted(ctx, db, now, actor, "grant.add", processID, accountID, role, sessionID)
}

// Revoke withdraws role from accountID in a process (sessionID 0) or one of its sessions.
// Revoking what is not held changes nothing, so the schedule can revoke a session's grants
// without first asking whether they exist.
func Revoke(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, accountID int64, role Role, processID, sessionID int64) error {
	res, err := scope(db.NewDelete().Model((*grant)(nil)).
		Where("account_id = ? AND role = ? AND process_id = ?", accountID, role, processID), sessionID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoking %s from %d: %w", role, accountID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return granted(ctx, db, now, actor, "grant.remove", processID, accountID, role, sessionID)
}

// RevokeByID withdraws grant grantID of processID; a grant of another process is not found.
func RevokeByID(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, grantID int64) error {
	var g grant
	if err := db.NewSelect().Model(&g).Where("id = ? AND process_id = ?", grantID, processID).Scan(ctx); err != nil {
		return fmt.Errorf("grant %d: %w", grantID, store.NotFound(err))
	}
	if _, err := db.NewDelete().Model((*grant)(nil)).Where("id = ?", g.ID).Exec(ctx); err != nil {
		return fmt.Errorf("revoking grant %d: %w", grantID, err)
	}
	return granted(ctx, db, now, actor, "grant.remove", processID, g.AccountID, g.Role, g.SessionID)
}

// granted follows a change of grants: pages name a session's people and a login carries
// whether its account holds a role, so both revisions grow; the change is audited.
func granted(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, action string, processID, accountID int64, role Role, sessionID int64) error {
	if err := store.ContentChanged(ctx, db); err != nil {
		return err
	}
	if err := store.LoginsChanged(ctx, db); err != nil {
		return err
	}
	return audit.Record(ctx, db, now, actor, action, "process", fmt.Sprint(processID),
		map[string]any{"account_id": accountID, "role": role, "session_id": sessionID})
}

func views(db bun.IDB) *bun.SelectQuery {
	return db.NewSelect().TableExpr("grants AS g").
		ColumnExpr("g.id, g.account_id, a.name AS account_name, a.email AS account_email, g.role, g.process_id, g.session_id").
		Join("JOIN accounts AS a ON a.id = g.account_id")
}

// ByID returns grant grantID of processID with its account; a grant of another process is not
// found.
func ByID(ctx context.Context, db bun.IDB, processID, grantID int64) (GrantView, error) {
	var g GrantView
	if err := views(db).Where("g.id = ? AND g.process_id = ?", grantID, processID).Scan(ctx, &g); err != nil {
		return g, fmt.Errorf("grant %d: %w", grantID, store.NotFound(err))
	}
	return g, nil
}

// ForProcess lists the grants of a process, by role and name.
func ForProcess(ctx context.Context, db bun.IDB, processID int64) ([]GrantView, error) {
	var out []GrantView
	if err := views(db).Where("g.process_id = ?", processID).OrderExpr("g.role, a.name, g.id").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("listing grants of process %d: %w", processID, err)
	}
	return out, nil
}

// ForSession lists the grants of one session (its moderators and rapporteurs), by role and name.
func ForSession(ctx context.Context, db bun.IDB, sessionID int64) ([]GrantView, error) {
	return ForSessions(ctx, db, []int64{sessionID})
}

// ForSessions lists the grants of sessions, by session, role and name.
func ForSessions(ctx context.Context, db bun.IDB, sessionIDs []int64) ([]GrantView, error) {
	var out []GrantView
	if len(sessionIDs) == 0 {
		return out, nil
	}
	if err := views(db).Where("g.session_id IN (?)", bun.List(sessionIDs)).OrderExpr("g.session_id, g.role, a.name, g.id").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("listing grants of sessions %v: %w", sessionIDs, err)
	}
	return out, nil
}

// Held is a role an account holds in a process, with what a page needs to link to it.
type Held struct {
	Role        Role   `bun:"role"`
	ProcessID   int64  `bun:"process_id"`
	SessionID   int64  `bun:"session_id,nullzero"`
	ProcessSlug string `bun:"process_slug"`
	// Draft tells that the process is not published: its public page is not there for anyone
	// who does not run it.
	Draft        bool            `bun:"draft"`
	ProcessTitle translated.Text `bun:"process_title"`
	Languages    []string        `bun:"languages,type:json"`
}

// ForAccount lists the roles an account holds, by process.
func ForAccount(ctx context.Context, db bun.IDB, accountID int64) ([]Held, error) {
	var out []Held
	err := db.NewSelect().TableExpr("grants AS g").
		ColumnExpr("g.role, g.process_id, g.session_id, p.slug AS process_slug, p.title AS process_title, p.languages").
		ColumnExpr("p.status = 'draft' AS draft").
		Join("JOIN processes AS p ON p.id = g.process_id").
		Where("g.account_id = ?", accountID).OrderExpr("p.slug, g.role, g.session_id").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("listing the roles of account %d: %w", accountID, err)
	}
	return out, nil
}

// HeldBy is ForAccount for several accounts at once, by account.
func HeldBy(ctx context.Context, db bun.IDB, accountIDs []int64) (map[int64][]Held, error) {
	out := map[int64][]Held{}
	if len(accountIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		AccountID int64 `bun:"account_id"`
		Held
	}
	err := db.NewSelect().TableExpr("grants AS g").
		ColumnExpr("g.account_id, g.role, g.process_id, g.session_id, p.slug AS process_slug, p.title AS process_title, p.languages").
		ColumnExpr("p.status = 'draft' AS draft").
		Join("JOIN processes AS p ON p.id = g.process_id").
		Where("g.account_id IN (?)", bun.List(accountIDs)).OrderExpr("g.account_id, p.slug, g.role, g.session_id").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("listing the roles of %d accounts: %w", len(accountIDs), err)
	}
	for _, r := range rows {
		out[r.AccountID] = append(out[r.AccountID], r.Held)
	}
	return out, nil
}

// scope narrows a query on grants to the whole process (sessionID 0) or one session.
func scope[Q interface {
	Where(string, ...any) Q
}](q Q, sessionID int64) Q {
	if sessionID == 0 {
		return q.Where("session_id IS NULL")
	}
	return q.Where("session_id = ?", sessionID)
}

// Subject is who asks.
type Subject struct {
	AccountID int64
	IsAdmin   bool
}

// Has tells whether the subject may act as role in a process (sessionID 0) or a session of it.
// Admins hold every role. A process-wide grant covers all its sessions. Organisers run their
// process, so they may also moderate and report in it.
func Has(ctx context.Context, db bun.IDB, who Subject, role Role, processID, sessionID int64) (bool, error) {
	if who.IsAdmin {
		return true, nil
	}
	if who.AccountID == 0 || !role.Valid() {
		return false, nil
	}
	roles := []Role{role}
	if role != Organiser {
		roles = append(roles, Organiser)
	}
	q := db.NewSelect().Model((*grant)(nil)).
		Where("account_id = ? AND process_id = ? AND role IN (?)", who.AccountID, processID, bun.List(roles))
	if sessionID == 0 {
		q = q.Where("session_id IS NULL")
	} else {
		q = q.Where("(session_id IS NULL OR session_id = ?)", sessionID)
	}
	ok, err := q.Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("checking %s of %d in process %d: %w", role, who.AccountID, processID, err)
	}
	return ok, nil
}

// Service runs the grant actions, each in one transaction with its audit entry.
type Service struct {
	DB    *bun.DB
	Clock clock.Clock
}

// Grant gives accountID role in a process (sessionID 0) or one of its sessions.
func (s *Service) Grant(ctx context.Context, actor audit.Actor, accountID int64, role Role, processID, sessionID int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return Grant(ctx, tx, s.Clock.Now(), actor, accountID, role, processID, sessionID)
	})
}

// RevokeByID withdraws grant grantID of processID.
func (s *Service) RevokeByID(ctx context.Context, actor audit.Actor, processID, grantID int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return RevokeByID(ctx, tx, s.Clock.Now(), actor, processID, grantID)
	})
}

// Personal is the grants part of a person's data: what they hold, for their download. Grants
// go with the account (the foreign key cascades), so erasing has nothing more to do.
type Personal struct{}

// Export lists the roles accountID holds.
func (Personal) Export(ctx context.Context, db bun.IDB, accountID int64, _ string) (any, error) {
	held, err := ForAccount(ctx, db, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(held))
	for _, h := range held {
		g := map[string]any{"role": h.Role, "process": h.ProcessSlug}
		if h.SessionID != 0 {
			g["session_id"] = h.SessionID
		}
		out = append(out, g)
	}
	return out, nil
}

// Erase does nothing: deleting the account deletes its grants.
func (Personal) Erase(context.Context, bun.IDB, time.Time, int64, string) error { return nil }
