package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerLiveEvents adds what live rooms are numbered in: a counter row per room, taken (and
// locked) by each action that changes what the room's listeners see, and the event's frames,
// written in the same transaction so every instance reads what it missed from here.
func registerLiveEvents(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE live_rooms (
				room VARCHAR(100) PRIMARY KEY,
				seq BIGINT NOT NULL
			)`,
			`CREATE TABLE live_events (
				room VARCHAR(100) NOT NULL,
				seq BIGINT NOT NULL,
				public_frame TEXT,
				full_frame TEXT,
				owner VARCHAR(100) NOT NULL DEFAULT '',
				created_at {ts} NOT NULL,
				PRIMARY KEY (room, seq)
			)`,
			`CREATE INDEX live_events_created_idx ON live_events (created_at)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE live_events`, `DROP TABLE live_rooms`)
	})
}
