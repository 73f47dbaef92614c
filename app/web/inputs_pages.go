package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
)

// The input explorer of a process: what every session heard, searchable and filtered, each
// input leading to its own page. A plain GET form: the address is the search, to share or cite.

// explorerPage is what the explorer shows.
type explorerPage struct {
	Process  processes.Process
	Topics   []processes.Topic
	TopicBy  map[int64]processes.Topic
	Forums   []forums.Forum
	ForumBy  map[int64]forums.Forum
	Kinds    []string
	Standing []string
	Hits     []minutes.Hit
	Total    int
	Page     int
	Pages    int
	// Filtered: some filter or words were asked for; More and Less are the next and previous
	// pages' addresses.
	Filtered   bool
	More, Less string
	// Over: more than minutes.MaxCount match (Total is then a floor).
	Over bool
}

const explorerPageSize = 20

// readInputFilter reads the explorer's query: topics by their codes and forums by their slugs, as
// people read them in addresses; ones the process lacks are refused, naming the field.
func readInputFilter(c *fiber.Ctx, topics []processes.Topic, fs []forums.Forum) (minutes.Filter, map[string]string, error) {
	f := minutes.Filter{Query: strings.TrimSpace(c.Query("q")), Kind: c.Query("kind"), Group: c.Query("group"), Standing: c.Query("standing"),
		Limit: explorerPageSize}
	form := map[string]string{"q": f.Query, "kind": f.Kind, "group": f.Group, "standing": f.Standing, "topic": c.Query("topic"),
		"forum": c.Query("forum")}
	for k, v := range form {
		form[k] = strings.Clone(v)
	}
	f.Query, f.Kind, f.Group, f.Standing = form["q"], form["kind"], form["group"], form["standing"]
	if code := form["topic"]; code != "" {
		f.Topic = -1 // matches nothing unless the code is the process's
		for _, t := range topics {
			if t.Code == code {
				f.Topic = t.ID
			}
		}
	}
	if slug := form["forum"]; slug != "" {
		f.ForumID = -1
		for _, fo := range fs {
			if fo.Slug == slug {
				f.ForumID = fo.ID
			}
		}
	}
	page, _ := strconv.Atoi(c.Query("page"))
	f.Offset = max(page-1, 0) * explorerPageSize
	return f, form, f.Check()
}

// explorerOf reads the path's process with what its explorer filters by: its topics and the
// forums the public sees.
func (s *Server) explorerOf(c *fiber.Ctx) (processes.Process, []processes.Topic, []forums.Forum, error) {
	p, err := s.processBySlug(c)
	if err != nil {
		return p, nil, nil, err
	}
	topics, err := processes.Topics(c.UserContext(), s.DB, p.ID)
	if err != nil {
		return p, nil, nil, err
	}
	fs, err := forums.List(c.UserContext(), s.DB, p.ID, true)
	return p, topics, fs, err
}

func (s *Server) exploreInputs(c *fiber.Ctx) error {
	p, topics, fs, err := s.explorerOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	d := &explorerPage{Process: p, Topics: topics, TopicBy: map[int64]processes.Topic{}, Forums: fs, ForumBy: map[int64]forums.Forum{},
		Kinds: minutes.Kinds(), Standing: minutes.Dispositions()}
	for _, t := range topics {
		d.TopicBy[t.ID] = t
	}
	for _, f := range fs {
		d.ForumBy[f.ID] = f
	}
	title := s.Locale.T(lang(c), "explorer.title", map[string]any{"Process": p.Title.In(lang(c), p.Languages...)})
	f, form, err := readInputFilter(c, topics, fs)
	if err != nil {
		return s.formPage(c, err, "processes/inputs", "", &Page{Title: title, Form: form, Data: d})
	}
	found, err := s.Minutes.Explore(ctx, p.ID, f)
	if err != nil {
		return err
	}
	d.Hits, d.Total = found.Hits, found.Total
	if d.Over = d.Total > minutes.MaxCount; d.Over {
		d.Total = minutes.MaxCount
	}
	d.Page = f.Offset/explorerPageSize + 1
	d.Pages = (d.Total + explorerPageSize - 1) / explorerPageSize
	q := url.Values{}
	for k, v := range form {
		if v != "" {
			q.Set(k, v)
			d.Filtered = true
		}
	}
	at := func(page int) string {
		q.Set("page", strconv.Itoa(page))
		return "/processes/" + p.Slug + "/inputs?" + q.Encode()
	}
	if d.Page < d.Pages || d.Over && len(d.Hits) == explorerPageSize {
		d.More = at(d.Page + 1)
	}
	if d.Page > 1 {
		d.Less = at(d.Page - 1)
	}
	return s.page(c, fiber.StatusOK, "processes/inputs", "", &Page{Title: title, Form: form, Data: d,
		Description: s.Locale.T(lang(c), "explorer.description", map[string]any{"N": d.Total})})
}
