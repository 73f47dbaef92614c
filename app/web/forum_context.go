package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
)

// Reaching a forum: every request about one forum or session loads it here, with its process
// and topics, and learns whether the viewer may see it (forumOf, sessionOf); answers about
// many forums (a personal feed, a list of registrations) read them through one forumReader.

// forumContext is a forum the viewer may see, with what every page about it needs.
type forumContext struct {
	Forum   forums.Forum
	Process processes.Process
	Topics  []processes.Topic
	TopicBy map[int64]processes.Topic
	Zone    *time.Location
	Runs    bool // the viewer runs the process: drafts and the organiser's links show
	// Joins: the viewer may have the online links (see registration.LinksOpen). When not,
	// Forum.OnlineURL is blank, LinkHidden tells that the forum has one, and shown() blanks
	// the sessions' own.
	Joins      bool
	LinkHidden bool
	Registers  bool // the forum takes registrations
	// Holds are the sessions with places of their own where the viewer holds one: a session's
	// own link is the door of its capped room, for them (and those who run the process) only.
	Holds map[int64]bool
	read  forums.Forum // as read, its online link kept
}

// shown is sv as the viewer may see it: without its own online link unless they may join, and,
// at a session with places of its own, hold a place there.
func (fc *forumContext) shown(sv forums.SessionView) forums.SessionView {
	if !fc.Joins || (fc.Registers && sv.Capacity > 0 && !fc.Runs && !fc.Holds[sv.ID]) {
		sv.OnlineURL = ""
	}
	return sv
}

// forumByParam finds the forum of the path, by number or slug.
func (s *Server) forumByParam(c *fiber.Ctx) (forums.Forum, error) {
	key := strings.TrimSuffix(strings.Clone(c.Params("id")), ".ics")
	if id, err := strconv.ParseInt(key, 10, 64); err == nil && id > 0 {
		return forums.Get(c.UserContext(), s.DB, id)
	}
	if key == "" || len(key) > 80 {
		return forums.Forum{}, errNotFound
	}
	return forums.BySlug(c.UserContext(), s.DB, key)
}

// forumContextOf loads f's process and topics and checks that the viewer may see f: a draft
// forum, or any forum of a draft process, only for those who run the process.
func (s *Server) forumContextOf(c *fiber.Ctx, f forums.Forum) (*forumContext, error) {
	ctx := c.UserContext()
	r := s.forumReader(ctx)
	p, err := r.process(f.ProcessID)
	if err != nil {
		return nil, err
	}
	runs, err := s.runs(c, p)
	if err != nil {
		return nil, err
	}
	if !runs && (f.Status == forums.StatusDraft || p.Status == processes.StatusDraft) {
		return nil, errNotFound
	}
	if runs && !account(c).IsAdmin {
		noCache(c) // drawn with what only the process's organisers see
	}
	topics, err := r.topics(p.ID)
	if err != nil {
		return nil, err
	}
	// Pages and feeds are cached for every member alike: what they show of the online links
	// cannot depend on whether this viewer is confirmed (the API's answers can: withViewerLinks).
	_, registers, err := registration.Offers(ctx, s.DB, f.ID)
	if err != nil {
		return nil, err
	}
	fc := newForumContext(f, p, topics, runs, runs || !registers)
	fc.Registers = registers
	return fc, nil
}

// withViewerLinks is fc with the online links when the viewer may have them as a confirmed
// participant, for answers that are never cached for others.
func (s *Server) withViewerLinks(c *fiber.Ctx, fc *forumContext) (*forumContext, error) {
	f := fc.read
	if fc.Joins || viewerID(c) == 0 {
		return fc, nil
	}
	open, err := registration.LinksOpen(c.UserContext(), s.DB, viewerID(c), f.ID)
	if err != nil || !open[f.ID] {
		return fc, err
	}
	joined := newForumContext(f, fc.Process, fc.Topics, fc.Runs, true)
	joined.Registers = fc.Registers
	joined.Holds, err = registration.SessionsHeld(c.UserContext(), s.DB, viewerID(c), f.ID)
	return joined, err
}

