package web

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/registration"
)

// Live counts for a forum's organisers: the registrants page opens a websocket and is sent the
// counts whenever they change. Each connection reads them every liveCountsEvery from the
// database all instances share, so a change made through any instance arrives; organisers are
// few, and the registration path, which must stay fast, publishes nothing.
const liveCountsEvery = 2 * time.Second

// liveCounts is the frame the page reads: the figures its summary shows.
type liveCounts struct {
	Confirmed  int `json:"confirmed"`
	CheckedIn  int `json:"checked_in"`
	Waitlisted int `json:"waitlisted"`
	Offered    int `json:"offered"`
	Pending    int `json:"pending"`
	Cancelled  int `json:"cancelled"`
}

// Limits of one live socket: what it may send us (the page sends nothing but pongs), how often
// it is pinged, how long a silent peer is kept, and how many one person may hold.
const (
	liveReadLimit  = 512
	livePing       = 25 * time.Second
	livePongWait   = 60 * time.Second
	liveWriteWait  = 10 * time.Second
	livePerAccount = 8
)

func (s *Server) registrantsLive(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.ErrUpgradeRequired
	}
	fc := adminForum(c)
	a := account(c)
	// Copied before the upgrade: the request's buffers are reused once it is handed over.
	w := liveWatch{forumID: fc.Forum.ID, processID: fc.Process.ID, groups: slices.Clone(fc.Process.StakeholderGroups),
		subject: access.Subject{AccountID: a.ID, IsAdmin: a.IsAdmin}, login: strings.Clone(c.Cookies(s.cookieName("convene_login")))}
	return websocket.New(func(conn *websocket.Conn) {
		if !s.live.take(w.subject.AccountID, livePerAccount) {
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "too many"), time.Now().Add(time.Second))
			return
		}
		defer s.live.give(w.subject.AccountID)
		s.sendLiveCounts(conn, w)
	}, websocket.Config{Origins: []string{s.Config.BaseURL}, HandshakeTimeout: 10 * time.Second})(c)
}

// liveWatch is who watches which forum's counts, kept for checking them again while the socket
// lives: a sign-out or a revoked role ends it.
type liveWatch struct {
	forumID, processID int64
	groups             []string
	subject            access.Subject
	login              string
}

// stillAllowed tells whether the watcher's login still holds and they still run the process.
func (s *Server) stillAllowed(ctx context.Context, w liveWatch) bool {
	a, _, err := s.Accounts.Authenticate(ctx, w.login)
	if err != nil || a.ID != w.subject.AccountID {
		return false
	}
	ok, err := access.Has(ctx, s.DB, access.Subject{AccountID: a.ID, IsAdmin: a.IsAdmin}, access.Organiser, w.processID, 0)
	return err == nil && ok
}

// sendLiveCounts writes the forum's counts to conn when they change, until the page closes, the
// watcher may no longer see them, or the server stops. This goroutine is the connection's only
// writer; a reader answers pings and notices the close, and the handler returns only once it
// has stopped (the connection is pooled and reused after that).
func (s *Server) sendLiveCounts(conn *websocket.Conn, w liveWatch) {
	if !s.live.enter() {
		return
	}
	defer s.live.leave()
	conn.SetReadLimit(liveReadLimit)
	_ = conn.SetReadDeadline(time.Now().Add(livePongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(livePongWait)) })
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	defer func() {
		// A deadline now ends the reader's read (closing a hijacked connection waits for the
		// handler to return).
		_ = conn.SetReadDeadline(time.Now())
		<-closed
	}()
	tick := time.NewTicker(liveCountsEvery)
	defer tick.Stop()
	ping := time.NewTicker(livePing)
	defer ping.Stop()
	var last []byte
	for refresh := true; ; {
		if refresh {
			frame, ok := s.liveFrame(w)
			if !ok {
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, ""), time.Now().Add(time.Second))
				return
			}
			if !bytes.Equal(frame, last) {
				_ = conn.SetWriteDeadline(time.Now().Add(liveWriteWait))
				if err := conn.WriteMessage(websocket.TextMessage, frame); err != nil {
					return
				}
				last = frame
			}
		}
		select {
		case <-closed:
			return
		case <-s.live.stopping:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
			return
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(liveWriteWait)); err != nil {
				return
			}
			refresh = false
		case <-tick.C:
			refresh = true
		}
	}
}

// liveFrame is the watcher's next frame of counts; false when they may no longer see them (or
// the counts cannot be read).
func (s *Server) liveFrame(w liveWatch) ([]byte, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !s.stillAllowed(ctx, w) {
		return nil, false
	}
	c, err := registration.CountsOf(ctx, s.DB, w.forumID, w.groups, 0)
	if err != nil {
		s.Logger.Error("live counts", "forum", w.forumID, "err", err)
		return nil, false
	}
	frame, err := json.Marshal(liveCounts{Confirmed: c.Confirmed, CheckedIn: c.CheckedIn, Waitlisted: c.ByStatus[registration.StatusWaitlisted],
		Offered: c.ByStatus[registration.StatusOffered], Pending: c.ByStatus[registration.StatusPending], Cancelled: c.ByStatus[registration.StatusCancelled]})
	return frame, err == nil
}
