package forums

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Service runs each forum action in its own transaction; the actions tell its followers of
// the changes in that same transaction.
type Service struct {
	DB        *bun.DB
	Clock     clock.Clock
	Followers Followers
	Invite    Inviter
}

func (s *Service) effects() Effects { return Effects{Followers: s.Followers, Invite: s.Invite} }

// Create adds a draft forum to a process.
func (s *Service) Create(ctx context.Context, actor audit.Actor, processID int64, in Input) (Forum, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Forum, error) {
		return Create(ctx, tx, s.Clock.Now(), actor, processID, in)
	})
}

// Update replaces a forum's fields.
func (s *Service) Update(ctx context.Context, actor audit.Actor, processID, forumID int64, in Input) (Forum, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Forum, error) {
		return Update(ctx, tx, s.Clock.Now(), actor, s.effects(), processID, forumID, in)
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
		return Cancel(ctx, tx, s.Clock.Now(), actor, s.effects(), processID, forumID)
	})
}

// CreateSession adds a session to a forum.
func (s *Service) CreateSession(ctx context.Context, actor audit.Actor, processID, forumID int64, in SessionInput) (Session, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Session, error) {
		return CreateSession(ctx, tx, s.Clock.Now(), actor, s.effects(), processID, forumID, in)
	})
}

// UpdateSession replaces a session's fields.
func (s *Service) UpdateSession(ctx context.Context, actor audit.Actor, processID, forumID, sessionID int64, in SessionInput) (Session, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Session, error) {
		return UpdateSession(ctx, tx, s.Clock.Now(), actor, s.effects(), processID, forumID, sessionID, in)
	})
}

// CancelSession cancels a session.
func (s *Service) CancelSession(ctx context.Context, actor audit.Actor, processID, forumID, sessionID int64) (Session, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Session, error) {
		return CancelSession(ctx, tx, s.Clock.Now(), actor, s.effects(), processID, forumID, sessionID)
	})
}

// AddRoom adds a room to a forum's venue.
func (s *Service) AddRoom(ctx context.Context, actor audit.Actor, processID, forumID int64, name string, capacity int) (Room, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Room, error) {
		return AddRoom(ctx, tx, s.Clock.Now(), actor, processID, forumID, name, capacity)
	})
}
