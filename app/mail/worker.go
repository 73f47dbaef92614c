package mail

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
)

// Worker pacing used when a field is left zero.
const (
	DefaultPoll        = time.Second
	DefaultMaxAttempts = 12 // about five hours of retries with the backoff below
	DefaultLease       = 5 * time.Minute
	DefaultBatch       = 100
	DefaultGather      = 200 * time.Millisecond
)

const (
	sendTimeout   = time.Minute      // one delivery attempt, from dialling to the server's answer
	recordTimeout = 10 * time.Second // writing the outcome, even while shutting down
	recordEvery   = time.Second      // the longest a sent message waits to be recorded
	firstBackoff  = 30 * time.Second
	maxBackoff    = time.Hour
	maxErrorLen   = 1000
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, from string, m Message) error
}

// Permanent marks a delivery error that retrying cannot fix (the server refused the recipient
// or the message for good); the worker gives up on the message at once.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Worker sends due outbox messages. Several workers (one per instance) may share a PostgreSQL
// database: each claims due rows in a short transaction (FOR UPDATE SKIP LOCKED) by moving
// their next_attempt_at a lease ahead and marking them with a claim of its own, commits, and
// only then sends. Once half the lease has passed, it renews each row's lease right before
// sending it, on condition that the claim is still its own: a row whose lease ran out while
// earlier ones were sent, and that another worker took over, is skipped, and a send never
// starts with less than half a lease ahead (far longer than a send may take). So no row is sent by two workers, however slow the
// mail server. On SQLite the claim needs no row lock: its writers are serialised.
//
// Delivery is at least once: if the server accepted a message but the worker died before
// recording it, the message goes out again when the lease ends. Once a message is sent or given
// up its body is blanked: reset and verification links must not outlive delivery in backups.
type Worker struct {
	DB          *bun.DB
	Sender      Sender
	From        string // sender address, e.g. "Convene <convene@example.org>"
	Clock       clock.Clock
	Logger      *slog.Logger
	Poll        time.Duration // how often Run looks for due mail; Wake looks at once
	MaxAttempts int           // failed attempts after which a message is given up (failed_at)
	Lease       time.Duration // how long a claim keeps other workers off a row
	Batch       int           // rows claimed at once
	Gather      time.Duration // after a wake, how long mail gathers before a claim
	wake        chan struct{}
}

// NewWorker returns a worker with the default pacing: poll every second, 12 attempts, a
// 5-minute lease, 100 messages a claim, 200 ms of gathering after a wake.
func NewWorker(db *bun.DB, sender Sender, from string, clk clock.Clock, log *slog.Logger) *Worker {
	return &Worker{DB: db, Sender: sender, From: from, Clock: clk, Logger: log,
		Poll: DefaultPoll, MaxAttempts: DefaultMaxAttempts, Lease: DefaultLease, Batch: DefaultBatch,
		Gather: DefaultGather, wake: make(chan struct{}, 1)}
}

// Wake makes a running worker look for due messages now. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

// Run sends due messages until ctx ends; it returns ctx's error.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(orDefault(w.Poll, DefaultPoll))
	defer t.Stop()
	for {
		// A full batch with progress means more may be due: go on without waiting. A batch
		// that sent nothing (the server is down) waits for the next poll.
		for {
			sent, claimed, err := w.runOnce(ctx)
			if err != nil && ctx.Err() == nil {
				w.logger().Error("mail worker", "err", err)
			}
			if err != nil || sent == 0 || claimed < orDefault(w.Batch, DefaultBatch) {
				break
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-w.wake:
			// A wake comes as mail is queued, before the queuing transaction commits, and in a
			// busy minute (a room registering at once) many come together: mail gathers for a
			// moment so that one claim takes it all, instead of a claim per wake.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(w.Gather):
			}
		}
	}
}

// RunOnce claims the messages due now (one batch), tries each once and returns how many were
// sent.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	sent, _, err = w.runOnce(ctx)
	return sent, err
}

func (w *Worker) runOnce(ctx context.Context) (sent, claimed int, err error) {
	lease := orDefault(w.Lease, DefaultLease)
	claim := newClaim()
	claimedAt := w.Clock.Now()
	rows, err := w.claim(ctx, claimedAt, lease, claim)
	if err != nil {
		return 0, 0, err
	}
	// Messages sent are recorded together, at most a second (or a quarter of the lease) after
	// the first of them, and always before half the lease has passed: a commit per message was
	// most of the outbox's cost, and a row sent must be recorded long before its lease could
	// run out and another worker take it. A crash in between sends them again (delivery is at
	// least once).
	wait := min(recordEvery, lease/4)
	if lease <= 2*sendTimeout {
		// A row sent waits unrecorded for at most the next send; from half the lease on, every
		// send is preceded by a flush. Only a lease longer than twice a send keeps that wait
		// inside the lease; with a shorter one, each row is recorded as soon as it is sent.
		wait = 0
	}
	var delivered []int64
	var since time.Time
	flush := func() error {
		if len(delivered) == 0 {
			return nil
		}
		err := w.recordSent(ctx, delivered)
		delivered = delivered[:0]
		return err
	}
	defer func() {
		if ferr := flush(); err == nil {
			err = ferr
		}
	}()
	for i, r := range rows {
		if ctx.Err() != nil {
			return sent, len(rows), w.release(ctx, claim, rows[i:])
		}
		// While half the claim's lease is left (far more than a send may take), the row is
		// still this claim's and needs no renewal; after that, it is renewed first.
		if w.Clock.Now().Sub(claimedAt) >= lease/2 {
			if err := flush(); err != nil {
				return sent, len(rows), err
			}
			mine, err := w.renew(ctx, r.ID, claim, lease)
			if err != nil {
				return sent, len(rows), err
			}
			if !mine {
				continue // its lease ran out while earlier rows were sent, and another worker took it
			}
		}
		sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
		serr := w.Sender.Send(sendCtx, w.From, r.message())
		cancel()
		if serr == nil {
			sent++
			if len(delivered) == 0 {
				since = w.Clock.Now()
			}
			delivered = append(delivered, r.ID)
			if w.Clock.Now().Sub(since) >= wait {
				if err := flush(); err != nil {
					return sent, len(rows), err
				}
			}
			continue
		}
		if err := w.record(ctx, r, serr); err != nil {
			return sent, len(rows), err
		}
	}
	return sent, len(rows), nil
}

