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
func ContentChanged(ctx context.Context, db bun.IDB) error { return grow(ctx, db, "content") }

// LoginsChanged grows the logins revision inside the caller's transaction: every change that
// ends a login or changes what a login carries (the account, its roles) calls it, so that no
// instance goes on trusting a login it remembers.
func LoginsChanged(ctx context.Context, db bun.IDB) error { return grow(ctx, db, "logins") }

func grow(ctx context.Context, db bun.IDB, name string) error {
	if _, err := db.NewRaw("UPDATE revisions SET value = value + 1 WHERE name = ?", name).Exec(ctx); err != nil {
		return fmt.Errorf("recording a change of %s: %w", name, err)
	}
	return nil
}

// Revisions are the current revisions, read together.
type Revisions struct {
	Content, Logins int64
}

// ReadRevisions reads both revisions. Read them before the data a cache entry is made of: an
// entry made while a change commits is then filed under the older revision, which no later
// reader asks for.
func ReadRevisions(ctx context.Context, db bun.IDB) (Revisions, error) {
	var rows []struct {
		Name  string `bun:"name"`
		Value int64  `bun:"value"`
	}
	if err := db.NewRaw("SELECT name, value FROM revisions").Scan(ctx, &rows); err != nil {
		return Revisions{}, fmt.Errorf("reading the revisions: %w", err)
	}
	var r Revisions
	for _, row := range rows {
		switch row.Name {
		case "content":
			r.Content = row.Value
		case "logins":
			r.Logins = row.Value
		}
	}
	return r, nil
}

// ContentRevision is the current content revision.
func ContentRevision(ctx context.Context, db bun.IDB) (int64, error) {
	r, err := ReadRevisions(ctx, db)
	return r.Content, err
}
