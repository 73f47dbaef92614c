package registration

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
)

// Refusals of a session's places.
var (
	ErrNotCapped    = problem.New(problem.Conflict, "error.registration_not_capped")
	ErrForumFirst   = problem.New(problem.Conflict, "error.registration_forum_first")
	ErrSessionEnded = problem.New(problem.Conflict, "error.registration_session_over")
)

// sessionMode is the attendance mode of a capped session's pool: its cap is the room's.
const sessionMode = ""

// RegisterSession gives who (a member, or a guest by their link) a place at capped session
// sessionID: a seat while the cap allows, else a numbered place in line. It takes a confirmed
// place at the session's forum, whose answers it carries over. A guest's place gets a link of
// its own, mailed with its notice.
func RegisterSession(ctx context.Context, db bun.IDB, now time.Time, n Notifier, sessionID int64, who Holder) (Registration, error) {
	sv, err := forums.SessionByID(ctx, db, sessionID)
	if err != nil {
		return Registration{}, err
	}
	ff, err := loadForum(ctx, db, sv.ForumID)
	if err != nil {
		return Registration{}, err
	}
	switch {
	case sv.Capacity == 0:
		return Registration{}, ErrNotCapped
	case sv.Status == forums.SessionCancelled:
		return Registration{}, forums.ErrCancelled
	case !now.Before(sv.EndsAt):
		return Registration{}, ErrSessionEnded
	}
	if err := ff.checkOpen(now); err != nil {
		return Registration{}, err
	}
	var base Registration
	q := db.NewSelect().Model(&base).Where("forum_id = ? AND session_id = 0 AND status = ?", sv.ForumID, StatusConfirmed)
	switch {
	case who.AccountID != 0:
		q = q.Where("account_id = ?", who.AccountID)
	case who.Salt != "":
		q = q.Where("link_salt = ? AND account_id IS NULL", who.Salt)
	default:
		return Registration{}, ErrForumFirst
	}
	if err := q.Scan(ctx); err != nil {
		if store.NotFound(err) == store.ErrNotFound {
			return Registration{}, ErrForumFirst
		}
		return Registration{}, fmt.Errorf("reading the forum registration of %+v: %w", who, err)
	}
	r := &Registration{ForumID: sv.ForumID, SessionID: sv.ID, AccountID: base.AccountID, Email: base.Email, Name: base.Name,
		Language: base.Language, Mode: sessionMode, Details: base.Details, Code: newCode(), EmailConfirmedAt: &now,
		CreatedAt: now, UpdatedAt: now}
	if r.Guest() {
		salt := newSalt()
		r.LinkSalt = &salt
	}
	prev, err := earlier(ctx, db, sv.ForumID, sv.ID, []*Registration{r})
	if err != nil {
		return Registration{}, err
	}
	if p := prev[ownerKey(r)]; p != nil {
		if Active(p.Status) {
			return Registration{}, ErrRegistered.With(map[string]any{"ID": p.ID})
		}
		r.ID, r.Code, r.CreatedAt, r.InviteSequence = p.ID, p.Code, p.CreatedAt, p.InviteSequence+1
		if r.Guest() {
			r.LinkSalt = p.LinkSalt // the place's link stays the one mailed before
		}
	}
	if err := syncSessionPlaces(ctx, db, now, nil, sv.ForumID, sv.ID, sv.Capacity); err != nil {
		return Registration{}, err
	}
	if err := seatMany(ctx, db, now, sv.ForumID, sv.ID, sessionMode, []*Registration{r}); err != nil {
		return Registration{}, err
	}
	if err := save(ctx, db, []*Registration{r}); err != nil {
		return Registration{}, err
	}
	if err := notifyPlaced(ctx, db, n, *r); err != nil {
		return Registration{}, err
	}
	return *r, nil
}

// syncSessionPlaces makes a session's places row count what its cap now says (never less
// than the seats it has given; no cap is no limit), and seats those in line in the seats that
// adds.
func syncSessionPlaces(ctx context.Context, db bun.IDB, now time.Time, n Notifier, forumID, sessionID int64, capacity int) error {
	p, err := lockPool(ctx, db, forumID, sessionID, sessionMode)
	if err != nil {
		return err
	}
	o := p.open()
	var want *int
	if capacity > 0 {
		c := max(capacity, o.Taken)
		want = &c
	}
	if (want == nil) == (o.Capacity == nil) && (want == nil || *want == *o.Capacity) {
		return nil
	}
	o.Capacity = want
	if _, err := db.NewUpdate().Model(o).Column("capacity").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("setting the places of session %d: %w", sessionID, err)
	}
	s, err := SettingsOf(ctx, db, forumID)
	if err != nil {
		return err
	}
	return fill(ctx, db, now, s, p, n)
}

