package registration

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/calendar"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/processes"
)

// Words are what notices need of the message catalogs: messages, and days and times written
// in the reader's language.
type Words interface {
	T(lang, id string, data map[string]any) string
	Days(lang, first, last string) string
	DateTime(lang string, t time.Time, zone *time.Location) string
}

// Outbox composes mail (with an invite, when calendar is not empty) and queues it in the
// caller's transaction.
type Outbox interface {
	Compose(to, lang, kind string, data map[string]any, calendar string) (mail.Message, error)
	Queue(ctx context.Context, db bun.IDB, msgs ...mail.Message) error
}

// Mailer writes notices as mail in the holder's language: mail.registration_<kind> of the
// catalogs, with the forum's event attached as an invite (METHOD REQUEST or CANCEL) with the
// same UID as the feeds.
type Mailer struct {
	Outbox Outbox
	Words  Words
	Events forums.Events
	Links  Links
	// Log hears of notices that could not be written (nil: nobody does).
	Log *slog.Logger
	// Clock stamps the invites with when their message was made.
	Clock clock.Clock
}

// errInvite is an invite that could not be written.
var errInvite = errors.New("writing an invite")

// uncomposable tells a notice that cannot be written as mail (the database's errors are not).
func uncomposable(err error) bool {
	return errors.Is(err, errInvite) || errors.Is(err, mail.ErrUnknownKind) || errors.Is(err, mail.ErrInvalidMessage)
}

// Notify queues the notices' mail in one statement. A notice that cannot be written as mail is
// logged and left out: it must never undo the change it tells of (a registrant's cancellation,
// an organiser's new capacity) by failing the transaction.
func (m Mailer) Notify(ctx context.Context, db bun.IDB, ns ...Notice) error {
	msgs := make([]mail.Message, 0, len(ns))
	rd := &reads{}
	for _, n := range ns {
		if n.Registration.Email == "" {
			continue // erased
		}
		if n.Forum == nil || n.Process == nil {
			fp, err := rd.forum(ctx, db, n)
			if err != nil {
				return err
			}
			n.Forum, n.Process = &fp.f, &fp.p
		}
		composed, err := m.compose(ctx, db, rd, n, *n.Forum, *n.Process)
		for _, msg := range composed {
			if err != nil {
				break
			}
			_, err = mail.Check(msg)
		}
		if err != nil {
			if !uncomposable(err) {
				return err
			}
			if m.Log != nil {
				m.Log.Error("a notice could not be written as mail", "registration", n.Registration.ID, "kind", n.Kind, "err", err)
			}
			continue
		}
		msgs = append(msgs, composed...)
	}
	return m.Outbox.Queue(ctx, db, msgs...)
}

// reads keeps what one Notify call has read, so that notices about one forum, session or
// process read it once: re-inviting a capped session's 200 holders read its session and the
// process's topics 400 times inside the organiser's transaction.
type reads struct {
	forums     map[int64]forumAndProcess
	sessions   map[int64]forums.SessionView
	programmes map[int64][]forums.SessionView
	topics     map[int64]map[int64]processes.Topic
}

func (rd *reads) programme(ctx context.Context, db bun.IDB, forumID int64) ([]forums.SessionView, error) {
	if list, ok := rd.programmes[forumID]; ok {
		return list, nil
	}
	list, err := forums.Programme(ctx, db, forumID)
	if err != nil {
		return nil, err
	}
	if rd.programmes == nil {
		rd.programmes = map[int64][]forums.SessionView{}
	}
	rd.programmes[forumID] = list
	return list, nil
}

type forumAndProcess struct {
	f forums.Forum
	p processes.Process
}

func (rd *reads) forum(ctx context.Context, db bun.IDB, n Notice) (forumAndProcess, error) {
	if fp, ok := rd.forums[n.Registration.ForumID]; ok {
		return fp, nil
	}
	f, p, err := forumOf(ctx, db, n)
	if err != nil {
		return forumAndProcess{}, err
	}
	if rd.forums == nil {
		rd.forums = map[int64]forumAndProcess{}
	}
	rd.forums[n.Registration.ForumID] = forumAndProcess{f, p}
	return rd.forums[n.Registration.ForumID], nil
}

func (rd *reads) session(ctx context.Context, db bun.IDB, id int64) (forums.SessionView, error) {
	if sv, ok := rd.sessions[id]; ok {
		return sv, nil
	}
	sv, err := forums.SessionByID(ctx, db, id)
	if err != nil {
		return sv, err
	}
	if rd.sessions == nil {
		rd.sessions = map[int64]forums.SessionView{}
	}
	rd.sessions[id] = sv
	return sv, nil
}

