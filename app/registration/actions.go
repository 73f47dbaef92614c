package registration

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
)

// ErrModeFull refuses a change of attendance mode when the other mode has no seat: the person
// keeps the one they hold.
var ErrModeFull = problem.New(problem.Conflict, "error.registration_mode_full")

// Notice kinds, each a mail in the catalogs (mail.registration_<kind>).
const (
	NoticePending    = "pending"     // received, waiting for an organiser
	NoticeConfirmed  = "confirmed"   // a seat, with the invite
	NoticeWaitlisted = "waitlisted"  // full: in line, with the position
	NoticePromoted   = "promoted"    // from the waitlist to a seat, with the invite
	NoticeOffered    = "offered"     // from the waitlist, a seat to accept before a time
	NoticeCancelled  = "cancelled"   // cancelled, with the invite's cancellation when they had one
	NoticeDeclined   = "declined"    // an organiser declined it
	NoticeExpired    = "expired"     // an offer not accepted in time
	NoticeModeMoved  = "mode_moved"  // the attendance mode changed, with the invite
	NoticeGuestLink  = "guest_link"  // a guest's link to confirm their address and manage it
	NoticeGuestAgain = "guest_again" // the address asked to register where it already has: its link
	NoticeUpdated    = "updated"     // what they hold moved or changed: the invite again
	NoticeCalledOff  = "called_off"  // what they hold was cancelled by the organisers
	NoticeReminder   = "reminder"    // a day before
)

// Invites a notice carries: the forum's (or session's) event to add, or to take out.
const (
	InviteNone    = ""
	InviteRequest = "REQUEST"
	InviteCancel  = "CANCEL"
)

// Notice is one message to the holder of a registration.
type Notice struct {
	Kind         string
	Registration Registration
	Invite       string // InviteRequest, InviteCancel or none
	// Forum and Process, when the action has read them already, spare the notifier reading
	// them again.
	Forum   *forums.Forum
	Process *processes.Process
	// Message is the organisers' words of a NoticeMessage.
	Message *Message
	// Since, for an update, is when the changes it sends began: the sessions changed since
	// (all, when the forum itself changed) are sent again.
	Since *time.Time
}

// Notifier queues notices in the caller's transaction.
type Notifier interface {
	Notify(ctx context.Context, db bun.IDB, ns ...Notice) error
}

// invites tells which notices carry which invite.
var invites = map[string]string{NoticeConfirmed: InviteRequest, NoticePromoted: InviteRequest, NoticeModeMoved: InviteRequest}

func notify(ctx context.Context, db bun.IDB, n Notifier, kind string, r Registration) error {
	if n == nil {
		return nil
	}
	return n.Notify(ctx, db, Notice{Kind: kind, Registration: r, Invite: invites[kind]})
}

// forumFor is a published forum open to registration, with its policy and process.
type forumFor struct {
	forum     forums.Forum
	process   processes.Process
	settings  Settings
	questions []Question
}

// Modes the forum offers: one for in-person and virtual forums, both for hybrid ones.
func ModesOf(f forums.Forum) []string {
	switch f.Format {
	case forums.FormatVirtual:
		return []string{ModeOnline}
	case forums.FormatHybrid:
		return Modes()
	}
	return []string{ModeInPerson}
}

// loadForum reads what registering for forum id needs; a forum the public cannot see is not
// found, one without registration says so. The forum, its process and its settings come in one
// query: every registration batch reads them, and each round trip counts under load.
func loadForum(ctx context.Context, db bun.IDB, id int64) (forumFor, error) {
	var row forumRow
	if err := db.NewSelect().Model(&row).Relation("Process").Relation("Settings").Where("?TableAlias.id = ?", id).Scan(ctx); err != nil {
		return forumFor{}, fmt.Errorf("forum %d: %w", id, store.NotFound(err))
	}
	if row.Process == nil || row.Status == forums.StatusDraft || row.Process.Status == processes.StatusDraft {
		return forumFor{}, problem.ErrNotFound
	}
	if row.Settings == nil || row.Settings.ForumID == 0 {
		return forumFor{}, ErrNoRegistration
	}
	qs, err := Questions(ctx, db, id)
	if err != nil {
		return forumFor{}, err
	}
	return forumFor{forum: row.Forum, process: *row.Process, settings: *row.Settings, questions: qs}, nil
}

