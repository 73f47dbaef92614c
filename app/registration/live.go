package registration

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
)

// liveCounts is the frame the organisers' registrants page is sent: the figures its summary
// shows.
type liveCounts struct {
	Type       string `json:"type"`
	Confirmed  int    `json:"confirmed"`
	CheckedIn  int    `json:"checked_in"`
	Waitlisted int    `json:"waitlisted"`
	Offered    int    `json:"offered"`
	Pending    int    `json:"pending"`
	Cancelled  int    `json:"cancelled"`
}

// CountsFrame is the live counts frame of forum forumID.
func CountsFrame(ctx context.Context, db bun.IDB, forumID int64) ([]byte, error) {
	c, err := CountsOf(ctx, db, forumID, nil, 0)
	if err != nil {
		return nil, err
	}
	return json.Marshal(liveCounts{Type: "counts", Confirmed: c.Confirmed, CheckedIn: c.CheckedIn, Waitlisted: c.ByStatus[StatusWaitlisted],
		Offered: c.ByStatus[StatusOffered], Pending: c.ByStatus[StatusPending], Cancelled: c.ByStatus[StatusCancelled]})
}

// CountsOfRoom is the counts frame of a room named by CountsRoom (for the hub's Counter); ok
// is false for other rooms.
func CountsOfRoom(ctx context.Context, db bun.IDB, room string) (frame []byte, ok bool, err error) {
	rest, found := strings.CutPrefix(room, "registrants:")
	if !found {
		return nil, false, nil
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return nil, true, fmt.Errorf("the room %q: %w", room, err)
	}
	frame, err = CountsFrame(ctx, db, id)
	return frame, true, err
}
