package forums

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Service runs each forum action in its own transaction.
type Service struct {
	DB    *bun.DB
	Clock clock.Clock
}

// Create adds a draft forum to a process.
func (s *Service) Create(ctx context.Context, actor audit.Actor, processID int64, in Input) (Forum, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Forum, error) {
		return Create(ctx, tx, s.Clock.Now(), actor, processID, in)
	})
}

// Update replaces a forum's fields.
func (s *Service) Update(ctx context.Context, actor audit.Actor, processID, forumID int64, in Input) (Forum, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Forum, error) {
		return Update(ctx, tx, s.Clock.Now(), actor, processID, forumID, in)
	})
}

// Publish makes a draft forum public.
func (s *Service) Publish(ctx context.Context, actor audit.Actor, processID, forumID int64) (Forum, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Forum, error) {
		return Publish(ctx, tx, s.Clock.Now(), actor, processID, forumID)
	})
}

// Cancel cancels a forum.
func (s *Service) Cancel(ctx context.Context, actor audit.Actor, processID, forumID int64) (Forum, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Forum, error) {
		return Cancel(ctx, tx, s.Clock.Now(), actor, processID, forumID)
	})
}