// Follower keeps registrations and their invites in step with the schedule: a change that a
// calendar shows sends everyone confirmed at the forum (and those holding a place at a changed
// session) the updated invite, with its grown SEQUENCE, once the minute's changes are in; a
// cancelled forum or capped session cancels the places at it (with METHOD:CANCEL to those
// confirmed); a session's new cap seats those in line.
type Follower struct {
	Notifier Notifier
}

// UpdateDelay is how long after a change its updated invites wait for more changes: an
// organiser's edits of a minute go out as one update per person.
const UpdateDelay = time.Minute

// ForumChanged follows a change to forum f.
func (fl Follower) ForumChanged(ctx context.Context, db bun.IDB, now time.Time, f forums.Forum, calendar bool) error {
	if f.Status == forums.StatusCancelled {
		return fl.cancelAll(ctx, db, now, "forum_id = ?", f.ID)
	}
	if !calendar || f.Status != forums.StatusPublished {
		return nil
	}
	return updateDue(ctx, db, now, "forum_id = ?", f.ID)
}

// updateDue marks the confirmed registrations where selects for an updated invite, due a
// minute after the first change not yet sent (later changes join it).
func updateDue(ctx context.Context, db bun.IDB, now time.Time, where string, args ...any) error {
	_, err := db.NewUpdate().Model((*Registration)(nil)).Set("invite_due_at = ?", now.Add(UpdateDelay)).
		Where(where, args...).Where("status = ? AND invite_due_at IS NULL", StatusConfirmed).Exec(ctx)
	if err != nil {
		return fmt.Errorf("marking updated invites due: %w", err)
	}
	return nil
}

// SendUpdates mails the updated invites that are due (at most 500 a call), each with the
// programme as it is now, and tells how many it sent.
func SendUpdates(ctx context.Context, db bun.IDB, now time.Time, n Notifier) (int, error) {
	var rs []Registration
	q := db.NewSelect().Model(&rs).Where("invite_due_at <= ?", now).OrderExpr("invite_due_at, id").Limit(500)
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		return 0, fmt.Errorf("finding updated invites due: %w", err)
	}
	if len(rs) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(rs))
	var ns []Notice
	for i, r := range rs {
		ids[i] = r.ID
		if r.Status == StatusConfirmed {
			// The first change of this update made it due UpdateDelay later.
			since := r.InviteDueAt.Add(-UpdateDelay - time.Second)
			ns = append(ns, Notice{Kind: NoticeUpdated, Registration: r, Invite: InviteRequest, Since: &since})
		}
	}
	if _, err := db.NewUpdate().Model((*Registration)(nil)).Set("invite_due_at = NULL").Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
		return 0, fmt.Errorf("recording %d updated invites: %w", len(ids), err)
	}
	if n != nil && len(ns) > 0 {
		if err := n.Notify(ctx, db, ns...); err != nil {
			return 0, err
		}
	}
	return len(ns), nil
}

// SessionChanged follows a change to session s of forum f. The invite of a place at the forum
// holds its sessions open to all: a change to one of those sends the forum's confirmed
// registrants the programme again (a cancelled session written cancelled). A session with
// places of its own is in the invites of those places: a change sends them the session again,
// and a cancellation cancels them.
func (fl Follower) SessionChanged(ctx context.Context, db bun.IDB, now time.Time, f forums.Forum, s forums.Session, calendar bool) error {
	if s.Status == forums.SessionCancelled {
		if err := fl.cancelAll(ctx, db, now, "session_id = ?", s.ID); err != nil {
			return err
		}
		if s.Capacity > 0 {
			return nil
		}
		return updateDue(ctx, db, now, "forum_id = ? AND session_id = 0", f.ID)
	}
	var places int
	if err := db.NewSelect().Model((*Place)(nil)).ColumnExpr("COUNT(*)").Where("session_id = ?", s.ID).Scan(ctx, &places); err != nil {
		return fmt.Errorf("reading the places of session %d: %w", s.ID, err)
	}
	if places > 0 {
		if err := syncSessionPlaces(ctx, db, now, fl.Notifier, f.ID, s.ID, s.Capacity); err != nil {
			return err
		}
	}
	if !calendar || f.Status != forums.StatusPublished {
		return nil
	}
	if s.Capacity > 0 {
		return updateDue(ctx, db, now, "session_id = ?", s.ID)
	}
	return updateDue(ctx, db, now, "forum_id = ? AND session_id = 0", f.ID)
}

