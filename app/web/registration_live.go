package web

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/realtime"
)

// Live counts for a forum's organisers: the registrants page opens a websocket and is sent the
// counts when they change. Registration actions touch the forum's counts room after commit; the
// hub sends one counts frame for the touches of a moment, on every instance.

// livePerAccount bounds the live sockets one person holds.
const livePerAccount = 8

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
// With seen, it asks only when the logins revision has moved since it last did (a sign-out, a
// role, a password all move it): checking every socket every few seconds costs the one shared
// read of the revisions.
func (s *Server) stillAllowed(ctx context.Context, w liveWatch, seen *int64) bool {
	if seen != nil {
		revs, err := s.revisions.Read(ctx)
		if err != nil {
			return false
		}
		if *seen != 0 && revs.Logins == *seen {
			return true
		}
		defer func() { *seen = revs.Logins }()
	}
	a, _, err := s.Accounts.Authenticate(ctx, w.login)
	if err != nil || a.ID != w.subject.AccountID {
		return false
	}
	ok, err := access.Has(ctx, s.DB, access.Subject{AccountID: a.ID, IsAdmin: a.IsAdmin}, access.Organiser, w.processID, 0)
	return err == nil && ok
}

// sendLiveCounts listens to the forum's counts room: the counts now, then each change, until
// the page closes, the watcher may no longer see them, or the server stops.
func (s *Server) sendLiveCounts(conn *websocket.Conn, w liveWatch) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !s.stillAllowed(ctx, w, nil) {
		return
	}
	l, _, err := s.Hub.Subscribe(ctx, registration.CountsRoom(w.forumID), 0, realtime.Who{Moderator: true})
	if err != nil {
		s.Logger.Error("live counts", "forum", w.forumID, "err", err)
		return
	}
	frame, err := registration.CountsFrame(ctx, s.DB, w.forumID)
	if err != nil {
		l.Close()
		s.Logger.Error("live counts", "forum", w.forumID, "err", err)
		return
	}
	l.Start(0, frame)
	var seen int64
	s.pump(conn, l, func(ctx context.Context) bool { return s.stillAllowed(ctx, w, &seen) }, nil)
}