// forumRow is a forum with its process and registration settings.
type forumRow struct {
	forums.Forum `bun:",extend"`
	Process      *processes.Process `bun:"rel:belongs-to,join:process_id=id"`
	Settings     *Settings          `bun:"rel:has-one,join:id=forum_id"`
}

// Window is when registration is open: from opens (zero: already) until closes.
func Window(f forums.Forum, s Settings) (opens, closes time.Time) {
	if s.OpensAt != nil {
		opens = *s.OpensAt
	}
	if s.ClosesAt != nil {
		return opens, *s.ClosesAt
	}
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	last, err := time.ParseInLocation(time.DateOnly, f.EndsOn, zone)
	if err != nil {
		return opens, time.Time{}
	}
	return opens, last.AddDate(0, 0, 1)
}

// checkOpen refuses registration outside the forum's window, or for a cancelled forum.
func (ff forumFor) checkOpen(now time.Time) error {
	if ff.forum.Status != forums.StatusPublished {
		return ErrClosed
	}
	opens, closes := Window(ff.forum, ff.settings)
	if now.Before(opens) {
		return ErrNotOpen.With(map[string]any{"Opens": opens})
	}
	if !now.Before(closes) {
		return ErrClosed
	}
	return nil
}

// place decides where a registration stands once its holder is known: pending while the forum
// approves registrations or a guest's address is unconfirmed, else a seat or the end of the
// line.
func place(ctx context.Context, db bun.IDB, now time.Time, s Settings, r *Registration) error {
	r.PlaceID, r.WaitlistedAt, r.OfferExpiresAt = nil, nil, nil
	if s.Approval || r.EmailConfirmedAt == nil {
		r.Status = StatusPending
		return nil
	}
	return seatMany(ctx, db, now, r.ForumID, r.SessionID, r.Mode, []*Registration{r})
}

// placedNotice is the notice of a registration just placed: a guest's link while their
// address is unconfirmed, else what became of it.
func placedNotice(r Registration) string {
	if r.EmailConfirmedAt == nil {
		return NoticeGuestLink
	}
	return map[string]string{StatusPending: NoticePending, StatusConfirmed: NoticeConfirmed, StatusWaitlisted: NoticeWaitlisted}[r.Status]
}

func notifyPlaced(ctx context.Context, db bun.IDB, n Notifier, r Registration) error {
	if kind := placedNotice(r); kind != "" {
		return notify(ctx, db, n, kind, r)
	}
	return nil
}

