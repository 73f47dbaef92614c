package minutes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// Statuses of a proposed correction.
const (
	Proposed = "open"
	Accepted = "accepted"
	Declined = "declined"
)

// MaxOpenProposals bounds the corrections one person has waiting on one set of minutes.
const MaxOpenProposals = 20

var (
	// ErrNotParticipant: only the session's confirmed participants and speakers propose.
	ErrNotParticipant = problem.New(problem.Forbidden, "error.minutes_not_participant")
	// ErrReviewClosed: the minutes are not in review, or their review window has passed.
	ErrReviewClosed = problem.New(problem.Conflict, "error.minutes_review_closed")
	// ErrAnswered: the proposal was answered already.
	ErrAnswered = problem.New(problem.Conflict, "error.minutes_proposal_answered")
	// ErrTooManyProposals: the person has MaxOpenProposals waiting already.
	ErrTooManyProposals = problem.New(problem.Conflict, "error.minutes_too_many_proposals")
)

// Proposal is a correction proposed to an input.
type Proposal struct {
	bun.BaseModel `bun:"table:minutes_proposals,alias:p"`

	ID         int64      `bun:"id,pk,autoincrement"`
	MinutesID  int64      `bun:"minutes_id,notnull"`
	InputID    int64      `bun:"input_id,notnull"`
	ProposerID *int64     `bun:"proposer_id"`
	Body       string     `bun:"body,notnull"` // the input's text as proposed
	Note       string     `bun:"note,notnull"` // why
	Status     string     `bun:"status,notnull"`
	Answer     string     `bun:"answer,notnull"` // the rapporteur's reason
	AnsweredBy *int64     `bun:"answered_by"`
	CreatedAt  time.Time  `bun:"created_at,notnull"`
	AnsweredAt *time.Time `bun:"answered_at"`
}

// Propose proposes a new text for an input of minutes in review, while the review window lasts:
// for the session's confirmed participants and its speakers.
func Propose(ctx context.Context, db bun.IDB, now time.Time, who Who, inputID int64, body, note string) (Proposal, error) {
	var x Input
	if err := db.NewSelect().Model(&x).Where("i.id = ? AND NOT i.removed AND i.minutes_id IS NOT NULL", inputID).Scan(ctx); err != nil {
		return Proposal{}, fmt.Errorf("input %d: %w", inputID, store.NotFound(err))
	}
	m, err := lock(ctx, db, *x.MinutesID)
	if err != nil {
		return Proposal{}, err
	}
	if m.Status != Review || m.ReviewUntil == nil || !now.Before(*m.ReviewUntil) {
		return Proposal{}, ErrReviewClosed
	}
	if err := wasThere(ctx, db, who, m.SessionID); err != nil {
		return Proposal{}, err
	}
	var es validate.Errors
	body, note = strings.TrimSpace(body), strings.TrimSpace(note)
	es.LongText("body", body, MaxInput, true)
	es.LongText("note", note, MaxInput, false)
	if err := es.Err(); err != nil {
		return Proposal{}, err
	}
	waiting, err := db.NewSelect().Model((*Proposal)(nil)).Where("minutes_id = ? AND proposer_id = ? AND status = ?", m.ID, who.AccountID, Proposed).Count(ctx)
	if err != nil {
		return Proposal{}, fmt.Errorf("counting proposals: %w", err)
	}
	if waiting >= MaxOpenProposals {
		return Proposal{}, ErrTooManyProposals.With(map[string]any{"Max": MaxOpenProposals})
	}
	p := Proposal{MinutesID: m.ID, InputID: x.ID, ProposerID: &who.AccountID, Body: body, Note: note, Status: Proposed, CreatedAt: now}
	if _, err := db.NewInsert().Model(&p).Exec(ctx); err != nil {
		return p, fmt.Errorf("proposing a correction to input %d: %w", x.ID, err)
	}
	return p, record(ctx, db, now, who, "minutes.propose", m, map[string]any{"input": x.Number})
}

// Answer accepts or declines a proposal, with the reason its proposer reads (required to
// decline). Accepting puts the proposed text in the input.
func Answer(ctx context.Context, db bun.IDB, now time.Time, who Who, proposalID int64, accept bool, reason string) (Proposal, error) {
	var p Proposal
	if err := store.ForUpdate(db.NewSelect().Model(&p).Where("p.id = ?", proposalID), db).Scan(ctx); err != nil {
		return p, fmt.Errorf("proposal %d: %w", proposalID, store.NotFound(err))
	}
	m, err := lock(ctx, db, p.MinutesID)
	if err != nil {
		return p, err
	}
	if err := mayWrite(ctx, db, who, m.ProcessID, m.SessionID); err != nil {
		return p, err
	}
	if p.Status != Proposed {
		return p, ErrAnswered
	}
	if m.Status != Review {
		return p, ErrNotInReview
	}
	var es validate.Errors
	reason = strings.TrimSpace(reason)
	es.LongText("answer", reason, MaxInput, !accept)
	if err := es.Err(); err != nil {
		return p, err
	}
	p.Status, p.Answer, p.AnsweredAt = Declined, reason, &now
	if who.AccountID != 0 {
		p.AnsweredBy = &who.AccountID
	}
	if accept {
		p.Status = Accepted
		if _, err := db.NewUpdate().Model((*Input)(nil)).Set("body = ?", p.Body).Set("updated_at = ?", now).Where("id = ?", p.InputID).Exec(ctx); err != nil {
			return p, fmt.Errorf("correcting input %d: %w", p.InputID, err)
		}
		m.Revision, m.UpdatedAt = m.Revision+1, now
		if err := update(ctx, db, m, "revision", "updated_at"); err != nil {
			return p, err
		}
	}
	if _, err := db.NewUpdate().Model(&p).Column("status", "answer", "answered_by", "answered_at").WherePK().Exec(ctx); err != nil {
		return p, fmt.Errorf("answering proposal %d: %w", p.ID, err)
	}
	return p, record(ctx, db, now, who, "minutes.answer", m, map[string]any{"proposal": p.ID, "status": p.Status})
}

// Proposals are those made on minutes, oldest first.
func Proposals(ctx context.Context, db bun.IDB, minutesID int64) ([]Proposal, error) {
	var ps []Proposal
	if err := db.NewSelect().Model(&ps).Where("p.minutes_id = ?", minutesID).OrderExpr("p.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the proposals on minutes %d: %w", minutesID, err)
	}
	return ps, nil
}

// wasThere lets in the session's speakers and its forum's confirmed participants.
func wasThere(ctx context.Context, db bun.IDB, who Who, sessionID int64) error {
	if who.AccountID == 0 {
		return ErrNotParticipant
	}
	speaker, err := db.NewSelect().Model((*forums.Speaker)(nil)).Where("session_id = ? AND account_id = ?", sessionID, who.AccountID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("checking the speakers of session %d: %w", sessionID, err)
	}
	if speaker {
		return nil
	}
	s, err := forums.SessionByID(ctx, db, sessionID)
	if err != nil {
		return err
	}
	confirmed, err := registration.Confirmed(ctx, db, who.AccountID)
	if err != nil {
		return err
	}
	if !slices.Contains(confirmed, s.ForumID) {
		return ErrNotParticipant
	}
	return nil
}