func (rd *reads) topicsOf(ctx context.Context, db bun.IDB, processID int64) (map[int64]processes.Topic, error) {
	if by, ok := rd.topics[processID]; ok {
		return by, nil
	}
	topics, err := processes.Topics(ctx, db, processID)
	if err != nil {
		return nil, err
	}
	by := make(map[int64]processes.Topic, len(topics))
	for _, t := range topics {
		by[t.ID] = t
	}
	if rd.topics == nil {
		rd.topics = map[int64]map[int64]processes.Topic{}
	}
	rd.topics[processID] = by
	return by, nil
}

// compose writes the mail of notice n: the notice itself and, when its invite holds several
// sessions, one more message per session after the first. Calendar apps read one event per
// invitation: Thunderbird applies an update or a cancellation carrying several UIDs to the
// first one's event only, duplicating or keeping the others.
func (m Mailer) compose(ctx context.Context, db bun.IDB, rd *reads, n Notice, f forums.Forum, p processes.Process) ([]mail.Message, error) {
	r := n.Registration
	l := r.Language
	// The forum's zone is read only by the notices that name a time.
	zone := func() *time.Location {
		z, err := clock.Zone(f.TimeZone)
		if err != nil {
			return time.UTC
		}
		return z
	}
	var err error
	data := map[string]any{
		"Name": r.Name, "Forum": f.Title.In(l, p.Languages...), "Process": p.Title.In(l, p.Languages...),
		"Days": m.Words.Days(l, f.StartsOn, f.EndsOn), "Mode": m.Words.T(l, "registration.mode_adverb."+cmp.Or(r.Mode, ModeInPerson), nil),
		"Position": r.Position, "Link": m.manageLink(r), "ForumURL": m.Events.BaseURL + "/forums/" + f.Slug, "Code": r.Code,
		"ChangesURL": m.Events.BaseURL + "/forums/" + f.Slug + "/changes",
	}
	if r.OfferExpiresAt != nil {
		data["Until"] = m.Words.DateTime(l, *r.OfferExpiresAt, zone())
	}
	if n.Message != nil {
		data["Subject"], data["Body"] = n.Message.Subject, n.Message.Body
	}
	var sv *forums.SessionView
	if r.SessionID != 0 {
		// A capped session's place: the session is named, with its forum, and its time.
		s, err := rd.session(ctx, db, r.SessionID)
		if err != nil {
			return nil, err
		}
		sv = &s
		data["Forum"] = s.Title.In(l, p.Languages...) + " (" + f.Title.In(l, p.Languages...) + ")"
		data["Days"] = m.Words.DateTime(l, s.StartsAt, zone())
		data["Mode"] = m.Words.T(l, "registration.mode_adverb."+ModeInPerson, nil)
		if s.Room == "" {
			data["Mode"] = m.Words.T(l, "registration.mode_adverb."+ModeOnline, nil)
		}
	}
	if n.Kind == NoticeWaitlisted && r.Position == 0 {
		if data["Position"], err = position(ctx, db, r); err != nil {
			return nil, err
		}
	}
	var invites []invitePart
	if n.Invite != InviteNone {
		if invites, err = m.invite(ctx, db, rd, l, f, p, sv, r, n); err != nil {
			return nil, err
		}
		if len(invites) == 0 {
			return nil, nil // an update whose sessions are those of another notice
		}
	}
	first := ""
	if len(invites) > 0 {
		first = invites[0].ics
	}
	msg, err := m.Outbox.Compose(r.Email, l, "registration_"+n.Kind, data, first)
	if err != nil {
		return nil, err
	}
	out := []mail.Message{msg}
	for i, inv := range invites[min(1, len(invites)):] {
		kind := "registration_session_invite"
		if n.Invite == InviteCancel {
			kind = "registration_session_cancel"
		}
		extra, err := m.Outbox.Compose(r.Email, l, kind, map[string]any{"Name": r.Name, "Forum": f.Title.In(l, p.Languages...),
			"Session": inv.title, "When": m.Words.DateTime(l, inv.start, zone()), "N": i + 2, "Of": len(invites), "Link": m.manageLink(r)}, inv.ics)
		if err != nil {
			return nil, err
		}
		out = append(out, extra)
	}
	return out, nil
}

