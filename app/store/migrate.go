package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/convene/convene/migrations"
)

func migrator(db *bun.DB) *migrate.Migrator {
	return migrate.NewMigrator(db, migrations.New(), migrate.WithMarkAppliedOnSuccess(true))
}

// Migrate applies every pending migration. Instances starting together take turns through
// bun's migration lock.
func Migrate(ctx context.Context, db *bun.DB) (applied []string, err error) {
	m := migrator(db)
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("creating the migration tables: %w", err)
	}
	if err := lock(ctx, m); err != nil {
		return nil, err
	}
	defer func() {
		if uerr := m.Unlock(ctx); uerr != nil && err == nil {
			err = fmt.Errorf("releasing the migration lock: %w", uerr)
		}
	}()
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrating: %w", err)
	}
	for _, mg := range group.Migrations {
		applied = append(applied, mg.Name)
	}
	return applied, nil
}

func lock(ctx context.Context, m *migrate.Migrator) error {
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the migration lock: %w", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Status lists applied and pending migration names.
func Status(ctx context.Context, db *bun.DB) (applied, pending []string, err error) {
	m := migrator(db)
	if err := m.Init(ctx); err != nil {
		return nil, nil, fmt.Errorf("creating the migration tables: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("reading migration status: %w", err)
	}
	for _, mg := range ms {
		if mg.IsApplied() {
			applied = append(applied, mg.Name)
		} else {
			pending = append(pending, mg.Name)
		}
	}
	return applied, pending, nil
}

// Pending counts migrations not yet applied, without creating anything (for /readyz).
func Pending(ctx context.Context, db *bun.DB) (int, error) {
	m := migrator(db)
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading migration status: %w", err)
	}
	return len(ms.Unapplied()), nil
}
