package qa

import (
	"context"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/realtime"
)

// Live is what the service tells after commit (realtime.Hub).
type Live interface {
	Publish(ctx context.Context, events ...realtime.Event) error
	Touch(room string, keys ...string)
}

// Service runs each Q&A action in its own transaction and, once it has committed, sends its
// events to the session's listeners (votes as the room's counts).
type Service struct {
	DB    *bun.DB
	Clock clock.Clock
	Live  Live
}

func (s *Service) publish(ctx context.Context, events []realtime.Event) error {
	if s.Live == nil || len(events) == 0 {
		return nil
	}
	return s.Live.Publish(ctx, events...)
}

type result[T any] struct {
	v      T
	events []realtime.Event
}

// run runs action in a transaction and publishes its events after commit. A publish that
// fails loses nothing: the events are in live_events, and listeners catch up from there.
func run[T any](ctx context.Context, s *Service, action func(ctx context.Context, tx bun.Tx, now time.Time) (T, []realtime.Event, error)) (T, error) {
	r, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (result[T], error) {
		v, events, err := action(ctx, tx, s.Clock.Now())
		return result[T]{v, events}, err
	})
	if err != nil {
		return r.v, err
	}
	_ = s.publish(ctx, r.events)
	return r.v, nil
}

// Ask puts a question to a session.
func (s *Service) Ask(ctx context.Context, who Who, sessionID int64, in AskInput) (Question, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Question, []realtime.Event, error) {
		return Ask(ctx, tx, now, who, sessionID, in)
	})
}

// Vote votes for a question; the room's counts follow within a fifth of a second.
func (s *Service) Vote(ctx context.Context, who Who, id int64) (Question, error) {
	q, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Question, error) {
		return Vote(ctx, tx, s.Clock.Now(), who, id)
	})
	if err == nil && s.Live != nil {
		s.Live.Touch(Room(q.SessionID), strconv.FormatInt(q.ID, 10))
	}
	return q, err
}

// Unvote withdraws a vote.
func (s *Service) Unvote(ctx context.Context, who Who, id int64) (Question, error) {
	q, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Question, error) {
		return Unvote(ctx, tx, s.Clock.Now(), who, id)
	})
	if err == nil && s.Live != nil {
		s.Live.Touch(Room(q.SessionID), strconv.FormatInt(q.ID, 10))
	}
	return q, err
}

// Report reports a question.
func (s *Service) Report(ctx context.Context, who Who, id int64) (Question, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Question, []realtime.Event, error) {
		return Report(ctx, tx, now, who, id)
	})
}

// Moderate applies a moderator's action to a question.
func (s *Service) Moderate(ctx context.Context, who Who, id int64, m Moderation) (Question, error) {
	q, err := run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Question, []realtime.Event, error) {
		return Moderate(ctx, tx, now, who, id, m)
	})
	if err == nil && m.Kind == Merge && s.Live != nil {
		s.Live.Touch(Room(q.SessionID), strconv.FormatInt(m.Into, 10))
	}
	return q, err
}

// Configure sets a session's Q&A rules.
func (s *Service) Configure(ctx context.Context, who Who, sessionID int64, in SettingsInput) (Settings, error) {
	return run(ctx, s, func(ctx context.Context, tx bun.Tx, now time.Time) (Settings, []realtime.Event, error) {
		return Configure(ctx, tx, now, who, sessionID, in)
	})
}

// SetWords replaces a process's flag words.
func (s *Service) SetWords(ctx context.Context, actor audit.Actor, processID int64, words []string) ([]string, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) ([]string, error) {
		return SetWords(ctx, tx, s.Clock.Now(), actor, processID, words)
	})
}
