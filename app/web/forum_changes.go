package web

import (
	"encoding/xml"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/feeds"

	"github.com/convene/convene/app/forums"
)

// changeLine is a recorded change as people read it: when, to what, and what changed.
type changeLine struct {
	ID        int64
	At        time.Time
	SessionID int64  // 0: the forum itself
	Subject   string // the session's title, or the forum's
	What      string // message id of what changed: change.what.time ...
	Before    string
	After     string
	Sentence  string // what changed from what to what, as a sentence
}

// changeLines reads a forum's changes, newest first, with values in the reader's words.
func (s *Server) changeLines(c *fiber.Ctx, l string, fc *forumContext) ([]changeLine, error) {
	ctx := c.UserContext()
	changes, err := forums.Changes(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	sessions, err := forums.Programme(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	titles := map[int64]string{}
	for _, sv := range sessions {
		titles[sv.ID] = sv.Title.In(l, fc.Process.Languages...)
	}
	out := make([]changeLine, len(changes))
	for i, ch := range changes {
		subject := fc.Forum.Title.In(l, fc.Process.Languages...)
		if ch.SessionID != 0 {
			subject = titles[ch.SessionID]
		}
		forum := ch.SessionID == 0
		out[i] = changeLine{ID: ch.ID, At: ch.At, SessionID: ch.SessionID, Subject: subject, What: "change.what." + ch.What,
			Before: s.changeValue(l, ch.What, ch.Before, forum), After: s.changeValue(l, ch.What, ch.After, forum)}
		if ch.What == forums.ChangedLink && !fc.Joins {
			hidden := s.Locale.T(l, "forum.link_for_participants", nil)
			out[i].Before, out[i].After = hidden, hidden
		}
		// Each kind of change has its own sentence where the language needs it (Spanish agrees
		// the verb with "las fechas"); the general one otherwise.
		id := "change.from_to." + ch.What
		if !s.Locale.Has(id) {
			id = "change.from_to"
		}
		out[i].Sentence = s.Locale.T(l, id, map[string]any{"What": s.Locale.T(l, out[i].What, nil), "Before": out[i].Before, "After": out[i].After})
	}
	return out, nil
}

// changeValue writes a recorded value in the reader's words: statuses (a forum's or a
// session's, which Spanish words apart), formats and days named, nothing shown as "none".
func (s *Server) changeValue(l, what, v string, forum bool) string {
	switch {
	case v == "":
		return s.Locale.T(l, "change.none", nil)
	case what == forums.ChangedStatus && forum:
		return s.Locale.T(l, "change.forum_status."+v, nil)
	case what == forums.ChangedStatus:
		return s.Locale.T(l, "change.status."+v, nil)
	case what == forums.ChangedDays:
		if first, last, ok := strings.Cut(v, " – "); ok {
			return s.Locale.Days(l, first, last)
		}
	case what == forums.ChangedFormat:
		return s.Locale.T(l, "forum.format."+v, nil)
	case what == forums.ChangedTime:
		return s.spanWords(l, v)
	}
	return v
}

// spanWords writes a recorded session time ("2026-12-17 10:00–11:00", or with both days when
// it spans several) with its days in the reader's words.
func (s *Server) spanWords(l, v string) string {
	if start, end, ok := strings.Cut(v, "–"); ok && len(strings.TrimSpace(start)) == len("2006-01-02 15:04") {
		start, end = strings.TrimSpace(start), strings.TrimSpace(end)
		if d, err := time.Parse("2006-01-02 15:04", start); err == nil {
			if e, err := time.Parse("2006-01-02 15:04", strings.TrimSpace(end)); err == nil {
				return dayName(s.Locale, l, d) + ", " + d.Format("15:04") + " – " + dayName(s.Locale, l, e) + ", " + e.Format("15:04")
			}
			return dayName(s.Locale, l, d) + ", " + d.Format("15:04") + "–" + end
		}
	}
	return v
}

func (s *Server) forumChanges(c *fiber.Ctx) error {
	fc, err := s.forumOf(c)
	if err != nil {
		return err
	}
	l := lang(c)
	lines, err := s.changeLines(c, l, fc)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "forums/changes", "", &Page{
		Title: s.Locale.T(l, "change.title", map[string]any{"Forum": fc.Forum.Title.In(l, fc.Process.Languages...)}),
		Data:  map[string]any{"F": fc, "Lines": lines},
	})
}

// forumChangesAtom is the change log as an Atom feed, for feed readers and for anyone who
// wants to follow a programme's changes.
func (s *Server) forumChangesAtom(c *fiber.Ctx) error {
	fc, err := s.forumOf(c)
	if err != nil {
		return err
	}
	l := feedLang(c)
	lines, err := s.changeLines(c, l, fc)
	if err != nil {
		return err
	}
	page := s.Config.BaseURL + "/forums/" + fc.Forum.Slug + "/changes"
	feed := &feeds.Feed{
		Title:   s.Locale.T(l, "change.title", map[string]any{"Forum": fc.Forum.Title.In(l, fc.Process.Languages...)}),
		Link:    &feeds.Link{Href: page, Rel: "alternate"},
		Author:  &feeds.Author{Name: s.Locale.T(l, "site.name", nil)},
		Updated: fc.Forum.UpdatedAt.UTC(),
	}
	if len(lines) > 0 {
		feed.Updated = lines[0].At.UTC()
	}
	host := s.events.Host()
	for _, ln := range lines {
		link := page + "#change-" + strconv.FormatInt(ln.ID, 10)
		if ln.SessionID != 0 {
			link = s.Config.BaseURL + "/sessions/" + strconv.FormatInt(ln.SessionID, 10)
		}
		what := s.Locale.T(l, ln.What, nil)
		feed.Items = append(feed.Items, &feeds.Item{
			Title:       ln.Subject + ": " + lowerFirst(what),
			Link:        &feeds.Link{Href: link},
			Id:          "tag:" + host + "," + ln.At.UTC().Format(time.DateOnly) + ":change-" + strconv.FormatInt(ln.ID, 10),
			Updated:     ln.At.UTC(),
			Description: html.EscapeString(ln.Sentence),
		})
	}
	// The feed names its own address (rel="self", as feed readers and validators ask), beside
	// the page it mirrors.
	atom := struct {
		*feeds.AtomFeed
		XMLName xml.Name       `xml:"feed"`
		Self    feeds.AtomLink `xml:"link"`
	}{AtomFeed: (&feeds.Atom{Feed: feed}).AtomFeed(), Self: feeds.AtomLink{Href: page + ".atom", Rel: "self", Type: "application/atom+xml"}}
	out, err := xml.MarshalIndent(atom, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
	return s.sendWithETag(c, append([]byte(xml.Header), out...), fc.Runs)
}