// fill seats people in line while the pool has seats for them: each held quota from the first
// of its group in line, then the places open to all from the first in line. promoted, when
// given, collects whom it seated. A seat given this way is an offer when the forum asks for
// them.
func fill(ctx context.Context, db bun.IDB, now time.Time, s Settings, p *pool, n Notifier) error {
	for i := range p.rows {
		row := &p.rows[i]
		if !row.holding() {
			continue
		}
		for row.Free() != 0 {
			ok, err := promoteFirst(ctx, db, now, s, p, row, row.Group, n)
			if err != nil || !ok {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	open := p.open()
	for open.Free() != 0 {
		ok, err := promoteFirst(ctx, db, now, s, p, open, "", n)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
	}
	return nil
}

// promoteFirst seats the first in line of the pool (of group, when given) in row, and tells
// whether there was anyone.
func promoteFirst(ctx context.Context, db bun.IDB, now time.Time, s Settings, p *pool, row *Place, group string, n Notifier) (bool, error) {
	var r Registration
	q := db.NewSelect().Model(&r).
		Where("forum_id = ? AND session_id = ? AND mode = ? AND status = ?", p.forumID, p.sessionID, p.mode, StatusWaitlisted).
		OrderExpr("ticket").Limit(1)
	if group != "" {
		q = q.Where("stakeholder_group = ?", group)
	}
	if err := q.Scan(ctx); err != nil {
		if store.NotFound(err) == store.ErrNotFound {
			return false, nil
		}
		return false, fmt.Errorf("finding the first in line of forum %d/%d: %w", p.forumID, p.sessionID, err)
	}
	if err := p.take(ctx, db, row); err != nil {
		return false, err
	}
	r.PlaceID, r.WaitlistedAt, r.UpdatedAt = &row.ID, nil, now
	kind := NoticePromoted
	r.Status = StatusConfirmed
	if s.OfferHours > 0 {
		until := now.Add(time.Duration(s.OfferHours) * time.Hour)
		r.Status, r.OfferExpiresAt, kind = StatusOffered, &until, NoticeOffered
	}
	if _, err := db.NewUpdate().Model(&r).Column("status", "place_id", "waitlisted_at", "offer_expires_at", "updated_at").
		WherePK().Exec(ctx); err != nil {
		return false, fmt.Errorf("promoting registration %d: %w", r.ID, err)
	}
	if err := notify(ctx, db, n, kind, r); err != nil {
		return false, err
	}
	return true, nil
}

// leave gives back the seat r holds (if any) and seats the next in line; r's own row is the
// caller's to write.
func leave(ctx context.Context, db bun.IDB, now time.Time, s Settings, n Notifier, r *Registration) error {
	if r.PlaceID == nil {
		return nil
	}
	p, err := lockPool(ctx, db, r.ForumID, r.SessionID, r.Mode)
	if err != nil {
		return err
	}
	if _, err := p.releaseDue(ctx, db, now); err != nil {
		return err
	}
	if err := p.giveBack(ctx, db, *r.PlaceID); err != nil {
		return err
	}
	r.PlaceID = nil
	if err := checkNotOver(ctx, db, now, *r); err != nil {
		if errors.Is(err, ErrOver) {
			return nil // the seat is given back; nobody is seated for an event that has happened
		}
		return err
	}
	// r's row is written after fill, so r must not be found in line: it no longer holds the
	// seat and is not waitlisted.
	return fill(ctx, db, now, s, p, n)
}

// Cancel ends r at its holder's wish (or an organiser's): a held seat goes to the next in
// line in the same transaction.
func Cancel(ctx context.Context, db bun.IDB, now time.Time, n Notifier, id int64, who Holder) (Registration, error) {
	r, err := lockMineToChange(ctx, db, now, id, who)
	if err != nil {
		return Registration{}, err
	}
	return cancel(ctx, db, now, n, r, StatusCancelled, NoticeCancelled)
}

func cancel(ctx context.Context, db bun.IDB, now time.Time, n Notifier, r Registration, status, notice string) (Registration, error) {
	if !Active(r.Status) {
		return Registration{}, ErrNotActive
	}
	s, err := SettingsOf(ctx, db, r.ForumID)
	if err != nil {
		return Registration{}, err
	}
	invited := r.Status == StatusConfirmed // an offer came without an invite
	if err := leave(ctx, db, now, s, n, &r); err != nil {
		return Registration{}, err
	}
	r.Status, r.WaitlistedAt, r.OfferExpiresAt, r.UpdatedAt = status, nil, nil, now
	if invited {
		r.InviteSequence++
	}
	if _, err := db.NewUpdate().Model(&r).Column("status", "place_id", "waitlisted_at", "offer_expires_at", "invite_sequence", "updated_at").
		WherePK().Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("ending registration %d: %w", r.ID, err)
	}
	if n != nil {
		invite := InviteNone
		if invited {
			invite = InviteCancel
		}
		if err := n.Notify(ctx, db, Notice{Kind: notice, Registration: r, Invite: invite}); err != nil {
			return Registration{}, err
		}
	}
	if r.SessionID == 0 {
		// Places at the forum's sessions are for those who hold one at the forum: they end
		// with it, and go to the next in line.
		held, err := SessionPlacesOf(ctx, db, r)
		if err != nil {
			return Registration{}, err
		}
		for _, sessionID := range slices.Sorted(maps.Keys(held)) {
			sp, err := lockInForumAny(ctx, db, held[sessionID].ID)
			if err != nil {
				return Registration{}, err
			}
			if !Active(sp.Status) {
				continue
			}
			if _, err := cancel(ctx, db, now, n, sp, StatusCancelled, NoticeCancelled); err != nil {
				return Registration{}, err
			}
		}
	}
	return r, nil
}

// Accept turns an offer into a confirmed seat, while it lasts.
func Accept(ctx context.Context, db bun.IDB, now time.Time, n Notifier, id int64, who Holder) (Registration, error) {
	r, err := lockMineToChange(ctx, db, now, id, who)
	if err != nil {
		return Registration{}, err
	}
	if r.Status != StatusOffered {
		return Registration{}, ErrNoOffer
	}
	if r.OfferExpiresAt != nil && !now.Before(*r.OfferExpiresAt) {
		return Registration{}, ErrOfferExpired
	}
	r.Status, r.OfferExpiresAt, r.UpdatedAt = StatusConfirmed, nil, now
	if _, err := db.NewUpdate().Model(&r).Column("status", "offer_expires_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("accepting the offer of registration %d: %w", r.ID, err)
	}
	if err := notify(ctx, db, n, NoticeConfirmed, r); err != nil {
		return Registration{}, err
	}
	return r, nil
}

// ChangeMode moves r to the other attendance mode of a hybrid forum. A seat is moved only when
// the other mode has one free; otherwise nothing changes. In line, r goes to the end of the
// other mode's line; pending, it just records the wish.
func ChangeMode(ctx context.Context, db bun.IDB, now time.Time, n Notifier, id int64, who Holder, mode string) (Registration, error) {
	r, err := lockMineToChange(ctx, db, now, id, who)
	if err != nil {
		return Registration{}, err
	}
	return changeMode(ctx, db, now, n, r, mode)
}

func changeMode(ctx context.Context, db bun.IDB, now time.Time, n Notifier, r Registration, mode string) (Registration, error) {
	if !Active(r.Status) {
		return Registration{}, ErrNotActive
	}
	f, err := forums.Get(ctx, db, r.ForumID)
	if err != nil {
		return Registration{}, err
	}
	if !slices.Contains(ModesOf(f), mode) || r.SessionID != 0 {
		return Registration{}, problem.New(problem.Invalid, CodeMode).At("mode")
	}
	if mode == r.Mode {
		return Registration{}, ErrSameMode.At("mode")
	}
	s, err := SettingsOf(ctx, db, r.ForumID)
	if err != nil {
		return Registration{}, err
	}
	// Both pools are locked in the order of their modes, so two people swapping modes at once
	// never wait on each other.
	pools := map[string]*pool{}
	for _, m := range slices.Sorted(slices.Values([]string{r.Mode, mode})) {
		if pools[m], err = lockPool(ctx, db, r.ForumID, r.SessionID, m); err != nil {
			return Registration{}, err
		}
		if _, err := pools[m].releaseDue(ctx, db, now); err != nil {
			return Registration{}, err
		}
	}
	to := pools[mode]
	switch r.Status {
	case StatusConfirmed, StatusOffered:
		row := to.seatFor(r.Group)
		if row == nil {
			return Registration{}, ErrModeFull.At("mode")
		}
		if err := pools[r.Mode].giveBack(ctx, db, *r.PlaceID); err != nil {
			return Registration{}, err
		}
		if err := to.take(ctx, db, row); err != nil {
			return Registration{}, err
		}
		from := pools[r.Mode]
		r.Mode, r.PlaceID = mode, &row.ID
		if err := fill(ctx, db, now, s, from, n); err != nil {
			return Registration{}, err
		}
	case StatusWaitlisted:
		r.Mode = mode
		if row := to.seatFor(r.Group); row != nil {
			if err := to.take(ctx, db, row); err != nil {
				return Registration{}, err
			}
			r.Status, r.PlaceID, r.WaitlistedAt = StatusConfirmed, &row.ID, nil
		} else if err := to.line(ctx, db, now, &r); err != nil {
			return Registration{}, err
		}
	default:
		r.Mode = mode
	}
	r.UpdatedAt = now
	if r.Holds() {
		r.InviteSequence++ // the invite now says where to go in the new mode
	}
	if _, err := db.NewUpdate().Model(&r).Column("mode", "status", "place_id", "waitlisted_at", "ticket", "invite_sequence", "updated_at").
		WherePK().Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("moving registration %d to %s: %w", r.ID, mode, err)
	}
	if r.Holds() {
		if err := notify(ctx, db, n, NoticeModeMoved, r); err != nil {
			return Registration{}, err
		}
	}
	if r.Status == StatusWaitlisted {
		r.Position, err = position(ctx, db, r)
	}
	return r, err
}

// ConfirmGuest confirms a guest's address from their link; the registration then takes its
// place as any other would.
func ConfirmGuest(ctx context.Context, db bun.IDB, now time.Time, n Notifier, who Holder) (Registration, error) {
	if who.Salt == "" {
		return Registration{}, ErrBadLink
	}
	r, err := lockBySalt(ctx, db, who.Salt)
	if err != nil {
		return Registration{}, err
	}
	if err := checkLinkLive(ctx, db, now, r); err != nil {
		return Registration{}, err
	}
	if r.EmailConfirmedAt != nil || r.Status != StatusPending {
		return r, nil // the link is followed again: it manages the registration
	}
	if err := checkNotOver(ctx, db, now, r); err != nil {
		return Registration{}, err
	}
	s, err := SettingsOf(ctx, db, r.ForumID)
	if err != nil {
		return Registration{}, err
	}
	r.EmailConfirmedAt, r.UpdatedAt = &now, now
	if err := place(ctx, db, now, s, &r); err != nil {
		return Registration{}, err
	}
	if _, err := db.NewUpdate().Model(&r).WherePK().Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("confirming guest registration %d: %w", r.ID, err)
	}
	if err := notifyPlaced(ctx, db, n, r); err != nil {
		return Registration{}, err
	}
	if r.Status == StatusWaitlisted {
		r.Position, err = position(ctx, db, r)
	}
	return r, err
}