// manageLink is where the holder sees and changes the registration: their account's list, or
// a guest's own link.
func (m Mailer) manageLink(r Registration) string {
	if r.LinkSalt != nil {
		return m.Events.BaseURL + "/registrations/guest/" + m.Links.Token(*r.LinkSalt)
	}
	return m.Events.BaseURL + "/registrations"
}

// invite is what r's holder adds to their calendar, as invites (METHOD REQUEST or CANCEL), one
// event each,
// with the holder as attendee: for a place at a capped session, that session; for a place at a
// forum, each of its sessions open to all who hold one (capped ones come with their own places),
// with the same UIDs as the feeds, so a subscribed feed and an accepted invite are one event; a
// forum with no sessions yet, as one all-day event. Cancelled sessions are written cancelled
// in updates and cancellations, left out of a first invite. SEQUENCE grows with the session's
// (and forum's) changes and with each invite or cancellation the registration was sent, and
// DTSTAMP is when the message is made.
func (m Mailer) invite(ctx context.Context, db bun.IDB, rd *reads, l string, f forums.Forum, p processes.Process, sv *forums.SessionView, r Registration, n Notice) ([]invitePart, error) {
	var events []calendar.Event
	var sessions []forums.SessionView
	if sv != nil {
		sessions = []forums.SessionView{*sv}
	} else {
		all, err := rd.programme(ctx, db, f.ID)
		if err != nil {
			return nil, err
		}
		// An update sends the sessions changed since it began, or all when the forum changed.
		whole := n.Since == nil || !f.UpdatedAt.Before(*n.Since)
		for _, s := range all {
			if s.Capacity == 0 && (s.Status != forums.SessionCancelled || n.Kind == NoticeUpdated || n.Invite == InviteCancel) &&
				(whole || !s.UpdatedAt.Before(*n.Since)) {
				sessions = append(sessions, s)
			}
		}
		if len(sessions) == 0 && !whole && len(all) > 0 {
			return nil, nil
		}
	}
	if len(sessions) > 0 {
		topicBy, err := rd.topicsOf(ctx, db, p.ID)
		if err != nil {
			return nil, err
		}
		for _, s := range sessions {
			ev := m.Events.Session(l, f, p.Languages, topicBy, s)
			ev.Sequence = s.CalendarSequence(f) + r.InviteSequence
			events = append(events, ev)
		}
	} else {
		ev := m.Events.Forum(l, f, p.Languages)
		ev.Sequence = f.Sequence + r.InviteSequence
		events = append(events, ev)
	}
	for i := range events {
		ev := &events[i]
		ev.Organizer = m.Events.OrganizerOf(p, l)
		ev.Attendee = calendar.Person{Name: r.Name, Email: r.Email}
		if sv == nil && r.Mode == ModeOnline && f.OnlineURL != "" && ev.AllDay {
			ev.Location = m.Words.T(l, "forum.online", nil)
			ev.Description += "\n\n" + m.Words.T(l, "forum.join_online", nil) + ": " + f.OnlineURL
		}
		ev.Description += "\n\n" + m.Words.T(l, "registration.manage", nil) + ": " + m.manageLink(r)
		if n.Invite == InviteCancel {
			ev.Cancelled = true
		}
	}
	parts := make([]invitePart, 0, len(events))
	for i, ev := range events {
		var buf bytes.Buffer
		if err := calendar.Encode(&buf, calendar.Calendar{Method: n.Invite, Zone: f.TimeZone, Updated: f.UpdatedAt,
			Stamp: m.Clock.Now(), Events: []calendar.Event{ev}}); err != nil {
			return nil, fmt.Errorf("registration %d: %w: %w", r.ID, errInvite, err)
		}
		part := invitePart{ics: buf.String(), title: ev.Summary, start: ev.Start}
		if i < len(sessions) {
			part.title, part.start = sessions[i].Title.In(l, p.Languages...), sessions[i].StartsAt
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// invitePart is one event of an invite, encoded alone, and what its mail names.
type invitePart struct {
	ics   string
	title string
	start time.Time
}

// forumOf is the forum and process of a notice, read when the action did not give them.
func forumOf(ctx context.Context, db bun.IDB, n Notice) (forums.Forum, processes.Process, error) {
	if n.Forum != nil && n.Process != nil {
		return *n.Forum, *n.Process, nil
	}
	f, err := forums.Get(ctx, db, n.Registration.ForumID)
	if err != nil {
		return forums.Forum{}, processes.Process{}, err
	}
	p, err := processes.ByID(ctx, db, f.ProcessID)
	return f, p, err
}
