package web

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"

	"github.com/convene/convene/realtime"
)

// liveConns keeps count of the websocket connections being served. The HTTP server's shutdown
// does not wait for them (a websocket leaves its request behind), so the site stops them
// itself before it closes the database.
type liveConns struct {
	mu       sync.Mutex
	wg       sync.WaitGroup
	stopping chan struct{}
	stopped  bool
	held     map[int64]int // sockets per account
}

func newLiveConns() *liveConns {
	return &liveConns{stopping: make(chan struct{}), held: map[int64]int{}}
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
func (l *liveConns) enter() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return false
	}
	l.wg.Add(1)
	return true
}

func (l *liveConns) leave() { l.wg.Done() }

// StopLive ends the websocket connections and waits for their handlers to return.
func (s *Server) StopLive() {
	s.live.mu.Lock()
	if !s.live.stopped {
		s.live.stopped = true
		close(s.live.stopping)
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

// pump is a live connection's one writer: it sends what the listener queues (all that waits,
// as one message, a JSON object per line), pings, and checks every liveRecheck that the viewer
// may still listen (allowed), until the peer goes, the listener ends or the server stops. A
// reader answers pings and takes the client's frames (read, nil for none); the handler returns
// only once it has stopped, since the connection is pooled and reused after that.
func (s *Server) pump(conn *websocket.Conn, l *realtime.Listener, allowed func(context.Context) bool, read func([]byte)) {
	if !s.live.enter() {
		return
	}
	defer s.live.leave()
	defer l.Close()
	conn.SetReadLimit(liveReadLimit)
	_ = conn.SetReadDeadline(time.Now().Add(livePongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(livePongWait)) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		defer cancel()
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			if read != nil {
				read(msg)
			}
		}
	}()
	defer func() {
		// A deadline now ends the reader's read (closing a hijacked connection waits for the
		// handler to return).
		_ = conn.SetReadDeadline(time.Now())
		<-closed
	}()
	closeWith := func(code int) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
	}
	ping, check := time.NewTicker(livePing), time.NewTicker(liveRecheck)
	defer ping.Stop()
	defer check.Stop()
	for {
		select {
		case <-s.live.stopping:
			closeWith(websocket.CloseGoingAway)
			return
		case <-ctx.Done():
			return // the peer went
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
				return
			}
		case <-check.C:
			c, cancelCheck := context.WithTimeout(ctx, 10*time.Second)
			ok := allowed(c)
			cancelCheck()
			if !ok {
				closeWith(websocket.ClosePolicyViolation)
				return
			}
		case <-l.Ready():
		case <-l.Done():
		}
		frames, ended, err := l.Take()
		switch {
		case len(frames) > 0:
			_ = conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
			if err := conn.WriteMessage(websocket.TextMessage, bytes.Join(frames, []byte("\n"))); err != nil {
				return
			}
		case !ended:
		case errors.Is(err, realtime.ErrClosed):
			closeWith(websocket.CloseGoingAway)
			return
		case err == nil:
			return
		default:
			// Too slow, or events lost: the client comes back with its number (1013: try again).
			closeWith(websocket.CloseTryAgainLater)
			return
		}
	}
}