// Approve seats a pending registration when a seat is free, else puts it in line.
func Approve(ctx context.Context, db bun.IDB, now time.Time, n Notifier, actor audit.Actor, forumID, id int64) (Registration, error) {
	r, err := lockInForum(ctx, db, forumID, id)
	if err != nil {
		return Registration{}, err
	}
	if r.Status != StatusPending || r.EmailConfirmedAt == nil {
		return Registration{}, ErrNotActive
	}
	r.UpdatedAt = now
	if err := seatMany(ctx, db, now, r.ForumID, r.SessionID, r.Mode, []*Registration{&r}); err != nil {
		return Registration{}, err
	}
	if _, err := db.NewUpdate().Model(&r).Column("status", "place_id", "waitlisted_at", "ticket", "updated_at").WherePK().Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("approving registration %d: %w", r.ID, err)
	}
	if err := notifyPlaced(ctx, db, n, r); err != nil {
		return Registration{}, err
	}
	return r, audit.Record(ctx, db, now, actor, "registration.approve", "registration", fmt.Sprint(r.ID), map[string]any{"status": r.Status})
}

// Admit seats a registration from the waitlist now, ahead of the line: the organiser decides
// the room holds one more, so when no place is free for them the places open to all grow by
// one. They are told as a promotion is.
func Admit(ctx context.Context, db bun.IDB, now time.Time, n Notifier, actor audit.Actor, forumID, id int64) (Registration, error) {
	r, err := lockInForum(ctx, db, forumID, id)
	if err != nil {
		return Registration{}, err
	}
	if r.Status != StatusWaitlisted {
		return Registration{}, ErrNotActive
	}
	p, err := lockPool(ctx, db, r.ForumID, r.SessionID, r.Mode)
	if err != nil {
		return Registration{}, err
	}
	row := p.seatFor(r.Group)
	if row == nil {
		if err := p.grow(ctx, db, 1); err != nil {
			return Registration{}, err
		}
		row = p.open()
	}
	if err := p.take(ctx, db, row); err != nil {
		return Registration{}, err
	}
	r.Status, r.PlaceID, r.WaitlistedAt, r.UpdatedAt = StatusConfirmed, &row.ID, nil, now
	if _, err := db.NewUpdate().Model(&r).Column("status", "place_id", "waitlisted_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("admitting registration %d: %w", r.ID, err)
	}
	if err := notify(ctx, db, n, NoticePromoted, r); err != nil {
		return Registration{}, err
	}
	return r, audit.Record(ctx, db, now, actor, "registration.admit", "registration", fmt.Sprint(r.ID), nil)
}

