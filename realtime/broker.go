package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// Notice is what instances tell each other: a room's event number (the frames are in
// live_events), or (Seq 0) that its counts changed for Keys (none: all).
type Notice struct {
	Room string
	Seq  uint64
	Keys []string
}

// Receiver is what a broker hands notices to: the hub.
type Receiver interface {
	Notice(n Notice)
	// Reconnected says notices may have been lost while the broker was away.
	Reconnected()
}

// Broker carries notices between instances.
type Broker interface {
	// Send tells every other instance.
	Send(ctx context.Context, notices []Notice) error
	// Listen hands the other instances' notices to r until ctx ends.
	Listen(ctx context.Context, r Receiver) error
}

// Local is the broker of a single instance (SQLite): there is nobody to tell.
type Local struct{}

// Send does nothing: the hub has delivered already.
func (Local) Send(context.Context, []Notice) error { return nil }

// Listen waits for ctx.
func (Local) Listen(ctx context.Context, _ Receiver) error {
	<-ctx.Done()
	return nil
}

// maxPayload stays under PostgreSQL's 8000-byte NOTIFY limit.
const maxPayload = 7900

// Postgres carries notices between instances through LISTEN/NOTIFY on one channel: a line per
// notice, "e <room> <seq>" or "c <room> <key,key...>". Every instance runs one listener
// connection; while it reconnects, notices are lost, so the hub then catches every room up
// from live_events (Receiver.Reconnected) and nobody is dropped.
type Postgres struct {
	DB      *bun.DB
	Channel string
	Logger  *slog.Logger
	// Ping is how long the listener waits for a notification before checking the connection.
	Ping time.Duration
	// Listening, when set, is called each time the listener has (re)connected and caught up.
	Listening func()
}

// Send notifies the other instances (this one hears its own notices too and finds them
// delivered already).
func (p *Postgres) Send(ctx context.Context, notices []Notice) error {
	var b strings.Builder
	flush := func() error {
		if b.Len() == 0 {
			return nil
		}
		err := pgdriver.Notify(ctx, p.DB, p.Channel, b.String())
		b.Reset()
		if err != nil {
			return fmt.Errorf("notifying the other instances: %w", err)
		}
		return nil
	}
	for _, n := range notices {
		line := encodeNotice(n)
		if b.Len()+len(line)+1 > maxPayload {
			if err := flush(); err != nil {
				return err
			}
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return flush()
}

// encodeNotice writes a notice as one line; counts naming too many keys to fit name none
// (all).
func encodeNotice(n Notice) string {
	if n.Seq != 0 {
		return "e " + n.Room + " " + strconv.FormatUint(n.Seq, 10)
	}
	keys := strings.Join(n.Keys, ",")
	if len(keys)+len(n.Room)+3 > maxPayload {
		keys = ""
	}
	return strings.TrimSpace("c " + n.Room + " " + keys)
}

func decodeNotice(line string) (Notice, error) {
	parts := strings.SplitN(line, " ", 3)
	if len(parts) < 2 {
		return Notice{}, fmt.Errorf("a notice without a room: %q", line)
	}
	n := Notice{Room: parts[1]}
	switch parts[0] {
	case "e":
		if len(parts) != 3 {
			return n, fmt.Errorf("an event notice without a number: %q", line)
		}
		seq, err := strconv.ParseUint(parts[2], 10, 64)
		if err != nil || seq == 0 {
			return n, fmt.Errorf("an event notice with a bad number: %q", line)
		}
		n.Seq = seq
	case "c":
		if len(parts) == 3 && parts[2] != "" {
			n.Keys = strings.Split(parts[2], ",")
		}
	default:
		return n, fmt.Errorf("an unknown notice: %q", line)
	}
	return n, nil
}

// Listen listens until ctx ends. When the channel is quiet for Ping, the listener notifies
// itself on a private channel; if that does not come back within another Ping, the connection
// is dead and is replaced.
func (p *Postgres) Listen(ctx context.Context, r Receiver) error {
	ping := p.Ping
	if ping == 0 {
		ping = 30 * time.Second
	}
	pingChannel := fmt.Sprintf("%s_ping_%d", p.Channel, rand.Uint64())
	var (
		ln      *pgdriver.Listener
		mu      sync.Mutex // guards current, which the stop below closes
		current *pgdriver.Listener
	)
	use := func(l *pgdriver.Listener) {
		mu.Lock()
		current = l
		mu.Unlock()
	}
	// A receive waits up to Ping: ending ctx closes the connection, so Listen returns at once.
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if current != nil {
			_ = current.Close()
		}
	})
	defer stop()
	defer func() {
		if ln != nil {
			_ = ln.Close()
		}
	}()
	waitingForPing, confirming := false, false
	for {
		if ln == nil {
			ln = pgdriver.NewListener(p.DB)
			use(ln)
			if ctx.Err() != nil {
				return nil
			}
			if err := ln.Listen(ctx, p.Channel, pingChannel); err != nil {
				_ = ln.Close()
				ln = nil
				if ctx.Err() != nil {
					return nil
				}
				p.Logger.Warn("realtime: listening failed, retrying", "err", err)
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(time.Second):
				}
				continue
			}
			// LISTEN is written, not confirmed: the listener is known to listen only once its
			// own ping comes back; the catch-up waits for that, or it could miss a notice.
			if err := pgdriver.Notify(ctx, p.DB, pingChannel, ""); err != nil {
				p.Logger.Warn("realtime: ping failed", "err", err)
			}
			waitingForPing, confirming = true, true
		}
		channel, payload, err := ln.ReceiveTimeout(ctx, ping)
		if ctx.Err() != nil {
			return nil
		}
		var ne net.Error
		switch {
		case err != nil && errors.As(err, &ne) && ne.Timeout() && !waitingForPing:
			if err := pgdriver.Notify(ctx, p.DB, pingChannel, ""); err != nil {
				p.Logger.Warn("realtime: ping failed", "err", err)
			}
			waitingForPing = true
		case err != nil:
			p.Logger.Warn("realtime: listener connection lost, reconnecting", "err", err)
			_ = ln.Close()
			ln = nil
		case channel == pingChannel:
			waitingForPing = false
			if confirming {
				confirming = false
				// Whatever was committed before this listener listened is read now.
				r.Reconnected()
				if p.Listening != nil {
					p.Listening()
				}
			}
		default:
			waitingForPing = false
			for _, line := range strings.Split(payload, "\n") {
				n, err := decodeNotice(line)
				if err != nil {
					p.Logger.Error("realtime: bad notice", "err", err)
					continue
				}
				r.Notice(n)
			}
		}
	}
}
