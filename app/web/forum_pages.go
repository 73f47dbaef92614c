package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/programme"
)

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
	p, err := processes.ByID(ctx, s.DB, f.ProcessID)
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
	topics, err := processes.Topics(ctx, s.DB, p.ID)
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
func (s *Server) withViewerLinks(c *fiber.Ctx, fc *forumContext, f forums.Forum) (*forumContext, error) {
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
	fc := &forumContext{Forum: f, Process: p, Topics: topics, TopicBy: map[int64]processes.Topic{}, Zone: zone, Runs: runs, Joins: joins}
	if !joins {
		fc.LinkHidden = f.OnlineURL != ""
		fc.Forum.OnlineURL = ""
	}
	for _, t := range topics {
		fc.TopicBy[t.ID] = t
	}
	return fc
}

func (s *Server) forumOf(c *fiber.Ctx) (*forumContext, error) {
	f, err := s.forumByParam(c)
	if err != nil {
		return nil, err
	}
	return s.forumContextOf(c, f)
}

// viewerID is the signed-in viewer's account, 0 when nobody is signed in.
func viewerID(c *fiber.Ctx) int64 {
	if a := account(c); a != nil {
		return a.ID
	}
	return 0
}

// profileZone is the viewer's own zone from their profile, or "" (the page's script then uses
// the browser's).
func profileZone(c *fiber.Ctx) string {
	if a := account(c); a != nil {
		return a.TimeZone
	}
	return ""
}

// readFilter reads the programme's filters from the query, refusing values the forum does not
// offer, each naming its field.
func readFilter(c *fiber.Ctx, fc *forumContext) (programme.Filter, error) {
	f := programme.Filter{Topic: strings.Clone(c.Query("topic")), Kind: strings.Clone(c.Query("kind")), Language: strings.Clone(c.Query("language"))}
	var es validate.Errors
	if f.Topic != "" && !slices.ContainsFunc(fc.Topics, func(t processes.Topic) bool { return t.Code == f.Topic }) {
		es.Add("topic", forums.CodeUnknownTopic, nil)
	}
	if f.Kind != "" && !slices.Contains(forums.SessionKinds(), f.Kind) {
		es.Add("kind", forums.CodeKind, nil)
	}
	if f.Language != "" && (len(f.Language) != 2 || strings.ToLower(f.Language) != f.Language) {
		es.Add("language", forums.CodeLanguage, map[string]any{"Value": f.Language})
	}
	return f, es.Err()
}