// Decline refuses a registration that is pending or in line.
func Decline(ctx context.Context, db bun.IDB, now time.Time, n Notifier, actor audit.Actor, forumID, id int64) (Registration, error) {
	r, err := lockInForum(ctx, db, forumID, id)
	if err != nil {
		return Registration{}, err
	}
	if r.Status != StatusPending && r.Status != StatusWaitlisted {
		return Registration{}, ErrNotActive
	}
	if r, err = cancel(ctx, db, now, n, r, StatusDeclined, NoticeDeclined); err != nil {
		return Registration{}, err
	}
	return r, audit.Record(ctx, db, now, actor, "registration.decline", "registration", fmt.Sprint(r.ID), nil)
}

// MoveMode is an organiser moving a registrant between modes.
func MoveMode(ctx context.Context, db bun.IDB, now time.Time, n Notifier, actor audit.Actor, forumID, id int64, mode string) (Registration, error) {
	r, err := lockInForum(ctx, db, forumID, id)
	if err != nil {
		return Registration{}, err
	}
	if r, err = changeMode(ctx, db, now, n, r, mode); err != nil {
		return Registration{}, err
	}
	return r, audit.Record(ctx, db, now, actor, "registration.move", "registration", fmt.Sprint(r.ID), map[string]any{"mode": mode})
}

