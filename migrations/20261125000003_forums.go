package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerForums creates the forums of a process, the rooms of their venues and the sessions of
// their programmes.
func registerForums(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE forums (
				id {id},
				process_id BIGINT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
				slug VARCHAR(80) NOT NULL UNIQUE,
				title {json} NOT NULL,
				description {json} NOT NULL,
				format VARCHAR(20) NOT NULL,
				venue_name VARCHAR(200) NOT NULL DEFAULT '',
				venue_address VARCHAR(500) NOT NULL DEFAULT '',
				map_url VARCHAR(2000) NOT NULL DEFAULT '',
				accessibility {json} NOT NULL,
				online_url VARCHAR(2000) NOT NULL DEFAULT '',
				time_zone VARCHAR(64) NOT NULL,
				starts_on VARCHAR(10) NOT NULL,
				ends_on VARCHAR(10) NOT NULL,
				status VARCHAR(20) NOT NULL,
				sequence INTEGER NOT NULL DEFAULT 0,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE INDEX forums_process_idx ON forums (process_id, starts_on)`,
			`CREATE TABLE rooms (
				id {id},
				forum_id BIGINT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
				name VARCHAR(100) NOT NULL,
				capacity INTEGER NOT NULL DEFAULT 0
			)`,
			`CREATE TABLE sessions (
				id {id},
				forum_id BIGINT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
				room_id BIGINT REFERENCES rooms(id) ON DELETE SET NULL,
				kind VARCHAR(20) NOT NULL,
				title {json} NOT NULL,
				description {json} NOT NULL,
				starts_at {ts} NOT NULL,
				ends_at {ts} NOT NULL,
				sequence INTEGER NOT NULL DEFAULT 0,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE INDEX sessions_forum_idx ON sessions (forum_id, starts_at)`,
			`CREATE INDEX sessions_room_idx ON sessions (room_id, starts_at)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE sessions`, `DROP TABLE rooms`, `DROP TABLE forums`)
	})
}
