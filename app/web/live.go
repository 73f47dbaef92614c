package web

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"

	"github.com/convene/convene/realtime"
)

// liveConns keeps count of the websocket connections being served. The HTTP server's shutdown
// does not wait for them (a websocket leaves its request behind), so the site stops them
// itself before it closes the database.
type liveConns struct {
	mu      sync.Mutex
	wg      sync.WaitGroup
	stopped bool
	writers map[*liveWriter]struct{}
	held    map[int64]int // sockets per account
}

func newLiveConns() *liveConns {
	return &liveConns{writers: map[*liveWriter]struct{}{}, held: map[int64]int{}}
}

// take counts a socket of account id in, unless it holds max already.
func (l *liveConns) take(id int64, max int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[id] >= max {
		return false
	}
	l.held[id]++
	return true
}

// give counts a socket of account id out.
func (l *liveConns) give(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[id]--; l.held[id] <= 0 {
		delete(l.held, id)
	}
}

// enter counts a connection in, unless the server is stopping.
func (l *liveConns) enter(w *liveWriter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return false
	}
	l.wg.Add(1)
	l.writers[w] = struct{}{}
	return true
}

func (l *liveConns) leave(w *liveWriter) {
	l.mu.Lock()
	delete(l.writers, w)
	l.mu.Unlock()
	l.wg.Done()
}

// StopLive ends the websocket connections (a "going away" close, so clients come back to
// another instance) and waits for their handlers to return.
func (s *Server) StopLive() {
	s.live.mu.Lock()
	s.live.stopped = true
	for w := range s.live.writers {
		w.close(websocket.CloseGoingAway)
	}
	s.live.mu.Unlock()
	s.live.wg.Wait()
}

// Limits of one live socket: what it may send us, how often it is pinged, how long a silent
// peer is kept, how long a write may take, and how often the viewer's right to it is checked.
const (
	liveReadLimit = 4096
	livePing      = 25 * time.Second
	livePongWait  = 60 * time.Second
	liveWriteWait = 10 * time.Second
	liveRecheck   = 2 * time.Second
)

// pump serves a live connection until the peer goes, the listener ends, the viewer may no
// longer listen (allowed, checked every liveRecheck; nil when that cannot change) or the
// server stops. The handler's
// goroutine reads: pongs, and the client's frames (read; nil for none). A writer runs only
// while there is something to write (the listener's frames, all that waits as one message, a
// JSON object a line; a ping; a close), one at a time: ten thousand quiet listeners hold one
// goroutine each, not two. The handler returns only once the writer is done, since the
// connection is pooled and reused after that.
func (s *Server) pump(conn *websocket.Conn, l *realtime.Listener, allowed func(context.Context) bool, read func([]byte)) {
	w := &liveWriter{conn: conn, l: l}
	defer l.Close()
	// Set before anyone may end the connection (the writer ends it with a deadline of now),
	// and a pong after that leaves it ended.
	conn.SetReadLimit(liveReadLimit)
	_ = conn.SetReadDeadline(time.Now().Add(livePongWait))
	conn.SetPongHandler(func(string) error {
		if w.ended() {
			return nil
		}
		return conn.SetReadDeadline(time.Now().Add(livePongWait))
	})
	if !s.live.enter(w) {
		return
	}
	defer s.live.leave(w)
	l.Notify(w.kick)
	w.watch(allowed)
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			break // the peer went, or the writer ended the connection
		}
		if read != nil {
			read(msg)
		}
	}
	w.stop()
}

// liveWriter writes to one live connection, from a goroutine started when there is something
// to write and gone when there is not.
type liveWriter struct {
	conn *websocket.Conn
	l    *realtime.Listener

	mu        sync.Mutex
	wg        sync.WaitGroup // the writer at work
	timer     *time.Timer    // the next check and, every livePing, ping
	ticks     int
	writing   bool // a writer is at work
	again     bool // more came while it was
	ping      bool // a ping is due
	closeCode int  // a close is due, and then the end
	stopped   bool // the handler is done: nothing more is written
}

// ended tells whether nothing more is written: the writer ended the connection, or the
// handler is done.
func (w *liveWriter) ended() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopped
}

// kick starts the writer, or tells the one at work to look again.
func (w *liveWriter) kick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.stopped:
	case w.writing:
		w.again = true
	default:
		w.writing = true
		w.wg.Add(1)
		go w.write()
	}
}

// close has the writer send a close frame with code, and end the connection.
func (w *liveWriter) close(code int) {
	w.mu.Lock()
	if w.closeCode == 0 {
		w.closeCode = code
	}
	w.mu.Unlock()
	w.kick()
}

// watch has the writer ping every livePing and, for a viewer whose right to listen can change
// (allowed; nil for a public room's anonymous listener), checks it every liveRecheck: one
// timer a connection, which starts a goroutine only when it fires.
func (w *liveWriter) watch(allowed func(context.Context) bool) {
	every := livePing
	if allowed != nil {
		every = liveRecheck
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = time.AfterFunc(every, func() {
		if allowed != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			ok := allowed(ctx)
			cancel()
			if !ok {
				w.close(websocket.ClosePolicyViolation)
				return
			}
		}
		w.mu.Lock()
		w.ticks++
		due := w.ticks%int(livePing/every) == 0
		w.ping = w.ping || due
		if !w.stopped {
			w.timer.Reset(every)
		}
		w.mu.Unlock()
		if due {
			w.kick()
		}
	})
}

// write is the writer: it writes until nothing is left, or ends the connection.
func (w *liveWriter) write() {
	defer w.wg.Done()
	for {
		w.mu.Lock()
		ping, code := w.ping, w.closeCode
		w.ping, w.again = false, false
		w.mu.Unlock()
		if !w.flush(ping, code) {
			// The end: nothing more is written, and the handler's read returns at once.
			w.mu.Lock()
			w.stopped, w.writing = true, false
			w.mu.Unlock()
			_ = w.conn.SetReadDeadline(time.Now())
			return
		}
		w.mu.Lock()
		if !w.again || w.stopped {
			w.writing = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
	}
}

// flush writes what is due; false when the connection is to end.
func (w *liveWriter) flush(ping bool, code int) bool {
	closeWith := func(code int) bool {
		_ = w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
		return false
	}
	if code != 0 {
		return closeWith(code)
	}
	frames, ended, err := w.l.Take()
	switch {
	case len(frames) > 0:
		_ = w.conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
		if err := w.writeFrames(frames); err != nil {
			return false
		}
	case !ended:
	case errors.Is(err, realtime.ErrClosed):
		return closeWith(websocket.CloseGoingAway)
	case err == nil:
		return false
	default:
		// Too slow, or events lost: the client comes back with its number (1013: try again).
		return closeWith(websocket.CloseTryAgainLater)
	}
	if ping {
		if err := w.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
			return false
		}
	}
	return true
}

// writeFrames writes frames as one message, a frame a line: straight from the frames into the
// connection's write buffer, with nothing joined first.
func (w *liveWriter) writeFrames(frames [][]byte) error {
	if len(frames) == 1 {
		return w.conn.WriteMessage(websocket.TextMessage, frames[0])
	}
	mw, err := w.conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for i, f := range frames {
		if i > 0 {
			if _, err := io.WriteString(mw, "\n"); err != nil {
				return err
			}
		}
		if _, err := mw.Write(f); err != nil {
			return err
		}
	}
	return mw.Close()
}

// stop ends the writer's work and waits for it: once the handler returns, the connection is
// another's.
func (w *liveWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	w.mu.Unlock()
	w.wg.Wait()
}
