package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
)

// KV is a key-value store in the kv table. It satisfies fiber.Storage, so rate-limit counters
// live in the database and hold across several instances; it also keeps the generated signing
// key (ServerKey). It is written only on the routes a limit guards, never by a page view.
type KV struct {
	DB      *bun.DB
	Clock   clock.Clock
	Timeout time.Duration
}

type kvRow struct {
	bun.BaseModel `bun:"table:kv"`
	Key           string     `bun:"key,pk"`
	Value         []byte     `bun:"value,notnull"`
	ExpiresAt     *time.Time `bun:"expires_at"`
}

func (kv *KV) ctx() (context.Context, context.CancelFunc) {
	d := kv.Timeout
	if d == 0 {
		d = 5 * time.Second
	}
	return context.WithTimeout(context.Background(), d)
}

// Get returns the value of key, or nil when it is absent or expired.
func (kv *KV) Get(key string) ([]byte, error) {
	ctx, cancel := kv.ctx()
	defer cancel()
	var row kvRow
	err := kv.DB.NewSelect().Model(&row).Where("key = ?", key).
		Where("expires_at IS NULL OR expires_at > ?", kv.Clock.Now()).Scan(ctx)
	if err != nil {
		if NotFound(err) == ErrNotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("reading kv %s: %w", key, err)
	}
	return row.Value, nil
}

// Set stores val under key; exp 0 means no expiry.
func (kv *KV) Set(key string, val []byte, exp time.Duration) error {
	if key == "" || len(val) == 0 {
		return nil
	}
	ctx, cancel := kv.ctx()
	defer cancel()
	row := &kvRow{Key: key, Value: val}
	if exp > 0 {
		t := kv.Clock.Now().Add(exp)
		row.ExpiresAt = &t
	}
	_, err := kv.DB.NewInsert().Model(row).
		On("CONFLICT (key) DO UPDATE").
		Set("value = EXCLUDED.value, expires_at = EXCLUDED.expires_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("writing kv %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (kv *KV) Delete(key string) error {
	ctx, cancel := kv.ctx()
	defer cancel()
	if _, err := kv.DB.NewDelete().Model((*kvRow)(nil)).Where("key = ?", key).Exec(ctx); err != nil {
		return fmt.Errorf("deleting kv %s: %w", key, err)
	}
	return nil
}

// Reset removes every key.
func (kv *KV) Reset() error {
	ctx, cancel := kv.ctx()
	defer cancel()
	if _, err := kv.DB.NewDelete().Model((*kvRow)(nil)).Where("key <> ?", serverKeyName).Exec(ctx); err != nil {
		return fmt.Errorf("emptying kv: %w", err)
	}
	return nil
}

// Close does nothing: the database belongs to the caller.
func (kv *KV) Close() error { return nil }

// Sweep deletes expired keys.
func (kv *KV) Sweep(ctx context.Context) (int64, error) {
	res, err := kv.DB.NewDelete().Model((*kvRow)(nil)).Where("expires_at <= ?", kv.Clock.Now()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("sweeping kv: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// serverKeyName is the kv row holding the generated signing key.
const serverKeyName = "server_key"

// ServerKey returns the key that signs CSRF tokens and device cookies when the configuration
// gives none: 32 random bytes generated into the database by the first instance to start, and
// read by every other, so that a token made by one instance is good on all.
func ServerKey(ctx context.Context, db bun.IDB) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating the server key: %w", err)
	}
	if _, err := db.NewInsert().Model(&kvRow{Key: serverKeyName, Value: key}).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("storing the server key: %w", err)
	}
	var row kvRow
	if err := db.NewSelect().Model(&row).Where("key = ?", serverKeyName).Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading the server key: %w", err)
	}
	return row.Value, nil
}