func (s *Server) showForum(c *fiber.Ctx) error {
	fc, err := s.forumOf(c)
	if err != nil {
		return err
	}
	filter, err := readFilter(c, fc)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	all, err := forums.Programme(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	rooms, err := forums.Rooms(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	var langs []string
	shown := make([]forums.SessionView, 0, len(all))
	for _, sv := range all {
		for _, l := range sv.Languages {
			if !slices.Contains(langs, l) {
				langs = append(langs, l)
			}
		}
		if filter.Keep(sv, fc.TopicBy) {
			shown = append(shown, sv)
		}
	}
	slices.Sort(langs)
	long, days := programme.Build(fc.Forum, shown, rooms, fc.Zone)
	reg, err := s.registrationWindow(c, fc)
	if err != nil {
		return err
	}
	l := lang(c)
	title := fc.Forum.Title.In(l, fc.Process.Languages...)
	return s.page(c, fiber.StatusOK, "forums/show", "", &Page{
		Title:       title,
		Description: summary(fc.Forum.Description.In(l, fc.Process.Languages...), 200),
		Data: map[string]any{"F": fc, "Filter": filter, "Filtered": filter.Active(), "Long": long, "Days": days,
			"Total": len(all), "Shown": len(shown), "Languages": langs, "Kinds": forums.SessionKinds(),
			"ViewerZone": profileZone(c), "Calendar": s.feedLinks("/forums/"+fc.Forum.Slug+".ics", title),
			"Ended": fc.Forum.Ended(s.Clock.Now()), "Registration": reg},
	})
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

func (s *Server) showSession(c *fiber.Ctx) error {
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	l := lang(c)
	title := sv.Title.In(l, fc.Process.Languages...)
	hidden := fc.LinkHidden || (!fc.Joins && sv.OnlineURL != "")
	sv = fc.shown(sv)
	return s.page(c, fiber.StatusOK, "forums/session", "", &Page{
		Title:       title,
		Description: summary(sv.Description.In(l, fc.Process.Languages...), 200),
		Data: map[string]any{"F": fc, "S": sv, "LinkHidden": hidden, "ViewerZone": profileZone(c), "Reservable": fc.Registers && sv.Capacity > 0,
			"Calendar": s.sessionLinks(sv, fc, l), "Ended": sv.EndsAt.Before(s.Clock.Now())},
	})
}

// calendarLinks are the ways a page offers to put its calendar in a person's own.
type calendarLinks struct {
	ICS string // download
	// Webcal subscribes in the system's calendar app; html/template would blank a webcal: URL
	// it cannot vouch for, and this one is built from the site's own address.
	Webcal  template.URL
	Google  string
	Outlook string
}

// feedLinks are the links to subscribe to the feed at path.
func (s *Server) feedLinks(path, name string) calendarLinks {
	abs := s.Config.BaseURL + path
	webcal := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(abs, "https://"), "http://")
	return calendarLinks{ICS: path, Webcal: template.URL(webcal),
		Google:  "https://calendar.google.com/calendar/render?cid=" + url.QueryEscape(webcal),
		Outlook: "https://outlook.live.com/calendar/0/addfromweb?url=" + url.QueryEscape(abs) + "&name=" + url.QueryEscape(name)}
}

// sessionLinks add one session to a calendar: its .ics, and Google's and Outlook's forms
// filled in.
func (s *Server) sessionLinks(sv forums.SessionView, fc *forumContext, l string) calendarLinks {
	path := "/sessions/" + strconv.FormatInt(sv.ID, 10) + ".ics"
	title := sv.Title.In(l, fc.Process.Languages...)
	page := s.Config.BaseURL + "/sessions/" + strconv.FormatInt(sv.ID, 10)
	where := s.events.Location(l, fc.Forum, sv)
	g := url.Values{"action": {"TEMPLATE"}, "text": {title}, "details": {page},
		"dates":    {sv.StartsAt.UTC().Format("20060102T150405Z") + "/" + sv.EndsAt.UTC().Format("20060102T150405Z")},
		"location": {where}, "ctz": {fc.Forum.TimeZone}}
	o := url.Values{"path": {"/calendar/action/compose"}, "rru": {"addevent"}, "subject": {title}, "body": {page},
		"startdt": {sv.StartsAt.UTC().Format(time.RFC3339)}, "enddt": {sv.EndsAt.UTC().Format(time.RFC3339)}, "location": {where}}
	links := s.feedLinks(path, title)
	links.Google = "https://calendar.google.com/calendar/render?" + g.Encode()
	links.Outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + o.Encode()
	return links
}

// registrationOffer is what a forum's page says about registering: nothing when the forum
// takes no registrations, else when it opens or closes.
type registrationOffer struct {
	Opens, Closes time.Time
	NotYet, Open  bool
}

func (s *Server) registrationWindow(c *fiber.Ctx, fc *forumContext) (*registrationOffer, error) {
	st, offered, err := registration.Offers(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil || !offered {
		return nil, err
	}
	now := s.Clock.Now()
	o := &registrationOffer{}
	o.Opens, o.Closes = registration.Window(fc.Forum, st)
	o.NotYet = now.Before(o.Opens)
	o.Open = fc.Forum.Status == forums.StatusPublished && !o.NotYet && now.Before(o.Closes)
	return o, nil
}
