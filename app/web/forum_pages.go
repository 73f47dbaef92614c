package web

import (
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/cache"
	"github.com/convene/convene/app/web/programme"
)

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
	// The programme is the same for everyone who reads it in one language and time zone: drawn
	// once for all of them, each viewer's page around it.
	zone := profileZone(c)
	prog, err := s.fragment(c, "forums/show", "forum-programme", strconv.FormatInt(fc.Forum.ID, 10)+"\x00"+zone+"\x00"+cacheURL(c),
		func() (map[string]any, error) { return s.programmeData(c, fc, filter, zone) })
	if err != nil {
		return err
	}
	reg, err := s.registrationWindow(c, fc)
	if err != nil {
		return err
	}
	l := lang(c)
	title := fc.Forum.Title.In(l, fc.Process.Languages...)
	return s.page(c, fiber.StatusOK, "forums/show", "", &Page{
		Title:       title,
		Description: summary(fc.Forum.Description.In(l, fc.Process.Languages...), 200),
		Data: map[string]any{"F": fc, "Programme": template.HTML(cache.Marker), "Calendar": s.feedLinks("/forums/"+fc.Forum.Slug+".ics", title),
			"Ended": fc.Forum.Ended(s.Clock.Now()), "Registration": reg},
		part: prog,
	})
}

// programmeData is what a forum's programme draws: its sessions as the filter keeps them, by
// day, in the viewer's zone beside the forum's.
func (s *Server) programmeData(c *fiber.Ctx, fc *forumContext, filter programme.Filter, zone string) (map[string]any, error) {
	ctx := c.UserContext()
	all, err := forums.Programme(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	rooms, err := forums.Rooms(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
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
	return map[string]any{"F": fc, "Filter": filter, "Filtered": filter.Active(), "Long": long, "Days": days,
		"Total": len(all), "Shown": len(shown), "Languages": langs, "Kinds": forums.SessionKinds(), "ViewerZone": zone}, nil
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
	minutesVersion, err := minutes.PublishedVersion(c.UserContext(), s.DB, sv.ID)
	if err != nil {
		return err
	}
	// A session with places of its own says how many are left, as its forum's page does.
	var places *registration.Availability
	var mine *registration.Registration
	if fc.Registers && sv.Capacity > 0 {
		if a := account(c); a != nil {
			held, err := registration.ForAccountSession(c.UserContext(), s.DB, a.ID, sv.ID)
			if err != nil {
				return err
			}
			if held != nil && registration.Active(held.Status) {
				mine = held
			}
		}
		a, ok, err := registration.SessionAvailabilityOf(c.UserContext(), s.DB, fc.Forum.ID, sv.ID)
		if err != nil {
			return err
		}
		if !ok { // nobody has reserved yet
			a = registration.Availability{State: registration.PlacesFree}
			if sv.Capacity <= registration.FewPlaces {
				a.State, a.Left = registration.FewLeft, sv.Capacity
			}
		}
		places = &a
	}
	return s.page(c, fiber.StatusOK, "forums/session", "", &Page{
		Title:       title,
		Description: summary(sv.Description.In(l, fc.Process.Languages...), 200),
		Data: map[string]any{"F": fc, "S": sv, "LinkHidden": hidden, "ViewerZone": profileZone(c), "Reservable": fc.Registers && sv.Capacity > 0,
			"Calendar": s.sessionLinks(sv, fc, l), "Ended": sv.EndsAt.Before(s.Clock.Now()), "Minutes": minutesVersion, "Places": places, "Mine": mine},
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
	Approval      bool
	Places        []registration.Availability
	// Mine is the signed-in viewer's registration, when they have one in force.
	Mine *registration.Registration
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
	o.Approval = st.Approval
	if o.Open || o.NotYet {
		if o.Places, err = registration.AvailabilityOf(c.UserContext(), s.DB, fc.Forum); err != nil {
			return nil, err
		}
	}
	if a := account(c); a != nil {
		mine, err := registration.ForAccount(c.UserContext(), s.DB, a.ID, fc.Forum.ID)
		if err != nil {
			return nil, err
		}
		if mine != nil && registration.Active(mine.Status) {
			o.Mine = mine
		}
	}
	return o, nil
}
