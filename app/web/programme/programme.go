// Package programme lays a forum's programme out as its page shows it: a list by day for
// phones, and a room × time grid for wide screens, both from the same sessions and filters.
package programme

import (
	"slices"
	"time"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
)

// Filter is what the visitor narrowed the programme to (all empty: everything).
type Filter struct {
	Topic, Kind, Language string
}

// Active tells whether the filter narrows anything.
func (f Filter) Active() bool { return f.Topic != "" || f.Kind != "" || f.Language != "" }

// Keep tells whether session s passes the filter; topics maps ids to codes.
func (f Filter) Keep(s forums.SessionView, topics map[int64]processes.Topic) bool {
	if f.Kind != "" && s.Kind != f.Kind {
		return false
	}
	if f.Language != "" && !slices.Contains(s.Languages, f.Language) {
		return false
	}
	if f.Topic != "" {
		for _, id := range s.TopicIDs {
			if topics[id].Code == f.Topic {
				return true
			}
		}
		return false
	}
	return true
}

// Day is one day of a forum's programme.
type Day struct {
	Date     string // YYYY-MM-DD in the forum's zone
	Sessions []forums.SessionView
	Grid     *Grid // nil when the day has nothing to lay out
}

// Grid lays a day's sessions out in rooms (columns) and time slots (rows): a session
// fills the rows of its slots in its room's column; sessions without a room go to online lanes,
// as many as overlap.
type Grid struct {
	Rooms []Column
	Rows  []Row
	// Unplaced are cancelled sessions whose room another session took: listed under the grid.
	Unplaced []*forums.SessionView
}

type Column struct {
	Name   string // a room's name; "" for an online lane
	Online bool
}

type Row struct {
	Time  string // "10:00"
	Cells []Cell
}

type Cell struct {
	Covered bool // a session from an earlier row fills it: no cell is written
	Span    int  // rows the session fills
	Session *forums.SessionView
}

// longSession tells a session that spans days (a question room open all week): the programme
// lists it apart, above the days.
func longSession(s forums.SessionView, zone *time.Location) bool {
	return s.StartsAt.In(zone).Format(time.DateOnly) != s.EndsAt.Add(-time.Nanosecond).In(zone).Format(time.DateOnly)
}

// Build splits sessions into those spanning days and the forum's days.
func Build(f forums.Forum, sessions []forums.SessionView, rooms []forums.Room, zone *time.Location) (long []forums.SessionView, days []Day) {
	byDay := map[string][]forums.SessionView{}
	for _, s := range sessions {
		if longSession(s, zone) {
			long = append(long, s)
			continue
		}
		d := s.StartsAt.In(zone).Format(time.DateOnly)
		byDay[d] = append(byDay[d], s)
	}
	for _, d := range f.Days() {
		if len(byDay[d]) == 0 {
			continue
		}
		days = append(days, Day{Date: d, Sessions: byDay[d], Grid: buildGrid(byDay[d], rooms, zone)})
	}
	return long, days
}

// buildGrid lays out one day's sessions (none spanning days).
func buildGrid(sessions []forums.SessionView, rooms []forums.Room, zone *time.Location) *Grid {
	if len(sessions) == 0 {
		return nil
	}
	minute := func(t time.Time) int { l := t.In(zone); return l.Hour()*60 + l.Minute() }
	first, last, step := 24*60, 0, 60
	for _, s := range sessions {
		a, b := minute(s.StartsAt), minute(s.EndsAt)
		if b <= a { // ends at midnight
			b = 24 * 60
		}
		first, last = min(first, a), max(last, b)
		step = gcd(gcd(step, a), b)
	}
	step = max(step, 5)
	first -= first % step
	// Columns: the rooms in use, in the forum's order, then as many online lanes as overlap.
	used := map[int64]bool{}
	for _, s := range sessions {
		used[s.RoomID] = true
	}
	g := &Grid{}
	col := map[int64]int{}
	for _, r := range rooms {
		if used[r.ID] {
			col[r.ID] = len(g.Rooms)
			g.Rooms = append(g.Rooms, Column{Name: r.Name})
		}
	}
	lanes := []int{} // each online lane's end, in minutes
	laneOf := map[int64]int{}
	for _, s := range sessions {
		if s.RoomID != 0 {
			continue
		}
		a := minute(s.StartsAt)
		lane := slices.IndexFunc(lanes, func(end int) bool { return end <= a })
		if lane < 0 {
			lane = len(lanes)
			lanes = append(lanes, 0)
			g.Rooms = append(g.Rooms, Column{Online: true})
		}
		b := minute(s.EndsAt)
		if b <= a {
			b = 24 * 60
		}
		lanes[lane] = b
		laneOf[s.ID] = len(g.Rooms) - len(lanes) + lane
	}
	rows := (last - first + step - 1) / step
	g.Rows = make([]Row, rows)
	for i := range g.Rows {
		m := first + i*step
		g.Rows[i] = Row{Time: time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04"), Cells: make([]Cell, len(g.Rooms))}
	}
	if len(g.Rooms) < 2 {
		return nil // one room or one online lane: the list says it all
	}
	// Scheduled sessions first: a cancelled one freed its room, and shows only where it is free.
	for _, cancelled := range []bool{false, true} {
		for i := range sessions {
			s := &sessions[i]
			if (s.Status == forums.SessionCancelled) != cancelled {
				continue
			}
			c, ok := col[s.RoomID]
			if s.RoomID == 0 {
				c, ok = laneOf[s.ID]
			}
			a, b := minute(s.StartsAt), minute(s.EndsAt)
			if b <= a {
				b = 24 * 60
			}
			r0, r1 := (a-first)/step, min((b-first+step-1)/step, len(g.Rows))
			if !ok || !g.free(c, r0, r1) {
				g.Unplaced = append(g.Unplaced, s)
				continue
			}
			g.Rows[r0].Cells[c] = Cell{Session: s, Span: r1 - r0}
			for r := r0 + 1; r < r1; r++ {
				g.Rows[r].Cells[c].Covered = true
			}
		}
	}
	return g
}

// free tells whether rows r0 to r1 (exclusive) of column c hold nothing yet.
func (g *Grid) free(c, r0, r1 int) bool {
	for r := r0; r < r1; r++ {
		if g.Rows[r].Cells[c].Session != nil || g.Rows[r].Cells[c].Covered {
			return false
		}
	}
	return true
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
