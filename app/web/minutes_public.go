package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/web/form"
)

// The public face of minutes: a session's published minutes in any of their versions, the
// difference between two versions, and each input's page telling its story.

// publishedPage is the public minutes page.
type publishedPage struct {
	*minutesPage
	Standing map[int64]minutes.Disposition
}

func (s *Server) showMinutes(c *fiber.Ctx) error {
	p, who, err := s.minutesOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	m, vs, err := minutes.PublishedOf(ctx, s.DB, p.S.ID)
	if err != nil {
		return err
	}
	p.M, p.Versions = m, vs
	shown := len(vs)
	if v, err := strconv.Atoi(c.Query("version")); err == nil {
		if v < 1 || v > len(vs) {
			return errNotFound
		}
		shown = v
	}
	p.Shown = &vs[shown-1]
	if who.AccountID != 0 {
		p.Writer = minutes.MayWrite(ctx, s.DB, who, p.F.Process.ID, p.S.ID) == nil
		p.Organiser = minutes.MayOrganise(ctx, s.DB, who, p.F.Process.ID) == nil
	}
	standing, err := minutes.Standings(ctx, s.DB, m.ID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "minutes/show", "", &Page{Title: s.Locale.T(lang(c), "minutes.title", nil) + ": " + p.Title,
		Description: s.Locale.T(lang(c), "minutes.description", map[string]any{"Session": p.Title, "Inputs": len(p.Shown.Content.Inputs)}),
		Data:        publishedPage{minutesPage: p, Standing: standing}})
}

// minutesDiff compares two published versions (?from=1&to=2; by default the last two).
func (s *Server) minutesDiff(c *fiber.Ctx) error {
	p, _, err := s.minutesOf(c)
	if err != nil {
		return err
	}
	m, vs, err := minutes.PublishedOf(c.UserContext(), s.DB, p.S.ID)
	if err != nil {
		return err
	}
	p.M, p.Versions = m, vs
	to, from := len(vs), len(vs)-1
	if v, err := strconv.Atoi(c.Query("to")); err == nil {
		to = v
	}
	if v, err := strconv.Atoi(c.Query("from")); err == nil {
		from = v
	} else if c.Query("to") != "" {
		from = to - 1
	}
	if from < 1 || to > len(vs) || from >= to {
		return errNotFound
	}
	d := minutes.Compare(vs[from-1], vs[to-1])
	p.Diff = &d
	return s.page(c, fiber.StatusOK, "minutes/diff", "", &Page{
		Title: s.Locale.T(lang(c), "minutes.diff_title", map[string]any{"From": from, "To": to}) + ": " + p.Title, Data: p})
}

// inputPage is an input's public page.
type inputPage struct {
	F                    *forumContext
	S                    forums.SessionView
	X                    minutes.InputPage
	Title                string // the session's
	Organ                bool   // the viewer records what became of it
	Statuses, Progresses []string
	// Draft is the draft an input heard in the public consultation comes from (no session), and
	// Comments the comments it records.
	Draft    *draftView
	Comments []consultation.Comment
}

// inputOf reads the path's input, published, at a forum the viewer may see.
func (s *Server) inputOf(c *fiber.Ctx) (*inputPage, error) {
	ref := strings.Clone(c.Params("ref"))
	ctx := c.UserContext()
	x, err := minutes.InputByRef(ctx, s.DB, ref)
	if err != nil {
		return nil, err
	}
	if x.DraftID != nil {
		return s.heardInputOf(c, x)
	}
	sv, err := forums.SessionByID(ctx, s.DB, x.SessionID)
	if err != nil {
		return nil, err
	}
	f, err := forums.Get(ctx, s.DB, sv.ForumID)
	if err != nil {
		return nil, err
	}
	fc, err := s.forumContextOf(c, f)
	if err != nil {
		return nil, err
	}
	p := &inputPage{F: fc, S: sv, X: x, Title: sv.Title.In(lang(c), fc.Process.Languages...), Statuses: minutes.Dispositions(),
		Progresses: minutes.Progresses()}
	if a := account(c); a != nil {
		p.Organ = minutes.MayOrganise(ctx, s.DB, minutesWho(c), fc.Process.ID) == nil
		if p.Organ && !a.IsAdmin {
			noCache(c)
		}
	}
	return p, nil
}

// heardInputOf is an input heard in the public consultation, on a draft the viewer may read.
func (s *Server) heardInputOf(c *fiber.Ctx, x minutes.InputPage) (*inputPage, error) {
	v, err := s.draftAt(c, *x.DraftID)
	if err != nil {
		return nil, err
	}
	if v.Draft.Version == 0 {
		return nil, errNotFound
	}
	ctx := c.UserContext()
	topics, err := processes.Topics(ctx, s.DB, v.Process.ID)
	if err != nil {
		return nil, err
	}
	zone, err := clock.Zone(v.Process.TimeZone)
	if err != nil {
		return nil, err
	}
	fc := &forumContext{Process: v.Process, Topics: topics, TopicBy: map[int64]processes.Topic{}, Zone: zone, Runs: v.Organiser}
	fc.Forum.TimeZone = v.Process.TimeZone
	for _, t := range topics {
		fc.TopicBy[t.ID] = t
	}
	page := &inputPage{F: fc, X: x, Title: v.Title, Statuses: minutes.Dispositions(), Progresses: minutes.Progresses(), Draft: v, Organ: v.Organiser}
	if page.Comments, err = consultation.OfInput(ctx, s.DB, x.ID); err != nil {
		return nil, err
	}
	return page, nil
}

func (s *Server) showInput(c *fiber.Ctx) error {
	p, err := s.inputOf(c)
	if err != nil {
		return err
	}
	f := map[string]string{"status": p.X.Standing.Status, "rationale": p.X.Standing.Rationale, "section": p.X.Standing.Section,
		"merged_into": p.X.Standing.MergedRef, "progress": p.X.Standing.Progress}
	if f["status"] == "" {
		f["status"] = minutes.Pending
	}
	return s.page(c, fiber.StatusOK, "minutes/input", "", &Page{Title: p.X.PublicID, Description: p.X.Body, Form: f, Data: p})
}

// disposeInput records what became of an input, for the process's organisers.
func (s *Server) disposeInput(c *fiber.Ctx) error {
	p, err := s.inputOf(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "status", "rationale", "section", "merged_into", "progress")
	in := minutes.DispositionInput{Status: f["status"], Rationale: f["rationale"], Section: f["section"], Progress: f["progress"]}
	if f["status"] == minutes.MergedInto {
		in.MergedInto = -1 // no such input: refused, naming the field, unless the id is found
		if into, err := minutes.InputByRef(c.UserContext(), s.DB, strings.TrimSpace(f["merged_into"])); err == nil && into.ProcessID == p.X.ProcessID {
			in.MergedInto = into.ID
		}
	}
	if _, err := s.Minutes.Dispose(c.UserContext(), minutesWho(c), p.X.ID, in); err != nil {
		return s.formPage(c, err, "minutes/input", "", &Page{Title: p.X.PublicID, Form: f, Data: p})
	}
	return s.flash(c, "minutes.disposed", "/inputs/"+p.X.PublicID)
}
