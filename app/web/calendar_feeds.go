package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/calendar"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/web/cache"
)

// Calendar feeds: one session, a forum's sessions, a process's forums. Calendar apps fetch them
// with no cookie, so ?lang=en picks the language (else the negotiated one).

// feedLang is the language of a feed: ?lang= when it names one, else the negotiated one.
func feedLang(c *fiber.Ctx) string {
	if l := c.Query("lang"); locale.IsSupported(l) {
		return strings.Clone(l)
	}
	return lang(c)
}

// sessionEvent is a session as a calendar shows it, organised by its process's contact.
func (s *Server) sessionEvent(l string, fc *forumContext, sv forums.SessionView) calendar.Event {
	ev := s.events.Session(l, fc.Forum, fc.Process.Languages, fc.TopicBy, fc.shown(sv))
	ev.Organizer = s.events.OrganizerOf(fc.Process, l)
	return ev
}

// forumEvents are the events of one forum: its sessions, or the forum itself before it has any.
func (s *Server) forumEvents(l string, fc *forumContext, sessions []forums.SessionView) []calendar.Event {
	if len(sessions) == 0 {
		ev := s.events.Forum(l, fc.Forum, fc.Process.Languages)
		ev.Organizer = s.events.OrganizerOf(fc.Process, l)
		return []calendar.Event{ev}
	}
	out := make([]calendar.Event, len(sessions))
	for i, sv := range sessions {
		out[i] = s.sessionEvent(l, fc, sv)
	}
	return out
}

func (s *Server) sessionICS(c *fiber.Ctx) error {
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	l := feedLang(c)
	return s.sendCalendar(c, "session-"+strconv.FormatInt(sv.ID, 10), fc.Runs, calendar.Calendar{
		Name: sv.Title.In(l, fc.Process.Languages...), Method: calendar.MethodPublish, Zone: fc.Forum.TimeZone,
		Events: []calendar.Event{s.sessionEvent(l, fc, sv)}})
}

func (s *Server) forumICS(c *fiber.Ctx) error {
	fc, err := s.forumOf(c)
	if err != nil {
		return err
	}
	sessions, err := forums.Programme(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	l := feedLang(c)
	events := s.forumEvents(l, fc, sessions)
	return s.sendCalendar(c, fc.Forum.Slug, fc.Runs, calendar.Calendar{Name: fc.Forum.Title.In(l, fc.Process.Languages...),
		Method: calendar.MethodPublish, Zone: fc.Forum.TimeZone, Updated: fc.Forum.UpdatedAt, Events: events})
}

// processICS is every public forum of a process in one calendar, read in a fixed number of
// queries whatever the number of forums.
func (s *Server) processICS(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	runs, err := s.runs(c, p)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	list, err := forums.List(ctx, s.DB, p.ID, true)
	if err != nil {
		return err
	}
	topics, err := processes.Topics(ctx, s.DB, p.ID)
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, f := range list {
		ids[i] = f.ID
	}
	sessions, err := forums.Programme(ctx, s.DB, ids...)
	if err != nil {
		return err
	}
	byForum := map[int64][]forums.SessionView{}
	for _, sv := range sessions {
		byForum[sv.ForumID] = append(byForum[sv.ForumID], sv)
	}
	open, err := registration.LinksOpen(ctx, s.DB, 0, ids...) // cached for every member alike
	if err != nil {
		return err
	}
	l := feedLang(c)
	cal := calendar.Calendar{Name: p.Title.In(l, p.Languages...), Method: calendar.MethodPublish, Zone: p.TimeZone, Updated: p.UpdatedAt}
	for _, f := range list {
		cal.Events = append(cal.Events, s.forumEvents(l, newForumContext(f, p, topics, runs, runs || open[f.ID]), byForum[f.ID])...)
	}
	return s.sendCalendar(c, p.Slug, runs, cal)
}

// sendCalendar writes a calendar with an ETag, answering 304 when the client has it already.
// Calendars of public forums may be kept by shared caches, which must ask again each time.
func (s *Server) sendCalendar(c *fiber.Ctx, name string, private bool, cal calendar.Calendar) error {
	if cal.Organizer.Email == "" {
		cal.Organizer = s.events.Organizer
	}
	var buf bytes.Buffer
	if err := calendar.Encode(&buf, cal); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`.ics"`)
	return s.sendWithETag(c, buf.Bytes(), private)
}

// sendWithETag sends body with an ETag of its bytes and answers If-None-Match with 304. The
// ETag is weak: the compress middleware may send the same body gzipped, and a strong ETag
// must differ between encodings.
func (s *Server) sendWithETag(c *fiber.Ctx, body []byte, private bool) error {
	sum := sha256.Sum256(body)
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
	c.Set(fiber.HeaderETag, etag)
	if private || account(c) != nil {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, no-cache")
	}
	c.Vary(fiber.HeaderAcceptLanguage, fiber.HeaderCookie)
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && cache.ETagMatches(match, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(body)
}