// ExpireOffer passes on offer id when its time is over, and tells whether it did.
func ExpireOffer(ctx context.Context, db bun.IDB, now time.Time, n Notifier, id int64) (bool, error) {
	var r Registration
	q := db.NewSelect().Model(&r).Where("id = ?", id)
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		return false, fmt.Errorf("reading offer %d: %w", id, store.NotFound(err))
	}
	if r.Status != StatusOffered || r.OfferExpiresAt == nil || now.Before(*r.OfferExpiresAt) {
		return false, nil
	}
	_, err := cancel(ctx, db, now, n, r, StatusExpired, NoticeExpired)
	return err == nil, err
}

// ReleaseQuotas releases the due quotas of one pool and seats people in line in the seats they
// free, and tells whether anything was released.
func ReleaseQuotas(ctx context.Context, db bun.IDB, now time.Time, n Notifier, forumID, sessionID int64, mode string) (bool, error) {
	p, err := lockPool(ctx, db, forumID, sessionID, mode)
	if err != nil {
		return false, err
	}
	released, err := p.releaseDue(ctx, db, now)
	if err != nil || !released {
		return false, err
	}
	s, err := SettingsOf(ctx, db, forumID)
	if err != nil {
		return false, err
	}
	return true, fill(ctx, db, now, s, p, n)
}

// codeAlphabet leaves out letters read as digits (I, L, O, U) so a code can be typed at the door.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeLength is the length of check-in codes: 10 characters of 5 bits.
const codeLength = 10

// newCode is a random check-in code.
func newCode() string {
	b := make([]byte, codeLength)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}
