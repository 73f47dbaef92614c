package minutes

import (
	"context"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Service runs each minutes action in a transaction of its own, and mails what people are
// told in it.
type Service struct {
	DB      *bun.DB
	Clock   clock.Clock
	Mail    Mailer // nil: nobody is mailed
	Log     *slog.Logger
	BaseURL string // for links in mail
	Words   Days   // nil: days in mail as YYYY-MM-DD
	// Answered hear, in its transaction, of each decision on an input: the capabilities whose
	// people an input came from (the consultation's commenters) tell them.
	Answered []AnswerFollower
}

// AnswerFollower hears of a decision on an input in the transaction that records it.
type AnswerFollower interface {
	InputAnswered(ctx context.Context, db bun.IDB, d Disposition) error
}

func run[T any](ctx context.Context, s *Service, action func(ctx context.Context, tx bun.Tx, now time.Time) (T, error)) (T, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (T, error) {
		return action(ctx, tx, s.Clock.Now())
	})
}

// RemindLoop sends the reminders of minutes coming due and overdue every interval until ctx ends.
func (s *Service) RemindLoop(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (int, error) {
			return Remind(ctx, tx, s.Mail, s.Words, s.Log, s.BaseURL, now)
		}); err != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Open begins a session's minutes, or returns those begun.
func (s *Service) Open(ctx context.Context, who Who, sessionID int64) (Minutes, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Minutes, error) {
		return Open(ctx, tx, now, who, sessionID)
	})
}

// Save saves a draft whole.
func (s *Service) Save(ctx context.Context, who Who, minutesID int64, in DraftInput) (Minutes, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Minutes, error) {
		return Save(ctx, tx, now, who, minutesID, in)
	})
}

// Submit sends a draft to review.
func (s *Service) Submit(ctx context.Context, who Who, minutesID, revision int64) (Minutes, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Minutes, error) {
		return Submit(ctx, tx, now, who, minutesID, revision)
	})
}

// SendBack returns minutes in review to their rapporteur.
func (s *Service) SendBack(ctx context.Context, who Who, minutesID int64, request string) (Minutes, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Minutes, error) {
		return SendBack(ctx, tx, now, who, minutesID, request)
	})
}

// Publish publishes minutes in review.
func (s *Service) Publish(ctx context.Context, who Who, minutesID int64) (Minutes, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Minutes, error) {
		return Publish(ctx, tx, now, who, minutesID)
	})
}

// Correct publishes a corrected version.
func (s *Service) Correct(ctx context.Context, who Who, minutesID int64, in DraftInput, reason string) (Minutes, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Minutes, error) {
		return Correct(ctx, tx, now, who, minutesID, in, reason)
	})
}

// Propose proposes a correction to an input of minutes in review.
func (s *Service) Propose(ctx context.Context, who Who, inputID int64, body, note string) (Proposal, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Proposal, error) {
		return Propose(ctx, tx, s.Clock.Now(), who, inputID, body, note)
	})
}

// Answer accepts or declines a proposed correction.
func (s *Service) Answer(ctx context.Context, who Who, proposalID int64, accept bool, reason string) (Proposal, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Proposal, error) {
		return Answer(ctx, tx, s.Clock.Now(), who, proposalID, accept, reason)
	})
}

// Dispose records what became of an input.
func (s *Service) Dispose(ctx context.Context, who Who, inputID int64, in DispositionInput) (Disposition, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Disposition, error) {
		d, err := Dispose(ctx, tx, s.Clock.Now(), who, inputID, in)
		if err != nil {
			return d, err
		}
		if err := tellAskers(ctx, tx, s.Mail, s.Log, s.BaseURL, d); err != nil {
			return d, err
		}
		for _, f := range s.Answered {
			if err := f.InputAnswered(ctx, tx, d); err != nil {
				return d, err
			}
		}
		return d, nil
	})
}

// Write saves the draft of a session's minutes, beginning them on their first save
// (in.Revision 0: the editor was opened before anyone began them), and, when submit, sends
// the saved draft to review in the same transaction.
func (s *Service) Write(ctx context.Context, who Who, sessionID int64, in DraftInput, submit bool) (Minutes, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Minutes, error) {
		m, err := Open(ctx, tx, now, who, sessionID)
		if err != nil {
			return m, err
		}
		if in.Revision == 0 {
			in.Revision = 1 // minutes begun and never saved are at revision 1
		}
		if m, err = Save(ctx, tx, now, who, m.ID, in); err != nil || !submit {
			return m, err
		}
		return Submit(ctx, tx, now, who, m.ID, m.Revision)
	})
}
