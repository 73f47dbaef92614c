package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// Limits counts requests per key in fixed windows that start at a key's first request, in the
// rate_limits table, so that instances sharing the database count together. The counts of
// requests that arrive together are written in one statement (a Batcher): a count is a commit,
// and commits one by one were a third of the cost of a registration. Nothing in a process
// waits on a lock of its own for it either (Fiber's limiter holds one around its storage's
// read and write, which queued every limited route of an instance on two database round trips).
type Limits struct {
	DB *bun.DB

	once  sync.Once
	batch Batcher[hit, counted]
}

type hit struct {
	key    string
	now    time.Time
	window time.Duration
}

type counted struct {
	hits   int
	resets time.Time
	err    error
}

// Hit counts one request of key at now and returns the count so far in its window and when
// the window ends.
func (l *Limits) Hit(ctx context.Context, key string, now time.Time, window time.Duration) (int, time.Time, error) {
	l.once.Do(func() { l.batch.Run, l.batch.Timeout = l.count, 10*time.Second })
	c, err := l.batch.Do(ctx, hit{key: key, now: now.UTC(), window: window})
	if err == nil {
		err = c.err
	}
	return c.hits, c.resets, err
}

// count writes a batch of hits in one upsert: each key once, with how many hits it had. The
// keys go in sorted order, so that two instances whose batches share keys lock their rows in
// the same order and cannot deadlock on PostgreSQL.
func (l *Limits) count(ctx context.Context, hits []hit) []counted {
	out := make([]counted, len(hits))
	var keys []string
	n := map[string]int{}
	now := hits[0].now
	for _, h := range hits {
		if n[h.key] == 0 {
			keys = append(keys, h.key)
		}
		n[h.key]++
		if h.now.After(now) {
			now = h.now
		}
	}
	slices.Sort(keys)
	first := map[string]hit{}
	for _, h := range hits {
		if _, ok := first[h.key]; !ok {
			first[h.key] = h
		}
	}
	values := make([]string, len(keys))
	args := make([]any, 0, 3*len(keys)+2)
	for i, k := range keys {
		values[i] = "(?, ?, ?)"
		args = append(args, k, n[k], now.Add(first[k].window))
	}
	args = append(args, now, now)
	var rows []struct {
		Key      string    `bun:"key"`
		Hits     int       `bun:"hits"`
		ResetsAt time.Time `bun:"resets_at"`
	}
	err := l.DB.NewRaw(`INSERT INTO rate_limits (key, hits, resets_at) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (key) DO UPDATE SET
			hits = CASE WHEN rate_limits.resets_at <= ? THEN EXCLUDED.hits ELSE rate_limits.hits + EXCLUDED.hits END,
			resets_at = CASE WHEN rate_limits.resets_at <= ? THEN EXCLUDED.resets_at ELSE rate_limits.resets_at END
		RETURNING key, hits, resets_at`, args...).Scan(ctx, &rows)
	if err != nil {
		for i := range out {
			out[i].err = fmt.Errorf("counting %s: %w", hits[i].key, err)
		}
		return out
	}
	total := map[string]counted{}
	for _, r := range rows {
		total[r.Key] = counted{hits: r.Hits, resets: r.ResetsAt}
	}
	// The j-th of a key's k hits in the batch is its count's (k-j)-th from the end.
	seen := map[string]int{}
	for i, h := range hits {
		t := total[h.key]
		seen[h.key]++
		out[i] = counted{hits: t.hits - n[h.key] + seen[h.key], resets: t.resets}
	}
	return out
}

// SweepRateLimits removes the counts whose window has ended.
func SweepRateLimits(ctx context.Context, db bun.IDB, now time.Time) error {
	if _, err := db.NewRaw(`DELETE FROM rate_limits WHERE resets_at <= ?`, now.UTC()).Exec(ctx); err != nil {
		return fmt.Errorf("sweeping rate limits: %w", err)
	}
	return nil
}
