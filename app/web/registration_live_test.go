package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store/storetest"
)

// TestLiveCounts: a forum's organisers get its counts over a websocket, and again when someone
// registers; members, the public and plain requests get no socket; stopping the site closes
// the sockets.
func TestLiveCounts(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		online, err := forums.BySlug(context.Background(), db.DB, "consulta-en-linea")
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/admin/forums/%d/registrants/live", online.ID)
		wsURL := "ws" + strings.TrimPrefix(d.base, "http") + path
		org, member, anon := d.organiser("org@example.org"), d.as("member"), d.client()
		dialFrom := func(c *client, origin string) (*websocket.Conn, *http.Response, error) {
			return (&websocket.Dialer{Jar: c.http.Jar, HandshakeTimeout: 5 * time.Second}).Dial(wsURL, http.Header{"Origin": {origin}})
		}
		dial := func(c *client) (*websocket.Conn, *http.Response, error) { return dialFrom(c, d.base) }
		type counts struct {
			Confirmed int `json:"confirmed"`
			Pending   int `json:"pending"`
		}
		next := func(conn *websocket.Conn) counts {
			t.Helper()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, b, err := conn.ReadMessage()
			if err != nil {
				t.Fatalf("reading the counts: %v", err)
			}
			// Frames that waited together come as one message, a JSON object per line: the last
			// counts are the ones that stand.
			lines := strings.Split(string(b), "\n")
			var c counts
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &c); err != nil {
				t.Fatalf("the frame %s: %v", b, err)
			}
			return c
		}

		for _, tc := range []struct {
			name string
			as   *client
			want int
		}{{"a member", member, http.StatusForbidden}, {"the public", anon, http.StatusSeeOther}} {
			if conn, res, err := dial(tc.as); err == nil || res == nil || res.StatusCode != tc.want {
				if conn != nil {
					conn.Close()
				}
				t.Fatalf("%s: %v, %+v, want %d", tc.name, err, res, tc.want)
			}
		}
		runAll(t, []scenario{{name: "without the upgrade", as: org, method: "GET", url: path, status: http.StatusUpgradeRequired}})
		if conn, _, err := dialFrom(org, "https://evil.example"); err == nil {
			conn.Close()
			t.Fatal("a page of another site opened the organisers' socket")
		}
		closedBy := func(conn *websocket.Conn, what string) {
			t.Helper()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					var ne interface{ Timeout() bool }
					if errors.As(err, &ne) && ne.Timeout() {
						t.Fatalf("%s: the socket stayed open", what)
					}
					return
				}
			}
		}
		// A frame larger than the read limit ends the socket.
		if big, _, err := dial(org); err != nil {
			t.Fatal(err)
		} else {
			_ = big.WriteMessage(websocket.TextMessage, []byte(strings.Repeat("x", 64<<10)))
			closedBy(big, "a 64 KiB frame")
			big.Close()
		}
		// One person holds a few sockets at most.
		var held []*websocket.Conn
		for range 8 {
			c, _, err := dial(org)
			if err != nil {
				t.Fatal(err)
			}
			next(c)
			held = append(held, c)
		}
		extra, _, err := dial(org)
		if err != nil {
			t.Fatal(err)
		}
		closedBy(extra, "a ninth socket of one person")
		extra.Close()
		for _, c := range held {
			c.Close()
		}
		// Signing out ends the socket opened with that login.
		leaving := d.organiser("leaving@example.org")
		lconn, _, err := dial(leaving)
		if err != nil {
			t.Fatal(err)
		}
		next(lconn)
		runAll(t, []scenario{{name: "signs out", as: leaving, method: "POST", url: "/signout", form: url.Values{}, status: http.StatusSeeOther}})
		closedBy(lconn, "after sign-out")
		lconn.Close()

		conn, _, err := dial(org)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		before := next(conn)
		runAll(t, []scenario{{name: "someone registers", as: member, method: "POST", url: "/forums/consulta-en-linea/register",
			form:   url.Values{"mode": {"online"}, "stakeholder_group": {"academia"}, "role": {"participant"}, "privacy": {privacy.Version}},
			status: http.StatusSeeOther}})
		if after := next(conn); after.Confirmed != before.Confirmed+1 {
			t.Fatalf("confirmed %d, then %d", before.Confirmed, after.Confirmed)
		}

		stopped := make(chan struct{})
		go func() { d.srv.StopLive(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Fatal("StopLive did not return")
		}
		// Counts sent before the stop may still be on their way: the close comes after them.
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var rerr error
		for rerr == nil {
			_, _, rerr = conn.ReadMessage()
		}
		if !websocket.IsCloseError(rerr, websocket.CloseGoingAway) && !errors.Is(rerr, websocket.ErrCloseSent) {
			t.Fatalf("after stopping: %v, want the close", rerr)
		}
	})
}
