package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// registerRegistration adds registration: each forum's policy (when it opens and closes,
// approval, offers), its custom questions, the places rows whose counts are locked when a seat
// is given (one per attendance mode, stakeholder quota or capped session), the registrations
// themselves, and calendar invites in the outbox.
func registerRegistration(m *migrate.Migrations) {
	m.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db,
			`CREATE TABLE registration_settings (
				forum_id BIGINT PRIMARY KEY REFERENCES forums(id) ON DELETE CASCADE,
				opens_at {ts},
				closes_at {ts},
				approval BOOLEAN NOT NULL DEFAULT FALSE,
				offer_hours INTEGER NOT NULL DEFAULT 0,
				min_share INTEGER NOT NULL DEFAULT 0,
				updated_at {ts} NOT NULL
			)`,
			`CREATE TABLE registration_questions (
				id {id},
				forum_id BIGINT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
				position INTEGER NOT NULL,
				kind VARCHAR(20) NOT NULL,
				label {json} NOT NULL,
				options {json} NOT NULL,
				required BOOLEAN NOT NULL DEFAULT FALSE
			)`,
			`CREATE INDEX registration_questions_forum_idx ON registration_questions (forum_id, position)`,
			// session_id 0 is the forum itself; stakeholder_group '' the places open to all.
			// capacity NULL is unlimited; the open row also numbers the tickets of its line.
			`CREATE TABLE registration_places (
				id {id},
				forum_id BIGINT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
				session_id BIGINT NOT NULL DEFAULT 0,
				mode VARCHAR(20) NOT NULL,
				stakeholder_group VARCHAR(40) NOT NULL DEFAULT '',
				capacity INTEGER,
				taken INTEGER NOT NULL DEFAULT 0,
				release_at {ts},
				released BOOLEAN NOT NULL DEFAULT FALSE,
				tickets BIGINT NOT NULL DEFAULT 0,
				CHECK (taken >= 0),
				CHECK (capacity IS NULL OR taken <= capacity)
			)`,
			`CREATE UNIQUE INDEX registration_places_pool_idx ON registration_places (forum_id, session_id, mode, stakeholder_group)`,
			`CREATE TABLE registrations (
				id {id},
				forum_id BIGINT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
				session_id BIGINT NOT NULL DEFAULT 0,
				account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
				email VARCHAR(254) NOT NULL,
				name VARCHAR(200) NOT NULL,
				language VARCHAR(10) NOT NULL,
				status VARCHAR(20) NOT NULL,
				mode VARCHAR(20) NOT NULL,
				place_id BIGINT REFERENCES registration_places(id) ON DELETE SET NULL,
				stakeholder_group VARCHAR(40) NOT NULL,
				organisation VARCHAR(200) NOT NULL DEFAULT '',
				country VARCHAR(2) NOT NULL DEFAULT '',
				role VARCHAR(20) NOT NULL,
				languages {json} NOT NULL,
				accessibility TEXT NOT NULL DEFAULT '',
				gender VARCHAR(20) NOT NULL DEFAULT '',
				privacy_version VARCHAR(20) NOT NULL,
				consent_named BOOLEAN NOT NULL DEFAULT FALSE,
				answers {json} NOT NULL,
				waitlisted_at {ts},
				ticket BIGINT NOT NULL DEFAULT 0,
				offer_expires_at {ts},
				code VARCHAR(20) NOT NULL,
				link_salt VARCHAR(32),
				invite_sequence INTEGER NOT NULL DEFAULT 0,
				email_confirmed_at {ts},
				checked_in_at {ts},
				reminded_at {ts},
				created_at {ts} NOT NULL,
				updated_at {ts} NOT NULL
			)`,
			`CREATE UNIQUE INDEX registrations_code_idx ON registrations (code)`,
			`CREATE UNIQUE INDEX registrations_link_idx ON registrations (link_salt)`,
			`CREATE UNIQUE INDEX registrations_account_idx ON registrations (forum_id, session_id, account_id)`,
			`CREATE UNIQUE INDEX registrations_email_idx ON registrations (forum_id, session_id, email) WHERE email <> ''`,
			`CREATE INDEX registrations_line_idx ON registrations (forum_id, session_id, mode, status, ticket)`,
			`CREATE INDEX registrations_mine_idx ON registrations (account_id)`,
			`ALTER TABLE outbox ADD COLUMN calendar TEXT NOT NULL DEFAULT ''`,
			// A person's calendar feed address is made from its generation; resetting it grows it.
			`CREATE TABLE registration_feeds (
				account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
				generation INTEGER NOT NULL
			)`,
		)
	}, func(ctx context.Context, db *bun.DB) error {
		return ddl(ctx, db, `DROP TABLE registration_feeds`, `ALTER TABLE outbox DROP COLUMN calendar`, `DROP TABLE registrations`,
			`DROP TABLE registration_places`, `DROP TABLE registration_questions`, `DROP TABLE registration_settings`)
	})
}
