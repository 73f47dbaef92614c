package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// ContentChanged grows the content revision inside the caller's transaction. Every action that
// changes what public pages show (processes, topics, forums, sessions, the people named in
// them) calls it, so that caches keyed by the revision miss from the moment the change commits,
// on every instance.
func ContentChanged(ctx context.Context, db bun.IDB) error {
	if _, err := db.NewRaw("UPDATE content_revision SET value = value + 1 WHERE id = 1").Exec(ctx); err != nil {
		return fmt.Errorf("recording a content change: %w", err)
	}
	return nil
}

// ContentRevision is the current content revision. Read it before the data a cached page is
// made of: a page made while a change commits is then filed under the older revision, which
// no later reader asks for.
func ContentRevision(ctx context.Context, db bun.IDB) (int64, error) {
	var v int64
	if err := db.NewRaw("SELECT value FROM content_revision WHERE id = 1").Scan(ctx, &v); err != nil {
		return 0, fmt.Errorf("reading the content revision: %w", err)
	}
	return v, nil
}
