package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
)

// ErrThrottled refuses a sign-in attempt that came too soon after failed ones; RetryAfter says
// when the next may come.
var ErrThrottled = problem.New(problem.TooMany, "error.signin_throttled").At("email")

// Sign-in throttling: the first freeAttempts failures cost nothing; each later one doubles the
// wait before the next attempt, from a second up to maxThrottle. Failures older than
// forgetAfter are forgotten. At the cap a guesser gets one try a minute per account.
const (
	freeAttempts = 5
	maxThrottle  = time.Minute
	forgetAfter  = time.Hour
)

type signinThrottle struct {
	bun.BaseModel `bun:"table:signin_throttle"`

	EmailHash     string    `bun:"email_hash,pk"`
	Failures      int       `bun:"failures,notnull"`
	LastFailureAt time.Time `bun:"last_failure_at,notnull"`
	NextAllowedAt time.Time `bun:"next_allowed_at,notnull"`
}

// throttleKey keeps no address in the table: only a hash of the normalised one.
func throttleKey(email string) string {
	sum := sha256.Sum256([]byte("signin:" + NormalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// throttleDelay is the wait after the n-th failure in a row.
func throttleDelay(n int) time.Duration {
	if n <= freeAttempts {
		return 0
	}
	return min(time.Second<<min(n-freeAttempts-1, 16), maxThrottle)
}

// throttled returns how long a sign-in for email must still wait (0: it may go ahead).
func throttled(ctx context.Context, db bun.IDB, now time.Time, email string) (time.Duration, error) {
	var t signinThrottle
	err := db.NewSelect().Model(&t).Where("email_hash = ?", throttleKey(email)).Scan(ctx)
	if errors.Is(store.NotFound(err), store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading sign-in failures: %w", err)
	}
	if wait := t.NextAllowedAt.Sub(now); wait > 0 {
		return (wait + time.Second - 1).Truncate(time.Second), nil
	}
	return 0, nil
}

// recordFailure counts one more failed sign-in for email, starting again from one when the last
// was long ago.
func recordFailure(ctx context.Context, db bun.IDB, now time.Time, email string) error {
	key := throttleKey(email)
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var t signinThrottle
		err := store.ForUpdate(tx.NewSelect().Model(&t).Where("email_hash = ?", key), tx).Scan(ctx)
		switch {
		case errors.Is(store.NotFound(err), store.ErrNotFound):
			t = signinThrottle{EmailHash: key}
		case err != nil:
			return fmt.Errorf("reading sign-in failures: %w", err)
		}
		if now.Sub(t.LastFailureAt) > forgetAfter {
			t.Failures = 0
		}
		t.Failures++
		t.LastFailureAt, t.NextAllowedAt = now, now.Add(throttleDelay(t.Failures))
		_, err = tx.NewInsert().Model(&t).On("CONFLICT (email_hash) DO UPDATE").
			Set("failures = EXCLUDED.failures, last_failure_at = EXCLUDED.last_failure_at, next_allowed_at = EXCLUDED.next_allowed_at").
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("recording a failed sign-in: %w", err)
		}
		return nil
	})
}

// forgetFailures clears the count after a successful sign-in.
func forgetFailures(ctx context.Context, db bun.IDB, email string) error {
	if _, err := db.NewDelete().Model((*signinThrottle)(nil)).Where("email_hash = ?", throttleKey(email)).Exec(ctx); err != nil {
		return fmt.Errorf("clearing sign-in failures: %w", err)
	}
	return nil
}

// SweepThrottle removes failure counts old enough to be forgotten.
func SweepThrottle(ctx context.Context, db bun.IDB, now time.Time) error {
	if _, err := db.NewDelete().Model((*signinThrottle)(nil)).Where("last_failure_at < ?", now.Add(-forgetAfter)).Exec(ctx); err != nil {
		return fmt.Errorf("sweeping sign-in failures: %w", err)
	}
	return nil
}
