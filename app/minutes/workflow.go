package minutes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// The workflow: draft → review → published. The rapporteur submits; organisers send back with
// a request, or publish; published minutes change only by a correction, a new version with
// its reason.

// Submit sends a draft to review: organisers read it, and those who were there may propose
// corrections for ReviewWindow.
func Submit(ctx context.Context, db bun.IDB, now time.Time, who Who, minutesID, revision int64) (Minutes, error) {
	m, err := lock(ctx, db, minutesID)
	if err != nil {
		return m, err
	}
	if err := mayWrite(ctx, db, who, m.ProcessID, m.SessionID); err != nil {
		return m, err
	}
	switch {
	case m.Status != Draft:
		return m, ErrNotDraft
	case revision != m.Revision:
		return m, ErrConflict.With(map[string]any{"Revision": m.Revision})
	}
	until := now.Add(ReviewWindow)
	m.Status, m.ReviewUntil, m.Revision, m.UpdatedAt = Review, &until, m.Revision+1, now
	if err := update(ctx, db, m, "status", "review_until", "revision", "updated_at"); err != nil {
		return m, err
	}
	return m, record(ctx, db, now, who, "minutes.submit", m, nil)
}

// SendBack returns minutes in review to their rapporteur, with what the organiser asks.
func SendBack(ctx context.Context, db bun.IDB, now time.Time, who Who, minutesID int64, request string) (Minutes, error) {
	m, err := lockOrganised(ctx, db, who, minutesID, Review, ErrNotInReview)
	if err != nil {
		return m, err
	}
	var es validate.Errors
	request = strings.TrimSpace(request)
	es.LongText("request", request, MaxInput, true)
	if err := es.Err(); err != nil {
		return m, err
	}
	c := Comment{MinutesID: m.ID, Body: request, CreatedAt: now}
	if who.AccountID != 0 {
		c.AuthorID = &who.AccountID
	}
	if _, err := db.NewInsert().Model(&c).Exec(ctx); err != nil {
		return m, fmt.Errorf("asking changes of minutes %d: %w", m.ID, err)
	}
	m.Status, m.ReviewUntil, m.Revision, m.UpdatedAt = Draft, nil, m.Revision+1, now
	if err := update(ctx, db, m, "status", "review_until", "revision", "updated_at"); err != nil {
		return m, err
	}
	return m, record(ctx, db, now, who, "minutes.send_back", m, nil)
}

// Publish publishes minutes in review: their first version, kept whole.
func Publish(ctx context.Context, db bun.IDB, now time.Time, who Who, minutesID int64) (Minutes, error) {
	m, err := lockOrganised(ctx, db, who, minutesID, Review, ErrNotInReview)
	if err != nil {
		return m, err
	}
	m.Status, m.Revision, m.UpdatedAt = Published, m.Revision+1, now
	if err := update(ctx, db, m, "status", "revision", "updated_at"); err != nil {
		return m, err
	}
	return publish(ctx, db, now, who, m, "", "minutes.publish")
}

// Correct changes published minutes as a draft save would, with the reason the public reads:
// a new version; the earlier ones stay as they were.
func Correct(ctx context.Context, db bun.IDB, now time.Time, who Who, minutesID int64, in DraftInput, reason string) (Minutes, error) {
	m, err := lockOrganised(ctx, db, who, minutesID, Published, ErrNotPublished)
	if err != nil {
		return m, err
	}
	var es validate.Errors
	reason = strings.TrimSpace(reason)
	es.LongText("reason", reason, MaxInput, true)
	if m, err = write(ctx, db, now, who, m, in, es); err != nil {
		return m, err
	}
	return publish(ctx, db, now, who, m, reason, "minutes.correct")
}

// publish keeps m, as it now stands, as its next version.
func publish(ctx context.Context, db bun.IDB, now time.Time, who Who, m Minutes, reason, action string) (Minutes, error) {
	inputs, err := inputsOf(ctx, db, m.ID, false)
	if err != nil {
		return m, err
	}
	c := Content{Summary: m.Summary, Takeaways: m.Takeaways, CallsToAction: m.CallsToAction, Report: m.Report, Inputs: make([]InputContent, len(inputs))}
	// Who came is kept as the door counted it when published: later check-ins change only the
	// next version.
	if c.Report.Attendance.Counted, err = Counted(ctx, db, m.SessionID); err != nil {
		return m, err
	}
	for i, x := range inputs {
		c.Inputs[i] = ContentOf(x)
	}
	m.Version++
	v := Version{MinutesID: m.ID, Version: m.Version, Reason: reason, Content: c, PublishedAt: now}
	if who.AccountID != 0 {
		v.PublishedBy = &who.AccountID
	}
	if _, err := db.NewInsert().Model(&v).Exec(ctx); err != nil {
		return m, fmt.Errorf("publishing version %d of minutes %d: %w", m.Version, m.ID, err)
	}
	if err := update(ctx, db, m, "version"); err != nil {
		return m, err
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return m, err
	}
	m.Inputs = inputs
	return m, record(ctx, db, now, who, action, m, map[string]any{"version": m.Version, "reason": reason})
}

// Versions are the published versions of minutes, oldest first.
func Versions(ctx context.Context, db bun.IDB, minutesID int64) ([]Version, error) {
	var vs []Version
	if err := db.NewSelect().Model(&vs).Where("v.minutes_id = ?", minutesID).OrderExpr("v.version").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the versions of minutes %d: %w", minutesID, err)
	}
	return vs, nil
}

// Comments are the organisers' requests on minutes, oldest first.
func Comments(ctx context.Context, db bun.IDB, minutesID int64) ([]Comment, error) {
	var cs []Comment
	if err := db.NewSelect().Model(&cs).Where("c.minutes_id = ?", minutesID).OrderExpr("c.created_at, c.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the requests on minutes %d: %w", minutesID, err)
	}
	return cs, nil
}

func update(ctx context.Context, db bun.IDB, m Minutes, columns ...string) error {
	if _, err := db.NewUpdate().Model(&m).Column(columns...).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("updating minutes %d: %w", m.ID, err)
	}
	return nil
}

func record(ctx context.Context, db bun.IDB, now time.Time, who Who, action string, m Minutes, detail map[string]any) error {
	if detail == nil {
		detail = map[string]any{}
	}
	detail["session_id"] = m.SessionID
	return audit.Record(ctx, db, now, audit.Actor{AccountID: who.AccountID}, action, "process", strconv.FormatInt(m.ProcessID, 10), detail)
}

// lockOrganised locks minutes that must be in status (else wrong) for one of their process's
// organisers to act on.
func lockOrganised(ctx context.Context, db bun.IDB, who Who, minutesID int64, status string, wrong error) (Minutes, error) {
	m, err := lock(ctx, db, minutesID)
	if err != nil {
		return m, err
	}
	if err := mayOrganise(ctx, db, who, m.ProcessID); err != nil {
		return m, err
	}
	if m.Status != status {
		return m, wrong
	}
	return m, nil
}

// mayOrganise lets in the process's organisers and admins.
func mayOrganise(ctx context.Context, db bun.IDB, who Who, processID int64) error {
	ok, err := access.Has(ctx, db, access.Subject{AccountID: who.AccountID, IsAdmin: who.IsAdmin}, access.Organiser, processID, 0)
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrNotOrganiser
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
