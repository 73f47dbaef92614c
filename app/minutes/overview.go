package minutes

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/translated"
)

// Where minutes stand: for a process's organisers (every session that has ended, or has
// minutes begun) and for a rapporteur (the sessions they report on).

// Row is one session's minutes as they stand.
type Row struct {
	SessionID  int64           `bun:"session_id"`
	ForumID    int64           `bun:"forum_id"`
	ProcessID  int64           `bun:"process_id"`
	Title      translated.Text `bun:"title,type:json"`
	ForumTitle translated.Text `bun:"forum_title,type:json"`
	Languages  []string        `bun:"languages,type:json"`
	StartsAt   time.Time       `bun:"starts_at"`
	EndsAt     time.Time       `bun:"ends_at"`
	TimeZone   string          `bun:"time_zone"`
	Status     string          `bun:"status"` // "": not begun
	DueOn      string          `bun:"due_on"` // YYYY-MM-DD in the forum's zone
	DueDays    int             `bun:"minutes_due_days"`
	Version    int             `bun:"version"`
	Overdue    bool            `bun:"-"`
	Ended      bool            `bun:"-"`
}

// Overview lists the minutes of a process's sessions that have ended or have minutes begun,
// by session start; those due before today (in the forum's zone) and not published are overdue.
func Overview(ctx context.Context, db bun.IDB, now time.Time, processID int64) ([]Row, error) {
	return rows(ctx, db, now, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("f.process_id = ?", processID).Where("(s.ends_at <= ? OR m.id IS NOT NULL)", now)
	})
}

// Assigned lists the sessions accountID reports on by a grant of their own (not those of
// organisers, who follow the Overview).
func Assigned(ctx context.Context, db bun.IDB, now time.Time, accountID int64) ([]Row, error) {
	return rows(ctx, db, now, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where(`EXISTS (SELECT 1 FROM grants AS g WHERE g.account_id = ? AND g.role = 'rapporteur'
			AND g.process_id = f.process_id AND (g.session_id = s.id OR g.session_id IS NULL))`, accountID)
	})
}

func rows(ctx context.Context, db bun.IDB, now time.Time, where func(*bun.SelectQuery) *bun.SelectQuery) ([]Row, error) {
	var out []Row
	q := db.NewSelect().TableExpr("sessions AS s").Join("JOIN forums AS f ON f.id = s.forum_id").
		Join("JOIN processes AS p ON p.id = f.process_id").Join("LEFT JOIN minutes AS m ON m.session_id = s.id").
		ColumnExpr("s.id AS session_id, s.forum_id, f.process_id, s.title, f.title AS forum_title, p.languages, p.minutes_due_days, s.starts_at, s.ends_at").
		ColumnExpr("f.time_zone, COALESCE(m.status, '') AS status, COALESCE(m.due_on, '') AS due_on, COALESCE(m.version, 0) AS version").
		Where("s.status <> ? AND f.status <> ?", forums.SessionCancelled, forums.StatusCancelled).OrderExpr("s.starts_at, s.id")
	if err := where(q).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("listing minutes: %w", err)
	}
	for i := range out {
		r := &out[i]
		if r.DueOn == "" {
			r.DueOn = DueOn(r.EndsAt, r.TimeZone, r.DueDays)
		}
		r.Ended = !now.Before(r.EndsAt)
		r.Overdue = r.Version == 0 && r.DueOn < today(now, r.TimeZone)
	}
	return out, nil
}

// DueOn is the day (YYYY-MM-DD in the forum's zone) minutes are due, days after their session ends.
func DueOn(endsAt time.Time, zone string, days int) string {
	return endsAt.In(location(zone)).AddDate(0, 0, days).Format(time.DateOnly)
}

func today(now time.Time, zone string) string { return now.In(location(zone)).Format(time.DateOnly) }

func location(zone string) *time.Location {
	if l, err := time.LoadLocation(zone); err == nil {
		return l
	}
	return time.UTC
}
