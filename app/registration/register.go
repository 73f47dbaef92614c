package registration

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
)

// Request is one person's registration, for RegisterMany.
type Request struct {
	Owner Owner
	Form  Form
}

// Result is what became of one Request: the registration, or why it was refused.
type Result struct {
	Registration Registration
	Err          error
}

// Register gives owner a place at forum forumID as form says: pending when the forum approves
// registrations or a guest has yet to confirm their address, else a seat when one is free,
// else a numbered place in line. A guest's registration gets the salt of their link.
func Register(ctx context.Context, db bun.IDB, now time.Time, n Notifier, forumID int64, owner Owner, form Form) (Registration, error) {
	res, err := RegisterMany(ctx, db, now, n, forumID, []Request{{Owner: owner, Form: form}})
	if err != nil {
		return Registration{}, err
	}
	return res[0].Registration, res[0].Err
}

// RegisterMany is Register for several people at once, in the order given, in the caller's
// transaction: the forum is read once, each attendance mode's places are locked once and
// counted for all, and the registrations and their notices are written in one statement each.
// A refusal is one request's (its Result.Err) and leaves the others be; the error returned is
// the database's, after which the transaction must be rolled back.
func RegisterMany(ctx context.Context, db bun.IDB, now time.Time, n Notifier, forumID int64, reqs []Request) ([]Result, error) {
	out := make([]Result, len(reqs))
	refuseAll := func(err error) ([]Result, error) {
		if _, ok := problem.As(err); !ok {
			return nil, err
		}
		for i := range out {
			out[i].Err = err
		}
		return out, nil
	}
	ff, err := loadForum(ctx, db, forumID)
	if err != nil {
		return refuseAll(err)
	}
	if err := ff.checkOpen(now); err != nil {
		return refuseAll(err)
	}
	regs := make([]*Registration, len(reqs))
	for i, req := range reqs {
		form := req.Form.Normalized()
		guest := req.Owner.AccountID == 0
		d, es := form.check(guest, ModesOf(ff.forum), ff.process.StakeholderGroups, ff.questions)
		if len(es) > 0 {
			out[i].Err = es
			continue
		}
		r := &Registration{ForumID: ff.forum.ID, Name: req.Owner.Name, Email: req.Owner.Email, Language: req.Owner.Language,
			Mode: form.Mode, Details: d, CreatedAt: now, UpdatedAt: now}
		if guest {
			r.Name, r.Email = form.Name, form.Email
			salt := newSalt()
			r.LinkSalt = &salt
		} else {
			id := req.Owner.AccountID
			r.AccountID = &id
			r.EmailConfirmedAt = &now
		}
		regs[i] = r
	}
	prev, err := earlier(ctx, db, ff.forum.ID, 0, regs)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var again []Notice
	for i, r := range regs {
		if r == nil {
			continue
		}
		k := ownerKey(r)
		p := prev[k]
		if p == nil && !r.Guest() {
			// A guest registration with the account's address is the account holder's: taken
			// over when its address was proven, renewed as theirs when it never was (anyone can
			// type an address, and must not shut its owner out).
			if g := prev[guestKey(r.Email)]; g != nil {
				p = g
				if g.EmailConfirmedAt == nil {
					g.Status = StatusCancelled
				}
			}
		}
		switch {
		case seen[k] || (p != nil && (Active(p.Status) || p.Status == StatusDeclined)):
			regs[i] = nil
			if r.Guest() {
				// A guest hears of it by mail, at the address: the page answers as for a new
				// registration, so the form tells nobody who is registered.
				if p != nil && p.LinkSalt != nil {
					again = append(again, Notice{Kind: NoticeGuestAgain, Registration: *p, Forum: &ff.forum, Process: &ff.process})
				}
				continue
			}
			if p != nil && p.Guest() {
				if err := claim(ctx, db, p, *r.AccountID); err != nil {
					return nil, err
				}
			}
			switch {
			case p == nil:
				out[i].Err = ErrRegistered
			case p.Status == StatusDeclined:
				out[i].Err = ErrDeclined
			default:
				out[i].Err = ErrRegistered.With(map[string]any{"ID": p.ID})
			}
			continue
		}
		seen[k] = true
		r.Code = newCode()
		if p != nil {
			// Registering again after cancelling: the same row, a new place in line.
			r.ID, r.Code, r.CreatedAt = p.ID, p.Code, p.CreatedAt
			if r.Guest() {
				r.EmailConfirmedAt, r.LinkSalt = p.EmailConfirmedAt, p.LinkSalt
			}
			if p.InviteSequence > 0 {
				r.InviteSequence = p.InviteSequence + 1 // after a cancellation, a calendar takes the new invite
			}
		}
	}
	// Pending ones take no seat; the others are seated or lined up, mode by mode.
	byMode := map[string][]*Registration{}
	for _, r := range regs {
		if r == nil {
			continue
		}
		if ff.settings.Approval || r.EmailConfirmedAt == nil {
			r.Status = StatusPending
			continue
		}
		byMode[r.Mode] = append(byMode[r.Mode], r)
	}
	for _, mode := range slices.Sorted(func(yield func(string) bool) {
		for m := range byMode {
			if !yield(m) {
				return
			}
		}
	}) {
		if err := seatMany(ctx, db, now, ff.forum.ID, 0, mode, byMode[mode]); err != nil {
			return nil, err
		}
	}
	if err := save(ctx, db, regs); err != nil {
		return nil, err
	}
	var notices []Notice
	for i, r := range regs {
		if r == nil {
			continue
		}
		out[i].Registration = *r
		if kind := placedNotice(*r); kind != "" {
			notices = append(notices, Notice{Kind: kind, Registration: *r, Invite: invites[kind], Forum: &ff.forum, Process: &ff.process})
		}
	}
	notices = append(notices, again...)
	if n != nil && len(notices) > 0 {
		if err := n.Notify(ctx, db, notices...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ownerKey tells registrations of the same person apart: their account, or a guest's address.
func ownerKey(r *Registration) string {
	if r.AccountID != nil {
		return "a" + strconv.FormatInt(*r.AccountID, 10)
	}
	return guestKey(r.Email)
}

func guestKey(email string) string { return "e" + email }

// claim makes guest registration g the account's: its address is the account's, proven.
func claim(ctx context.Context, db bun.IDB, g *Registration, accountID int64) error {
	g.AccountID = &accountID
	if _, err := db.NewUpdate().Model(g).Column("account_id").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("giving guest registration %d to account %d: %w", g.ID, accountID, err)
	}
	return nil
}

// earlier finds, locked, the registrations the people of regs already have for the forum (or
// session), by ownerKey; for an account, also the guest registration with its address.
func earlier(ctx context.Context, db bun.IDB, forumID, sessionID int64, regs []*Registration) (map[string]*Registration, error) {
	var accounts []int64
	var emails []string
	for _, r := range regs {
		switch {
		case r == nil:
		case r.AccountID != nil:
			accounts = append(accounts, *r.AccountID)
			emails = append(emails, r.Email)
		default:
			emails = append(emails, r.Email)
		}
	}
	out := map[string]*Registration{}
	for _, part := range []struct {
		where string
		args  any
		n     int
	}{{"account_id IN (?)", bun.List(accounts), len(accounts)}, {"email IN (?) AND account_id IS NULL", bun.List(emails), len(emails)}} {
		if part.n == 0 {
			continue
		}
		var found []Registration
		q := db.NewSelect().Model(&found).Where("forum_id = ? AND session_id = ?", forumID, sessionID).Where(part.where, part.args)
		if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
			return nil, fmt.Errorf("finding earlier registrations for forum %d: %w", forumID, err)
		}
		for i := range found {
			out[ownerKey(&found[i])] = &found[i]
		}
	}
	return out, nil
}

// seatMany seats rs in their pool, in order, while seats last, and lines up the rest with the
// next tickets, telling each their position. The pool's rows stay locked until the caller's
// transaction ends: that is what keeps a seat from being given twice, and what makes the
// positions exact (everyone with an earlier ticket has committed).
func seatMany(ctx context.Context, db bun.IDB, now time.Time, forumID, sessionID int64, mode string, rs []*Registration) error {
	p, err := lockPool(ctx, db, forumID, sessionID, mode)
	if err != nil {
		return err
	}
	changed := map[int64]bool{}
	waiting := -1
	for _, r := range rs {
		if row := p.seatFor(r.Group); row != nil {
			row.Taken++
			changed[row.ID] = true
			id := row.ID
			r.Status, r.PlaceID, r.WaitlistedAt, r.Ticket, r.Position = StatusConfirmed, &id, nil, 0, 0
			continue
		}
		if waiting < 0 {
			n, err := db.NewSelect().Model((*Registration)(nil)).
				Where("forum_id = ? AND session_id = ? AND mode = ? AND status = ?", forumID, sessionID, mode, StatusWaitlisted).Count(ctx)
			if err != nil {
				return fmt.Errorf("counting the line of forum %d/%d %s: %w", forumID, sessionID, mode, err)
			}
			waiting = int(n)
		}
		changed[p.queue(now, r).ID] = true
		waiting++
		r.Position = waiting
	}
	for _, row := range p.rows {
		if changed[row.ID] {
			if _, err := db.NewUpdate().Model(&row).Column("taken", "tickets").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("counting places of row %d: %w", row.ID, err)
			}
		}
	}
	return nil
}

// save writes new registrations in one statement and renewed ones one by one.
func save(ctx context.Context, db bun.IDB, regs []*Registration) error {
	var fresh []Registration
	var at []int
	for i, r := range regs {
		switch {
		case r == nil:
		case r.ID == 0:
			fresh = append(fresh, *r)
			at = append(at, i)
		default:
			if _, err := db.NewUpdate().Model(r).WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("renewing registration %d: %w", r.ID, err)
			}
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	if _, err := db.NewInsert().Model(&fresh).Exec(ctx); err != nil {
		return fmt.Errorf("saving %d registrations: %w", len(fresh), err)
	}
	for j, i := range at {
		regs[i].ID = fresh[j].ID
	}
	return nil
}
