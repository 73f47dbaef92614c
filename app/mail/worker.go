package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, from string, m Message) error
}

// Permanent marks a delivery error that retrying cannot fix (the server refused the recipient
// for good); the worker gives up on the message at once.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Worker sends due outbox messages. Several workers (one per instance) may share a PostgreSQL
// database: each claims rows with FOR UPDATE SKIP LOCKED and a lease, so none is sent twice.
type Worker struct {
	DB          *bun.DB
	Sender      Sender
	From        string
	Clock       clock.Clock
	Logger      *slog.Logger
	Poll        time.Duration
	MaxAttempts int
	Lease       time.Duration
	Batch       int
	wake        chan struct{}
}

// NewWorker returns a worker with the default pacing: poll every second, 12 attempts (about
// 12 hours of backoff), a 5-minute lease on claimed messages.
func NewWorker(db *bun.DB, sender Sender, from string, clk clock.Clock, log *slog.Logger) *Worker {
	return &Worker{DB: db, Sender: sender, From: from, Clock: clk, Logger: log,
		Poll: time.Second, MaxAttempts: 12, Lease: 5 * time.Minute, Batch: 20, wake: make(chan struct{}, 1)}
}

// Wake makes a running worker look for due messages now.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends due messages until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		for {
			n, err := w.RunOnce(ctx)
			if err != nil && !errors.Is(err, context.Canceled) {
				w.Logger.Error("mail worker", "err", err)
			}
			if n < w.Batch || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-w.wake:
		}
	}
}

// backoff is the wait after the n-th failed attempt: 30 s doubling, at most an hour, ±20 %.
func backoff(n int) time.Duration {
	d := 30 * time.Second << min(n-1, 7)
	d = min(d, time.Hour)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// claim takes up to Batch due messages and leases them, in a short transaction.
func (w *Worker) claim(ctx context.Context) ([]queued, error) {
	now := w.Clock.Now()
	var rows []queued
	err := w.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&rows).
			Where("sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?", now).
			OrderExpr("next_attempt_at, id").Limit(int64(w.Batch))
		if store.IsPostgres(tx) {
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		_, err := tx.NewUpdate().Model((*queued)(nil)).Set("next_attempt_at = ?", now.Add(w.Lease)).
			Where("id IN (?)", bun.List(ids)).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claiming mail: %w", err)
	}
	return rows, nil
}

// RunOnce sends what is due now and returns how many messages it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	rows, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		sendCtx, cancel := context.WithTimeout(ctx, time.Minute)
		serr := w.Sender.Send(sendCtx, w.From, r.message())
		cancel()
		if err := w.record(ctx, r, serr); err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

func (w *Worker) record(ctx context.Context, r queued, sendErr error) error {
	now := w.Clock.Now()
	q := w.DB.NewUpdate().Model((*queued)(nil)).Where("id = ?", r.ID)
	if sendErr == nil {
		q = q.Set("sent_at = ?", now).Set("attempts = ?", r.Attempts+1).Set("last_error = ''")
	} else {
		attempts := r.Attempts + 1
		var perm Permanent
		q = q.Set("attempts = ?", attempts).Set("last_error = ?", truncate(sendErr.Error(), 1000))
		if attempts >= w.MaxAttempts || errors.As(sendErr, &perm) {
			q = q.Set("failed_at = ?", now)
			w.Logger.Error("mail given up", "id", r.ID, "attempts", attempts, "err", sendErr)
		} else {
			q = q.Set("next_attempt_at = ?", now.Add(backoff(attempts)))
			w.Logger.Warn("mail not sent, will retry", "id", r.ID, "attempts", attempts, "err", sendErr)
		}
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("recording delivery of mail %d: %w", r.ID, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
