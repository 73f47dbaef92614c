package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// countAttempt counts a sign-in attempt for email before its password is checked, and returns
// how long it must still wait instead (0: it may go ahead, and is counted as a failure until a
// success forgets it). The row is created if need be, then locked, so concurrent attempts are
// counted one after the other (SQLite's writers are serialised anyway). A refused attempt is not
// counted: waiting out the delay is enough. It runs in a transaction of its own (Service.SignIn):
// the count must stand whatever the password.
func countAttempt(ctx context.Context, db bun.IDB, now time.Time, email string) (time.Duration, error) {
	key := throttleKey(email)
	if _, err := db.NewInsert().Model(&signinThrottle{EmailHash: key, LastFailureAt: now, NextAllowedAt: now}).
		On("CONFLICT (email_hash) DO NOTHING").Exec(ctx); err != nil {
		return 0, fmt.Errorf("counting a sign-in attempt: %w", err)
	}
	var t signinThrottle
	if err := store.ForUpdate(db.NewSelect().Model(&t).Where("email_hash = ?", key), db).Scan(ctx); err != nil {
		return 0, fmt.Errorf("reading sign-in failures: %w", err)
	}
	if w := t.NextAllowedAt.Sub(now); w > 0 {
		return (w + time.Second - 1).Truncate(time.Second), nil
	}
	if now.Sub(t.LastFailureAt) > forgetAfter {
		t.Failures = 0
	}
	t.Failures++
	t.LastFailureAt, t.NextAllowedAt = now, now.Add(throttleDelay(t.Failures))
	if _, err := db.NewUpdate().Model(&t).WherePK().Exec(ctx); err != nil {
		return 0, fmt.Errorf("counting a sign-in attempt: %w", err)
	}
	return 0, nil
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
