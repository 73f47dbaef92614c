package forums

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Service runs each forum action in its own transaction, and tells its followers of the
// changes in that same transaction.
type Service struct {
	DB        *bun.DB
	Clock     clock.Clock
	Followers []Follower
}

// Follower hears, in the transaction of the change, of the changes to a forum and its sessions
// that people holding a place must hear of (registration sends their invites again).
// calendar says whether a calendar shows the change (the sequence grew).
type Follower interface {
	ForumChanged(ctx context.Context, db bun.IDB, now time.Time, f Forum, calendar bool) error
	SessionChanged(ctx context.Context, db bun.IDB, now time.Time, f Forum, s Session, calendar bool) error
}

func (s *Service) forumChanged(ctx context.Context, db bun.IDB, f Forum, before int) error {
	for _, fl := range s.Followers {
		if err := fl.ForumChanged(ctx, db, s.Clock.Now(), f, f.Sequence > before); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) sessionChanged(ctx context.Context, db bun.IDB, forumID int64, ss Session, before int) error {
	if len(s.Followers) == 0 {
		return nil
	}
	f, err := Get(ctx, db, forumID)
	if err != nil {
		return err
	}
	for _, fl := range s.Followers {
		if err := fl.SessionChanged(ctx, db, s.Clock.Now(), f, ss, ss.Sequence > before); err != nil {
			return err
		}
	}
	return nil
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
		before, err := ByID(ctx, tx, processID, forumID)
		if err != nil {
			return Forum{}, err
		}
		f, err := Update(ctx, tx, s.Clock.Now(), actor, processID, forumID, in)
		if err != nil {
			return f, err
		}
		return f, s.forumChanged(ctx, tx, f, before.Sequence)
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
		before, err := ByID(ctx, tx, processID, forumID)
		if err != nil {
			return Forum{}, err
		}
		f, err := Cancel(ctx, tx, s.Clock.Now(), actor, processID, forumID)
		if err != nil {
			return f, err
		}
		return f, s.forumChanged(ctx, tx, f, before.Sequence)
	})
}

// CreateSession adds a session to a forum.
func (s *Service) CreateSession(ctx context.Context, actor audit.Actor, processID, forumID int64, in SessionInput) (Session, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Session, error) {
		return CreateSession(ctx, tx, s.Clock.Now(), actor, processID, forumID, in)
	})
}

// UpdateSession replaces a session's fields.
func (s *Service) UpdateSession(ctx context.Context, actor audit.Actor, processID, forumID, sessionID int64, in SessionInput) (Session, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Session, error) {
		before, err := sessionOf(ctx, tx, forumID, sessionID)
		if err != nil {
			return Session{}, err
		}
		ss, err := UpdateSession(ctx, tx, s.Clock.Now(), actor, processID, forumID, sessionID, in)
		if err != nil {
			return ss, err
		}
		return ss, s.sessionChanged(ctx, tx, forumID, ss, before.Sequence)
	})
}

// CancelSession cancels a session.
func (s *Service) CancelSession(ctx context.Context, actor audit.Actor, processID, forumID, sessionID int64) (Session, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Session, error) {
		before, err := sessionOf(ctx, tx, forumID, sessionID)
		if err != nil {
			return Session{}, err
		}
		ss, err := CancelSession(ctx, tx, s.Clock.Now(), actor, processID, forumID, sessionID)
		if err != nil {
			return ss, err
		}
		return ss, s.sessionChanged(ctx, tx, forumID, ss, before.Sequence)
	})
}

// AddRoom adds a room to a forum's venue.
func (s *Service) AddRoom(ctx context.Context, actor audit.Actor, processID, forumID int64, name string, capacity int) (Room, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Room, error) {
		return AddRoom(ctx, tx, s.Clock.Now(), actor, processID, forumID, name, capacity)
	})
}
