package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// kvRow is a row of the kv table, which holds the generated signing key.
type kvRow struct {
	bun.BaseModel `bun:"table:kv"`
	Key           string     `bun:"key,pk"`
	Value         []byte     `bun:"value,notnull"`
	ExpiresAt     *time.Time `bun:"expires_at"`
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
