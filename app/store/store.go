// Package store opens Convene's database (PostgreSQL through pgdriver, or SQLite through bun's
// pure-Go shim), runs the embedded migrations and offers the few helpers every capability needs.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/convene/convene/app/problem"
)

// Options tune the connection pool. PostgreSQL run-time parameters (search_path, ...) go in
// the URL's query: pgdriver passes the ones it does not know to the server.
type Options struct {
	MaxConns int
	// BusyTimeout is how long a SQLite writer waits for the write lock before failing with
	// "database is locked" (default 10 s). Tests set more: under -race, beside another pass on
	// two cores, a wait lasts ten times what it does in production.
	BusyTimeout time.Duration
}

// uriPath writes a file's path for a SQLite URI: a '%', '?' or '#' in a folder's name would
// otherwise be read as an escape, the query or a fragment, and another file opened (or none).
func uriPath(path string) string {
	return (&url.URL{Path: path}).EscapedPath()
}

// Open connects to the database named by url: postgres://... or sqlite:PATH.
func Open(ctx context.Context, url string, opt Options) (*bun.DB, error) {
	if opt.MaxConns < 1 {
		opt.MaxConns = 10
	}
	var db *bun.DB
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(url), pgdriver.WithTimeout(10*time.Second),
			pgdriver.WithResetSessionFunc(aliveOrBad)))
		sqldb.SetMaxOpenConns(opt.MaxConns)
		// Every connection may stay idle, for a while: a pool that closed all but a few after
		// each burst opened them again at the next, and a PostgreSQL connection costs the
		// server a process (that churn cut the registrations a second by a fifth and sent p99
		// from 140 ms to over 800). Idle ones close after a minute, for instances sharing a server.
		sqldb.SetMaxIdleConns(opt.MaxConns)
		sqldb.SetConnMaxIdleTime(time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("creating the database folder %s: %w", dir, err)
			}
		}
		// WAL lets readers run beside the one writer; immediate transactions take the write lock
		// at BEGIN, so concurrent writers wait (busy_timeout) instead of failing with "locked".
		busy := opt.BusyTimeout
		if busy <= 0 {
			busy = 10 * time.Second
		}
		dsn := "file:" + uriPath(path) + fmt.Sprintf("?_pragma=busy_timeout(%d)", busy.Milliseconds()) + "&_pragma=journal_mode(WAL)" +
			"&_pragma=foreign_keys(1)&_txlock=immediate"
		sqldb, err := sql.Open(sqliteshim.ShimName, dsn)
		if err != nil {
			return nil, fmt.Errorf("opening sqlite %s: %w", path, err)
		}
		sqldb.SetMaxOpenConns(opt.MaxConns)
		sqldb.SetMaxIdleConns(opt.MaxConns)
		sqldb.SetConnMaxIdleTime(0)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	default:
		return nil, errors.New("database URL must be postgres://... or sqlite:PATH")
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to the database: %w", err)
	}
	return db, nil
}

// IsPostgres tells whether db talks to PostgreSQL (else SQLite).
func IsPostgres(db bun.IDB) bool { return db.Dialect().Name() == dialect.PG }

// ForUpdate adds FOR UPDATE on PostgreSQL; SQLite has no row locks and needs none, because its
// immediate transactions serialise writers.
func ForUpdate(q *bun.SelectQuery, db bun.IDB) *bun.SelectQuery {
	if IsPostgres(db) {
		return q.For("UPDATE")
	}
	return q
}

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = problem.ErrNotFound

// NotFound turns sql.ErrNoRows into ErrNotFound, keeping other errors.
func NotFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either dialect.
func IsUniqueViolation(err error) bool {
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C') == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// InTx runs action in a transaction of db and returns its result: the one way a Service wraps
// an action function that returns a value.
func InTx[T any](ctx context.Context, db *bun.DB, action func(ctx context.Context, tx bun.Tx) (T, error)) (T, error) {
	var out T
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = action(ctx, tx)
		return err
	})
	return out, err
}
