package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerForums creates the forums of a process, the rooms of their venues, the sessions of
// their programmes and the log of changes to published schedules.
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
				status VARCHAR(20) NOT NULL DEFAULT 'scheduled',
				sequence INTEGER NOT NULL DEFAULT 0,
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE INDEX sessions_forum_idx ON sessions (forum_id, starts_at)`,
			`CREATE INDEX sessions_room_idx ON sessions (room_id, starts_at)`,
			`CREATE TABLE schedule_changes (
				id {id},
				forum_id BIGINT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
				session_id BIGINT REFERENCES sessions(id) ON DELETE CASCADE,
				at {ts} NOT NULL,
				what VARCHAR(20) NOT NULL,
				before_value VARCHAR(500) NOT NULL DEFAULT '',
				after_value VARCHAR(500) NOT NULL DEFAULT ''
			)`,
			`CREATE INDEX schedule_changes_forum_idx ON schedule_changes (forum_id, at)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE schedule_changes`, `DROP TABLE sessions`, `DROP TABLE rooms`, `DROP TABLE forums`)
	})
}