// recordSent marks messages sent and blanks their bodies. It runs even when ctx has ended,
// since a message the server accepted but not marked sent would go out twice.
func (w *Worker) recordSent(ctx context.Context, ids []int64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	_, err := w.DB.NewUpdate().Model((*queued)(nil)).Set("attempts = attempts + 1").Set("sent_at = ?", w.Clock.Now().UTC()).
		Set("last_error = ''").Set("body_text = ''").Set("body_html = ''").Set("calendar = ''").
		Where("id IN (?)", bun.List(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("recording the delivery of %d mails: %w", len(ids), err)
	}
	return nil
}

// newClaim returns a random mark that tells this claim's rows from any other's.
func newClaim() string {
	b := make([]byte, 12)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

// claim takes up to Batch due messages and leases them, in a short transaction.
func (w *Worker) claim(ctx context.Context, now time.Time, lease time.Duration, claim string) ([]queued, error) {
	var rows []queued
	err := w.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&rows).
			Where("sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?", now.UTC()).
			OrderExpr("next_attempt_at, id").Limit(int64(orDefault(w.Batch, DefaultBatch)))
		if store.IsPostgres(tx) {
			// Rows another worker is claiming right now are skipped, not waited for.
			q = q.For("UPDATE SKIP LOCKED")
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		_, err := tx.NewUpdate().Model((*queued)(nil)).Set("next_attempt_at = ?", now.Add(lease).UTC()).
			Set("claim = ?", claim).Where("id IN (?)", bun.List(ids(rows))).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claiming due mail: %w", err)
	}
	return rows, nil
}

// renew gives row id a full lease from now if this claim still holds it, and tells whether it
// does.
func (w *Worker) renew(ctx context.Context, id int64, claim string, lease time.Duration) (bool, error) {
	res, err := w.DB.NewUpdate().Model((*queued)(nil)).Set("next_attempt_at = ?", w.Clock.Now().Add(lease).UTC()).
		Where("id = ? AND claim = ? AND sent_at IS NULL AND failed_at IS NULL", id, claim).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("renewing the lease of mail %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// release hands claimed rows that were not tried back to the queue, due now.
func (w *Worker) release(ctx context.Context, claim string, rows []queued) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	_, err := w.DB.NewUpdate().Model((*queued)(nil)).Set("next_attempt_at = ?", w.Clock.Now().UTC()).
		Where("id IN (?) AND claim = ? AND sent_at IS NULL AND failed_at IS NULL", bun.List(ids(rows)), claim).Exec(ctx)
	if err != nil {
		return fmt.Errorf("releasing %d claimed mails: %w", len(rows), err)
	}
	return nil
}

// record writes the outcome of one attempt. It runs even when ctx has ended, since a message
// the server accepted but not marked sent would go out twice.
func (w *Worker) record(ctx context.Context, r queued, sendErr error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	now := w.Clock.Now().UTC()
	attempts := r.Attempts + 1
	q := w.DB.NewUpdate().Model((*queued)(nil)).Where("id = ?", r.ID).Set("attempts = ?", attempts)
	var perm Permanent
	switch {
	case sendErr == nil:
		q = q.Set("sent_at = ?", now).Set("last_error = ''").Set("body_text = ''").Set("body_html = ''").Set("calendar = ''")
	case attempts >= orDefault(w.MaxAttempts, DefaultMaxAttempts) || errors.As(sendErr, &perm):
		q = q.Set("failed_at = ?", now).Set("last_error = ?", truncate(sendErr.Error(), maxErrorLen)).
			Set("body_text = ''").Set("body_html = ''").Set("calendar = ''")
		w.logger().Error("mail given up", "id", r.ID, "attempts", attempts, "err", sendErr)
	default:
		next := now.Add(backoff(attempts))
		q = q.Set("next_attempt_at = ?", next).Set("last_error = ?", truncate(sendErr.Error(), maxErrorLen))
		w.logger().Warn("mail not sent, will retry", "id", r.ID, "attempts", attempts, "next", next, "err", sendErr)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("recording delivery of mail %d: %w", r.ID, err)
	}
	return nil
}

// backoff is the wait after the n-th failed attempt: 30 s doubling, at most an hour, ±20 % so
// messages that failed together do not all come back at once.
func backoff(n int) time.Duration {
	d := firstBackoff << min(max(n-1, 0), 7) // 30 s << 7 is past the cap already
	d = min(d, maxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func ids(rows []queued) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