func (fl Follower) cancelAll(ctx context.Context, db bun.IDB, now time.Time, where string, arg any) error {
	var rs []Registration
	if err := db.NewSelect().Model(&rs).Where(where, arg).Where("status IN (?)",
		bun.List([]string{StatusPending, StatusConfirmed, StatusWaitlisted, StatusOffered})).OrderExpr("id").Scan(ctx); err != nil {
		return fmt.Errorf("finding the registrations to cancel: %w", err)
	}
	if len(rs) == 0 {
		return nil
	}
	ns := make([]Notice, len(rs))
	ids := make([]int64, len(rs))
	for i, r := range rs {
		invite := InviteNone
		if r.Status == StatusConfirmed {
			invite = InviteCancel
			r.InviteSequence++
		}
		r.Status, r.PlaceID, r.OfferExpiresAt, r.UpdatedAt = StatusCancelled, nil, nil, now
		ids[i], ns[i] = r.ID, Notice{Kind: NoticeCalledOff, Registration: r, Invite: invite}
	}
	// One statement for all: a cancelled plenary's 2,000 places were 2,000 updates.
	if _, err := db.NewUpdate().Model((*Registration)(nil)).
		Set("invite_sequence = invite_sequence + CASE WHEN status = ? THEN 1 ELSE 0 END", StatusConfirmed).
		Set("status = ?, place_id = NULL, offer_expires_at = NULL, updated_at = ?", StatusCancelled, now).
		Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
		return fmt.Errorf("cancelling %d registrations: %w", len(ids), err)
	}
	if _, err := db.NewUpdate().Model((*Place)(nil)).Set("taken = 0").Where(where, arg).Exec(ctx); err != nil {
		return fmt.Errorf("emptying the places of what was cancelled: %w", err)
	}
	if fl.Notifier == nil {
		return nil
	}
	return fl.Notifier.Notify(ctx, db, ns...)
}

// Remind mails each confirmed person a reminder once, within a day before their forum's (or
// session's) start, and tells how many it sent.
func Remind(ctx context.Context, db bun.IDB, now time.Time, n Notifier) (int, error) {
	// What is due is chosen by when it starts, so that any number of registrations for later
	// forums never hides one that starts tomorrow: first the forums and sessions with people
	// to remind (a short list), then the people of those starting within the day.
	var keys []struct {
		ForumID   int64 `bun:"forum_id"`
		SessionID int64 `bun:"session_id"`
	}
	if err := db.NewSelect().Model((*Registration)(nil)).ColumnExpr("DISTINCT forum_id, session_id").
		Where("status = ? AND reminded_at IS NULL", StatusConfirmed).Scan(ctx, &keys); err != nil {
		return 0, fmt.Errorf("finding what has people to remind: %w", err)
	}
	starts := map[int64]time.Time{}
	var due []string
	var args []any
	for _, k := range keys {
		start, err := startOf(ctx, db, Registration{ForumID: k.ForumID, SessionID: k.SessionID}, starts)
		if err != nil {
			return 0, err
		}
		if now.Before(start) && start.Sub(now) <= 24*time.Hour {
			due = append(due, "(forum_id = ? AND session_id = ?)")
			args = append(args, k.ForumID, k.SessionID)
		}
	}
	if len(due) == 0 {
		return 0, nil
	}
	var rs []Registration
	if err := db.NewSelect().Model(&rs).Where("status = ? AND reminded_at IS NULL", StatusConfirmed).
		Where("("+strings.Join(due, " OR ")+")", args...).OrderExpr("id").Limit(500).Scan(ctx); err != nil {
		return 0, fmt.Errorf("finding reminders due: %w", err)
	}
	ids := make([]int64, len(rs))
	notices := make([]Notice, len(rs))
	for i := range rs {
		at := now
		rs[i].RemindedAt = &at
		ids[i] = rs[i].ID
		notices[i] = Notice{Kind: NoticeReminder, Registration: rs[i]}
	}
	if _, err := db.NewUpdate().Model((*Registration)(nil)).Set("reminded_at = ?", now).Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
		return 0, fmt.Errorf("recording %d reminders: %w", len(ids), err)
	}
	if n != nil && len(notices) > 0 {
		if err := n.Notify(ctx, db, notices...); err != nil {
			return 0, err
		}
	}
	return len(notices), nil
}

// startOf is when what r is for begins: its session, or its forum's first session (the
// forum's first day when it has none), cached by forum (session 0) or session.
func startOf(ctx context.Context, db bun.IDB, r Registration, cache map[int64]time.Time) (time.Time, error) {
	key := -r.SessionID
	if r.SessionID == 0 {
		key = r.ForumID
	}
	if t, ok := cache[key]; ok {
		return t, nil
	}
	var start time.Time
	if r.SessionID != 0 {
		sv, err := forums.SessionByID(ctx, db, r.SessionID)
		if err != nil {
			return time.Time{}, err
		}
		start = sv.StartsAt
	} else {
		f, err := forums.Get(ctx, db, r.ForumID)
		if err != nil {
			return time.Time{}, err
		}
		zone, err := clock.Zone(f.TimeZone)
		if err != nil {
			zone = time.UTC
		}
		start, _ = time.ParseInLocation(time.DateOnly, f.StartsOn, zone)
		sessions, err := forums.Programme(ctx, db, f.ID)
		if err != nil {
			return time.Time{}, err
		}
		for _, sv := range sessions {
			if sv.Status != forums.SessionCancelled && !sv.StartsAt.Before(start) {
				start = sv.StartsAt
				break
			}
		}
	}
	cache[key] = start
	return start, nil
}
