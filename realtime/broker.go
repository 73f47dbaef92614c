package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// Broker carries published events to the hub of every instance.
type Broker interface {
	// Publish sends e to every instance, this one included. Call it after the transaction
	// that made the change has committed.
	Publish(ctx context.Context, e Event) error
	// Run delivers events to hub until ctx ends.
	Run(ctx context.Context, hub *Hub) error
}

// Local is the broker of a single instance (SQLite, or tests): events go straight to its hub.
type Local struct{ Hub *Hub }

// Publish delivers e to the hub.
func (l Local) Publish(_ context.Context, e Event) error {
	l.Hub.Deliver(e)
	return nil
}

// Run waits for ctx: delivery happens in Publish.
func (l Local) Run(ctx context.Context, _ *Hub) error {
	<-ctx.Done()
	return ctx.Err()
}

// ErrTooLarge: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
var ErrTooLarge = errors.New("realtime: event too large for NOTIFY")

// maxPayload stays under PostgreSQL's 8000-byte NOTIFY limit.
const maxPayload = 7900

// Postgres carries events between instances through LISTEN/NOTIFY on one channel. Every
// instance runs one listener connection; after it reconnects, the hub resyncs, since
// notifications sent meanwhile are lost.
type Postgres struct {
	DB      *bun.DB
	Channel string
	Logger  *slog.Logger
	// Ping is how long the listener waits for a notification before checking the connection.
	Ping time.Duration
	// Listening, when set, is called each time the listener has (re)connected and the hub has
	// resynced: from then on nothing published is missed.
	Listening func()
}

// Publish sends e with NOTIFY.
func (p *Postgres) Publish(ctx context.Context, e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding event of %s: %w", e.Room, err)
	}
	if len(b) > maxPayload {
		return ErrTooLarge
	}
	if err := pgdriver.Notify(ctx, p.DB, p.Channel, string(b)); err != nil {
		return fmt.Errorf("publishing event %d of %s: %w", e.Seq, e.Room, err)
	}
	return nil
}

// Run listens until ctx ends, delivering every notification to hub. When the channel is quiet
// for Ping, the listener notifies itself on a private channel; if that does not come back
// within another Ping, the connection is dead and is replaced.
func (p *Postgres) Run(ctx context.Context, hub *Hub) error {
	ping := p.Ping
	if ping == 0 {
		ping = 30 * time.Second
	}
	pingChannel := fmt.Sprintf("%s_ping_%d", p.Channel, rand.Uint64())
	var ln *pgdriver.Listener
	defer func() {
		if ln != nil {
			ln.Close()
		}
	}()
	waitingForPing, confirming := false, false
	for {
		if ln == nil {
			ln = pgdriver.NewListener(p.DB)
			if err := ln.Listen(ctx, p.Channel, pingChannel); err != nil {
				ln.Close()
				ln = nil
				if ctx.Err() != nil {
					return ctx.Err()
				}
				p.Logger.Warn("realtime: listening failed, retrying", "err", err)
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Second):
				}
				continue
			}
			// LISTEN is written, not confirmed: the listener is known to be listening only once
			// its own ping comes back. Until then clients are not told to resync, or they could
			// take a snapshot before a notification that is then lost.
			if perr := pgdriver.Notify(ctx, p.DB, pingChannel, ""); perr != nil {
				p.Logger.Warn("realtime: ping failed", "err", perr)
			}
			waitingForPing, confirming = true, true
		}
		channel, payload, err := ln.ReceiveTimeout(ctx, ping)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ne net.Error
		switch {
		case err != nil && errors.As(err, &ne) && ne.Timeout() && !waitingForPing:
			if perr := pgdriver.Notify(ctx, p.DB, pingChannel, ""); perr != nil {
				p.Logger.Warn("realtime: ping failed", "err", perr)
			}
			waitingForPing = true
		case err != nil:
			p.Logger.Warn("realtime: listener connection lost, reconnecting", "err", err)
			ln.Close()
			ln = nil
		case channel == pingChannel:
			waitingForPing = false
			if confirming {
				confirming = false
				// Whatever was sent while nobody listened is lost: clients must resync.
				hub.Resync()
				if p.Listening != nil {
					p.Listening()
				}
			}
		default:
			waitingForPing = false
			var e Event
			if err := json.Unmarshal([]byte(payload), &e); err != nil {
				p.Logger.Error("realtime: bad notification", "err", err)
				continue
			}
			hub.Deliver(e)
		}
	}
}
