package web

import "sync"

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
