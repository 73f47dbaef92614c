package minutes

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/processes"
)

// Reminders about minutes not yet published: one when they come due (RemindBefore days ahead),
// one when they are overdue; each is sent once per session, whichever instance sweeps first.
// Sessions that ended more than RemindFor days ago are past reminding (an archive's old
// sessions without minutes are not news to anyone).
const (
	DueSoon      = "due_soon"
	Overdue      = "overdue"
	RemindBefore = 3
	RemindFor    = processes.MaxMinutesDueDays + 30
)

// Remind mails the rapporteurs of the sessions whose minutes come due within RemindBefore days
// or are overdue, in the caller's transaction; a session without a rapporteur of its own
// reminds its process's organisers, who assign one. It returns how many reminders it recorded.
// A reminder that cannot be written as mail is logged and recorded: it is not tried forever.
func Remind(ctx context.Context, db bun.IDB, m Mailer, words Days, log *slog.Logger, baseURL string, now time.Time) (int, error) {
	var due []Row
	if err := db.NewSelect().TableExpr("sessions AS s").Join("JOIN forums AS f ON f.id = s.forum_id").
		Join("JOIN processes AS p ON p.id = f.process_id").Join("LEFT JOIN minutes AS m ON m.session_id = s.id").
		ColumnExpr("s.id AS session_id, s.forum_id, f.process_id, s.title, f.title AS forum_title, p.languages, p.minutes_due_days, s.starts_at, s.ends_at").
		ColumnExpr("f.time_zone, COALESCE(m.status, '') AS status, COALESCE(m.due_on, '') AS due_on, COALESCE(m.version, 0) AS version").
		Where("s.status <> ? AND f.status <> ?", forums.SessionCancelled, forums.StatusCancelled).
		Where("s.ends_at <= ? AND s.ends_at > ? AND COALESCE(m.version, 0) = 0", now, now.AddDate(0, 0, -RemindFor)).
		Where("NOT EXISTS (SELECT 1 FROM minutes_reminders AS r WHERE r.session_id = s.id AND r.kind = ?)", Overdue).
		OrderExpr("s.ends_at, s.id").Scan(ctx, &due); err != nil {
		return 0, fmt.Errorf("the minutes to remind of: %w", err)
	}
	sent := 0
	for _, r := range due {
		if r.DueOn == "" {
			r.DueOn = DueOn(r.EndsAt, r.TimeZone, r.DueDays)
		}
		day := today(now, r.TimeZone)
		kind := DueSoon
		switch {
		case r.DueOn < day:
			kind = Overdue
		case r.DueOn > addDays(day, RemindBefore):
			continue
		}
		res, err := db.NewRaw("INSERT INTO minutes_reminders (session_id, kind, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", r.SessionID, kind, now).Exec(ctx)
		if err != nil {
			return sent, fmt.Errorf("recording a reminder for session %d: %w", r.SessionID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // sent before
		}
		sent++
		if err := remind(ctx, db, m, words, log, baseURL, r, kind); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// remind mails one reminder to the session's rapporteurs, or else its process's organisers.
func remind(ctx context.Context, db bun.IDB, m Mailer, words Days, log *slog.Logger, baseURL string, r Row, kind string) error {
	if m == nil {
		return nil
	}
	var people []struct {
		Email    string `bun:"email"`
		Name     string `bun:"name"`
		Language string `bun:"language"`
	}
	// The session's own rapporteurs, else the process's, else its organisers.
	for _, whom := range []func(*bun.SelectQuery) *bun.SelectQuery{
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("g.role = ? AND g.session_id = ?", access.Rapporteur, r.SessionID)
		},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("g.role = ? AND g.session_id IS NULL", access.Rapporteur)
		},
		func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("g.role = ? AND g.session_id IS NULL", access.Organiser)
		},
	} {
		q := db.NewSelect().TableExpr("grants AS g").Join("JOIN accounts AS a ON a.id = g.account_id").
			ColumnExpr("DISTINCT a.email, a.name, a.language").Where("g.process_id = ?", r.ProcessID)
		if err := whom(q).Scan(ctx, &people); err != nil {
			return fmt.Errorf("whom to remind of the minutes of session %d: %w", r.SessionID, err)
		}
		if len(people) > 0 {
			break
		}
	}
	msgs := make([]mail.Message, 0, len(people))
	for _, p := range people {
		lang, due := p.Language, r.DueOn
		if d, err := time.Parse(time.DateOnly, r.DueOn); err == nil && words != nil {
			due = words.Day(lang, d)
		}
		msg, ok, err := mail.Notice(m, log, p.Email, lang, "minutes_"+kind, map[string]any{"Name": p.Name, "Session": r.Title.In(lang, r.Languages...),
			"Forum": r.ForumTitle.In(lang, r.Languages...), "Due": due, "Link": fmt.Sprintf("%s/sessions/%d/minutes/edit", baseURL, r.SessionID)},
			"session", r.SessionID)
		if err != nil {
			return err
		}
		if ok {
			msgs = append(msgs, msg)
		}
	}
	return m.Queue(ctx, db, msgs...)
}

// Days writes a day in a reader's language (app/locale's Bundle).
type Days interface {
	Day(lang string, d time.Time) string
}

func addDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}
