package web

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

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

func (s *Server) registrantsLive(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.ErrUpgradeRequired
	}
	fc := adminForum(c)
	forumID, groups := fc.Forum.ID, slices.Clone(fc.Process.StakeholderGroups)
	return websocket.New(func(conn *websocket.Conn) { s.sendLiveCounts(conn, forumID, groups) })(c)
}

// sendLiveCounts writes the forum's counts to conn when they change, until the page closes or
// the server stops. This goroutine is the connection's only writer; another only reads, to
// notice the close.
func (s *Server) sendLiveCounts(conn *websocket.Conn, forumID int64, groups []string) {
	if !s.live.enter() {
		return
	}
	defer s.live.leave()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	tick := time.NewTicker(liveCountsEvery)
	defer tick.Stop()
	var last []byte
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := registration.CountsOf(ctx, s.DB, forumID, groups, 0)
		cancel()
		if err != nil {
			s.Logger.Error("live counts", "forum", forumID, "err", err)
			return
		}
		frame, err := json.Marshal(liveCounts{Confirmed: c.Confirmed, CheckedIn: c.CheckedIn, Waitlisted: c.ByStatus[registration.StatusWaitlisted],
			Offered: c.ByStatus[registration.StatusOffered], Pending: c.ByStatus[registration.StatusPending], Cancelled: c.ByStatus[registration.StatusCancelled]})
		if err != nil {
			return
		}
		if !bytes.Equal(frame, last) {
			_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				return
			}
			last = frame
		}
		select {
		case <-closed:
			return
		case <-s.live.stopping:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
			return
		case <-tick.C:
		}
	}
}
