package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/tokens"
	"github.com/convene/convene/app/translated"
)

// A session's moderators and rapporteur are invited by address, never granted outright: the
// organiser learns nothing of whether the address has an account (the answer is the same), and
// nobody holds a role, or is named on the programme, before they accept it.

// InvitationLife is how long an invitation's link works.
const InvitationLife = 30 * 24 * time.Hour

// Invitation statuses.
const (
	InvitePending   = "pending"
	InviteAccepted  = "accepted"
	InviteDeclined  = "declined"
	InviteWithdrawn = "withdrawn"
)

// ErrInvitationGone is a link to an invitation that was answered, withdrawn or has expired.
var ErrInvitationGone = problem.New(problem.Gone, "error.invitation_gone")

// Invitation is an invitation to hold a role at a session.
type Invitation struct {
	bun.BaseModel `bun:"table:role_invitations,alias:ri"`

	ID         int64      `bun:"id,pk,autoincrement"`
	ProcessID  int64      `bun:"process_id,notnull"`
	SessionID  int64      `bun:"session_id,notnull"`
	Role       Role       `bun:"role,notnull"`
	Email      string     `bun:"email,notnull"`
	TokenHash  string     `bun:"token_hash,notnull"`
	Status     string     `bun:"status,notnull"`
	InvitedBy  *int64     `bun:"invited_by"`
	AccountID  *int64     `bun:"account_id"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	ExpiresAt  time.Time  `bun:"expires_at,notnull"`
	AnsweredAt *time.Time `bun:"answered_at"`
}

// Notifier queues a message to a person in the caller's transaction (app/mail's Outbox).
type Notifier interface {
	Notify(ctx context.Context, db bun.IDB, to, lang, kind string, data map[string]any) error
}

// InviteInput says who is invited to what: a canonical address, the role, and what the mail
// names (the session, its forum, in the process's languages, the first the mail's).
type InviteInput struct {
	Email                string
	Role                 Role
	ProcessID, SessionID int64
	Session, Forum       translated.Text
	Languages            []string
	When                 string // the session's day and time, as the forum shows them
}

// Invitations invites people to a session's roles and mails them the link.
type Invitations struct {
	Notifier Notifier
	BaseURL  string
}

// Invite invites in.Email to in.Role at the session, unless an invitation of the same is still
// pending: saving a session again mails nobody twice.
func (iv Invitations) Invite(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, in InviteInput) error {
	if in.Role != Moderator && in.Role != Rapporteur {
		return fmt.Errorf("inviting to %q: only a session's roles are invited", in.Role)
	}
	pending, err := db.NewSelect().Model((*Invitation)(nil)).
		Where("session_id = ? AND role = ? AND email = ? AND status = ? AND expires_at > ?", in.SessionID, in.Role, in.Email, InvitePending, now).
		Exists(ctx)
	if err != nil || pending {
		return err
	}
	// An expired one makes way for the new.
	if _, err := db.NewUpdate().Model((*Invitation)(nil)).Set("status = ?", InviteWithdrawn).Set("answered_at = ?", now).
		Where("session_id = ? AND role = ? AND email = ? AND status = ?", in.SessionID, in.Role, in.Email, InvitePending).Exec(ctx); err != nil {
		return fmt.Errorf("ending an expired invitation: %w", err)
	}
	token, hash := tokens.New()
	inv := &Invitation{ProcessID: in.ProcessID, SessionID: in.SessionID, Role: in.Role, Email: in.Email, TokenHash: hash,
		Status: InvitePending, CreatedAt: now, ExpiresAt: now.Add(InvitationLife)}
	if actor.AccountID != 0 {
		inv.InvitedBy = &actor.AccountID
	}
	if _, err := db.NewInsert().Model(inv).Exec(ctx); err != nil {
		return fmt.Errorf("inviting to %s of session %d: %w", in.Role, in.SessionID, err)
	}
	lang := translated.Languages()[0]
	if len(in.Languages) > 0 {
		lang = in.Languages[0]
	}
	err = iv.Notifier.Notify(ctx, db, in.Email, lang, string(in.Role)+"_invitation", map[string]any{
		"Session": in.Session.In(lang, in.Languages...), "Forum": in.Forum.In(lang, in.Languages...),
		"When": in.When, "Link": iv.BaseURL + "/invitations/" + token, "Days": int(InvitationLife.Hours() / 24)})
	if err != nil {
		return err
	}
	// The address stays out of the log: it names a person who has not answered.
	return audit.Record(ctx, db, now, actor, "invitation.add", "process", fmt.Sprint(in.ProcessID),
		map[string]any{"invitation": inv.ID, "role": in.Role, "session_id": in.SessionID})
}

// Withdraw ends the pending invitations of a session that wanted (role → addresses) no
// longer names.
func Withdraw(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, sessionID int64, wanted map[Role][]string) error {
	pending, err := PendingFor(ctx, db, now, sessionID)
	if err != nil {
		return err
	}
	for _, inv := range pending {
		keep := false
		for _, e := range wanted[inv.Role] {
			keep = keep || e == inv.Email
		}
		if keep {
			continue
		}
		if _, err := db.NewUpdate().Model((*Invitation)(nil)).Set("status = ?", InviteWithdrawn).Set("answered_at = ?", now).
			Where("id = ?", inv.ID).Exec(ctx); err != nil {
			return fmt.Errorf("withdrawing invitation %d: %w", inv.ID, err)
		}
		if err := audit.Record(ctx, db, now, actor, "invitation.withdraw", "process", fmt.Sprint(inv.ProcessID),
			map[string]any{"invitation": inv.ID, "role": inv.Role, "session_id": sessionID}); err != nil {
			return err
		}
	}
	return nil
}

// PendingFor lists the invitations of a session still waiting for an answer, by role and
// address.
func PendingFor(ctx context.Context, db bun.IDB, now time.Time, sessionID int64) ([]Invitation, error) {
	var out []Invitation
	if err := db.NewSelect().Model(&out).Where("session_id = ? AND status = ? AND expires_at > ?", sessionID, InvitePending, now).
		OrderExpr("role, email").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the invitations of session %d: %w", sessionID, err)
	}
	return out, nil
}

// ByToken returns the pending invitation of a mailed link; with lock, locked on PostgreSQL so
// one link is answered once.
func ByToken(ctx context.Context, db bun.IDB, now time.Time, token string, lock bool) (Invitation, error) {
	var inv Invitation
	q := db.NewSelect().Model(&inv).Where("token_hash = ?", tokens.Hash(token))
	if lock {
		q = store.ForUpdate(q, db)
	}
	if err := q.Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return inv, store.ErrNotFound
		}
		return inv, fmt.Errorf("looking up an invitation: %w", err)
	}
	if inv.Status != InvitePending || !now.Before(inv.ExpiresAt) {
		return inv, ErrInvitationGone
	}
	return inv, nil
}

// Accept gives accountID the role of the invitation of token: holding the link mailed to the
// address proves it, and accepting is the person's consent to hold the role and be named.
func Accept(ctx context.Context, db bun.IDB, now time.Time, token string, accountID int64) (Invitation, error) {
	inv, err := ByToken(ctx, db, now, token, true)
	if err != nil {
		return inv, err
	}
	inv.Status, inv.AnsweredAt, inv.AccountID = InviteAccepted, &now, &accountID
	if _, err := db.NewUpdate().Model(&inv).Column("status", "answered_at", "account_id").WherePK().Exec(ctx); err != nil {
		return inv, fmt.Errorf("accepting invitation %d: %w", inv.ID, err)
	}
	return inv, Grant(ctx, db, now, audit.Actor{AccountID: accountID}, accountID, inv.Role, inv.ProcessID, inv.SessionID)
}

// Decline turns the invitation of token down.
func Decline(ctx context.Context, db bun.IDB, now time.Time, token string) (Invitation, error) {
	inv, err := ByToken(ctx, db, now, token, true)
	if err != nil {
		return inv, err
	}
	inv.Status, inv.AnsweredAt = InviteDeclined, &now
	if _, err := db.NewUpdate().Model(&inv).Column("status", "answered_at").WherePK().Exec(ctx); err != nil {
		return inv, fmt.Errorf("declining invitation %d: %w", inv.ID, err)
	}
	return inv, audit.Record(ctx, db, now, audit.Actor{}, "invitation.decline", "process", fmt.Sprint(inv.ProcessID),
		map[string]any{"invitation": inv.ID, "role": inv.Role, "session_id": inv.SessionID})
}

// Accept runs Accept in a transaction.
func (s *Service) Accept(ctx context.Context, token string, accountID int64) (Invitation, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Invitation, error) {
		return Accept(ctx, tx, s.Clock.Now(), token, accountID)
	})
}

// Decline runs Decline in a transaction.
func (s *Service) Decline(ctx context.Context, token string) (Invitation, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Invitation, error) {
		return Decline(ctx, tx, s.Clock.Now(), token)
	})
}

// InvitationData is the invitations part of a person's data: those sent to their address.
type InvitationData struct{}

// Export lists the invitations sent to email.
func (InvitationData) Export(ctx context.Context, db bun.IDB, _ int64, email string) (any, error) {
	var list []Invitation
	if err := db.NewSelect().Model(&list).Where("email = ?", email).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing the invitations of an address: %w", err)
	}
	out := make([]map[string]any, 0, len(list))
	for _, inv := range list {
		out = append(out, map[string]any{"role": inv.Role, "session_id": inv.SessionID, "status": inv.Status, "sent_at": inv.CreatedAt})
	}
	return out, nil
}

// Erase removes the invitations sent to email: the roles accepted stay with the account (and
// go with it).
func (InvitationData) Erase(ctx context.Context, db bun.IDB, _ time.Time, _ int64, email string) error {
	if _, err := db.NewDelete().Model((*Invitation)(nil)).Where("email = ?", email).Exec(ctx); err != nil {
		return fmt.Errorf("erasing the invitations of an address: %w", err)
	}
	return nil
}
