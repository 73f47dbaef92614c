package registration

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/calendar"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
)

// Words are what notices need of the message catalogs: messages, and days and times written
// in the reader's language.
type Words interface {
	T(lang, id string, data map[string]any) string
	Days(lang, first, last string) string
	DateTime(lang string, t time.Time, zone *time.Location) string
}

// Outbox queues a mail (with an invite, when calendar is not empty) in the caller's
// transaction.
type Outbox interface {
	Invite(ctx context.Context, db bun.IDB, to, lang, kind string, data map[string]any, calendar string) error
}

// Mailer writes notices as mail in the holder's language: mail.registration_<kind> of the
// catalogs, with the forum's event attached as an invite (METHOD REQUEST or CANCEL) with the
// same UID as the feeds.
type Mailer struct {
	Outbox    Outbox
	Words     Words
	Events    forums.Events
	Links     Links
	Organizer calendar.Person // who invites: the site's name and sender address
}

// Notify queues n.
func (m Mailer) Notify(ctx context.Context, db bun.IDB, n Notice) error {
	r := n.Registration
	if r.Email == "" {
		return nil // erased
	}
	f, err := forums.Get(ctx, db, r.ForumID)
	if err != nil {
		return err
	}
	p, err := processes.ByID(ctx, db, f.ProcessID)
	if err != nil {
		return err
	}
	l := r.Language
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	data := map[string]any{
		"Name": r.Name, "Forum": f.Title.In(l, p.Languages...), "Process": p.Title.In(l, p.Languages...),
		"Days": m.Words.Days(l, f.StartsOn, f.EndsOn), "Mode": m.Words.T(l, "registration.mode_adverb."+r.Mode, nil),
		"Position": r.Position, "Link": m.manageLink(r), "ForumURL": m.Events.BaseURL + "/forums/" + f.Slug, "Code": r.Code,
	}
	if r.OfferExpiresAt != nil {
		data["Until"] = m.Words.DateTime(l, *r.OfferExpiresAt, zone)
	}
	if n.Kind == NoticeWaitlisted && r.Position == 0 {
		if data["Position"], err = position(ctx, db, r); err != nil {
			return err
		}
	}
	var ics string
	if n.Invite != InviteNone {
		if ics, err = m.invite(l, f, p, r, n.Invite); err != nil {
			return err
		}
	}
	return m.Outbox.Invite(ctx, db, r.Email, l, "registration_"+n.Kind, data, ics)
}

// manageLink is where the holder sees and changes the registration: their account's list, or
// a guest's own link.
func (m Mailer) manageLink(r Registration) string {
	if r.LinkSalt != nil {
		return m.Events.BaseURL + "/registrations/guest/" + m.Links.Token(*r.LinkSalt)
	}
	return m.Events.BaseURL + "/registrations"
}

// invite is the forum's event as an invite to r's holder: the feed's event with the holder as
// attendee, its place for their mode, and a SEQUENCE that grows with the forum's and with each
// invite or cancellation sent.
func (m Mailer) invite(l string, f forums.Forum, p processes.Process, r Registration, method string) (string, error) {
	ev := m.Events.Forum(l, f, p.Languages)
	ev.Sequence = f.Sequence + r.InviteSequence
	ev.Organizer = m.Organizer
	ev.Attendee = calendar.Person{Name: r.Name, Email: r.Email}
	if r.Mode == ModeOnline && f.OnlineURL != "" {
		ev.Location = m.Words.T(l, "forum.online", nil)
		ev.Description += "\n\n" + m.Words.T(l, "forum.join_online", nil) + ": " + f.OnlineURL
	}
	ev.Description += "\n\n" + m.Words.T(l, "registration.manage", nil) + ": " + m.manageLink(r)
	if method == InviteCancel {
		ev.Cancelled = true
	}
	var buf bytes.Buffer
	if err := calendar.Encode(&buf, calendar.Calendar{Method: method, Zone: f.TimeZone, Updated: f.UpdatedAt,
		Events: []calendar.Event{ev}}); err != nil {
		return "", fmt.Errorf("writing the invite of registration %d: %w", r.ID, err)
	}
	return buf.String(), nil
}
