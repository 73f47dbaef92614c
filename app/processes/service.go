package processes

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Service runs each process action (actions.go) in its own transaction. Bad input comes back
// as validate.Errors and leaves the database as it was.
type Service struct {
	DB    *bun.DB
	Clock clock.Clock
}

// Create adds a process.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in ProcessInput) (Process, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Process, error) {
		return Create(ctx, tx, s.Clock.Now(), actor, in)
	})
}

// Update replaces a process's fields.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, in ProcessInput) (Process, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Process, error) {
		return Update(ctx, tx, s.Clock.Now(), actor, id, in)
	})
}

// CreateTopic adds a topic at the end of its kind.
func (s *Service) CreateTopic(ctx context.Context, actor audit.Actor, processID int64, in TopicInput) (Topic, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Topic, error) {
		return CreateTopic(ctx, tx, s.Clock.Now(), actor, processID, in)
	})
}

// UpdateTopic replaces a topic's fields.
func (s *Service) UpdateTopic(ctx context.Context, actor audit.Actor, processID, topicID int64, in TopicInput) (Topic, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Topic, error) {
		return UpdateTopic(ctx, tx, s.Clock.Now(), actor, processID, topicID, in)
	})
}

// DeleteTopic removes a topic of a process.
func (s *Service) DeleteTopic(ctx context.Context, actor audit.Actor, processID, topicID int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return DeleteTopic(ctx, tx, s.Clock.Now(), actor, processID, topicID)
	})
}

// MoveTopic swaps a topic with its neighbour of the same kind (-1 up, +1 down).
func (s *Service) MoveTopic(ctx context.Context, actor audit.Actor, processID, topicID int64, direction int) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return MoveTopic(ctx, tx, s.Clock.Now(), actor, processID, topicID, direction)
	})
}
