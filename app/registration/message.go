package registration

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/validate"
)

// NoticeMessage is an organisers' message to registrants (mail.registration_message).
const NoticeMessage = "message"

// Limits of an organisers' message.
const (
	maxMessageSubject = 150
	maxMessageBody    = 5000
)

// Message is what organisers write to a forum's registrants.
type Message struct {
	Subject, Body string
}

// Audience is whom a message goes to: registrations of a status (""; every registration in
// force: pending, confirmed, waitlisted or offered), of a mode and of a stakeholder group ("":
// any).
type Audience struct {
	Status, Mode, Group string
}

// CodeAudience refuses a status, mode or group that is not the forum's.
const CodeAudience = "error.registration_audience"

// CheckMessage validates a message and its audience against forum f and its process's groups,
// before anyone is asked to confirm it.
func CheckMessage(f forums.Forum, groups []string, a Audience, m Message) error {
	return m.check(a, f, groups).Err()
}

// check validates a message and its audience against the forum.
func (m *Message) check(a Audience, f forums.Forum, groups []string) validate.Errors {
	var es validate.Errors
	m.Subject, m.Body = strings.TrimSpace(m.Subject), strings.TrimSpace(m.Body)
	es.Text("subject", m.Subject, maxMessageSubject)
	es.LongText("body", m.Body, maxMessageBody, true)
	if a.Status != "" && !slices.Contains(Statuses(), a.Status) {
		es.Add("status", CodeAudience, nil)
	}
	if a.Mode != "" && !slices.Contains(ModesOf(f), a.Mode) {
		es.Add("mode", CodeAudience, nil)
	}
	if a.Group != "" && !slices.Contains(groups, a.Group) {
		es.Add("stakeholder_group", CodeAudience, nil)
	}
	return es
}

// audienceQuery selects the forum's registrations (session 0) an audience names, with an
// address to write to (an erased one has none).
func audienceQuery(q *bun.SelectQuery, forumID int64, a Audience) *bun.SelectQuery {
	q = q.Where("forum_id = ? AND session_id = 0 AND email <> ''", forumID)
	if a.Status == "" {
		q = q.Where("status IN (?)", bun.List([]string{StatusPending, StatusConfirmed, StatusWaitlisted, StatusOffered}))
	} else {
		q = q.Where("status = ?", a.Status)
	}
	if a.Mode != "" {
		q = q.Where("mode = ?", a.Mode)
	}
	if a.Group != "" {
		q = q.Where("stakeholder_group = ?", a.Group)
	}
	return q
}

// AudienceSize is how many registrants of forum forumID a message to a would reach.
func AudienceSize(ctx context.Context, db bun.IDB, forumID int64, a Audience) (int, error) {
	n, err := audienceQuery(db.NewSelect().Model((*Registration)(nil)), forumID, a).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting the audience of a message to forum %d: %w", forumID, err)
	}
	return int(n), nil
}

// Write queues an organisers' message to the registrants of forum forumID that a names, each
// in a mail of their own (no one sees another's address), and records it in the audit log
// (the audience and the subject, no personal data). It returns how many it reached.
func Write(ctx context.Context, db bun.IDB, now time.Time, n Notifier, actor audit.Actor, processID, forumID int64, a Audience, m Message) (int, error) {
	ff, err := loadForum(ctx, db, forumID)
	if err != nil {
		return 0, err
	}
	if ff.forum.ProcessID != processID {
		return 0, problem.ErrNotFound
	}
	if es := m.check(a, ff.forum, ff.process.StakeholderGroups); len(es) > 0 {
		return 0, es
	}
	var rs []Registration
	if err := audienceQuery(db.NewSelect().Model(&rs), forumID, a).OrderExpr("id").Scan(ctx); err != nil {
		return 0, fmt.Errorf("finding the audience of a message to forum %d: %w", forumID, err)
	}
	ns := make([]Notice, len(rs))
	for i, r := range rs {
		ns[i] = Notice{Kind: NoticeMessage, Registration: r, Forum: &ff.forum, Process: &ff.process, Message: &m}
	}
	if n != nil && len(ns) > 0 {
		if err := n.Notify(ctx, db, ns...); err != nil {
			return 0, err
		}
	}
	return len(rs), audit.Record(ctx, db, now, actor, "registration.message", "forum", fmt.Sprint(forumID),
		map[string]any{"subject": m.Subject, "status": a.Status, "mode": a.Mode, "group": a.Group, "count": len(rs)})
}