// newForumContext puts together what pages about forum f need, its process and topics read;
// joins tells whether the viewer may have its online links.
func newForumContext(f forums.Forum, p processes.Process, topics []processes.Topic, runs, joins bool) *forumContext {
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	fc := &forumContext{Forum: f, read: f, Process: p, Topics: topics, TopicBy: map[int64]processes.Topic{}, Zone: zone, Runs: runs, Joins: joins}
	if !joins {
		fc.LinkHidden = f.OnlineURL != ""
		fc.Forum.OnlineURL = ""
	}
	for _, t := range topics {
		fc.TopicBy[t.ID] = t
	}
	return fc
}

// forumOf finds the forum of the path (:id, a number or a slug) if the viewer may see it. It is
// the one way a request reaches a forum: the organisers' guard and the API go through it too.
func (s *Server) forumOf(c *fiber.Ctx) (*forumContext, error) {
	f, err := s.forumByParam(c)
	if err != nil {
		return nil, err
	}
	return s.forumContextOf(c, f)
}

// sessionOf finds the session of the path and its forum, if the viewer may see them.
func (s *Server) sessionOf(c *fiber.Ctx) (forums.SessionView, *forumContext, error) {
	id, err := strconv.ParseInt(strings.TrimSuffix(c.Params("id"), ".ics"), 10, 64)
	if err != nil || id < 1 {
		return forums.SessionView{}, nil, errNotFound
	}
	sv, err := forums.SessionByID(c.UserContext(), s.DB, id)
	if err != nil {
		return sv, nil, err
	}
	f, err := forums.Get(c.UserContext(), s.DB, sv.ForumID)
	if err != nil {
		return sv, nil, err
	}
	fc, err := s.forumContextOf(c, f)
	return sv, fc, err
}

// forumReaderOf reads forums, their processes and topics, each once, for one answer.
type forumReaderOf struct {
	ctx    context.Context
	s      *Server
	forums map[int64]forums.Forum
	procs  map[int64]processes.Process
	topicz map[int64][]processes.Topic
}

func (s *Server) forumReader(ctx context.Context) *forumReaderOf {
	return &forumReaderOf{ctx: ctx, s: s, forums: map[int64]forums.Forum{}, procs: map[int64]processes.Process{},
		topicz: map[int64][]processes.Topic{}}
}

func (r *forumReaderOf) forum(id int64) (forums.Forum, error) {
	if f, ok := r.forums[id]; ok {
		return f, nil
	}
	f, err := forums.Get(r.ctx, r.s.DB, id)
	if err == nil {
		r.forums[id] = f
	}
	return f, err
}

func (r *forumReaderOf) process(id int64) (processes.Process, error) {
	if p, ok := r.procs[id]; ok {
		return p, nil
	}
	p, err := processes.ByID(r.ctx, r.s.DB, id)
	if err == nil {
		r.procs[id] = p
	}
	return p, err
}

func (r *forumReaderOf) topics(processID int64) ([]processes.Topic, error) {
	if t, ok := r.topicz[processID]; ok {
		return t, nil
	}
	t, err := processes.Topics(r.ctx, r.s.DB, processID)
	if err == nil {
		r.topicz[processID] = t
	}
	return t, err
}

// context is forum id as one who does not run its process sees it, joins telling whether they
// may have its online links. It checks nothing: the caller has shown the viewer holds a place.
func (r *forumReaderOf) context(id int64, joins bool) (*forumContext, error) {
	f, err := r.forum(id)
	if err != nil {
		return nil, err
	}
	p, err := r.process(f.ProcessID)
	if err != nil {
		return nil, err
	}
	topics, err := r.topics(p.ID)
	if err != nil {
		return nil, err
	}
	return newForumContext(f, p, topics, false, joins), nil
}
