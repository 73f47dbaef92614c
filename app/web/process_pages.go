package web

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/validate"
)

func (s *Server) actor(c *fiber.Ctx) audit.Actor {
	rid, _ := c.Locals(localRequestID).(string)
	a := account(c)
	if a == nil {
		return audit.Actor{RequestID: rid}
	}
	return audit.Actor{AccountID: a.ID, RequestID: rid}
}

// localProcess is where requireOrganiser leaves the process it checked.
const localProcess = "process"

// runs tells whether the viewer may run process p: admins run every process, organisers theirs.
func (s *Server) runs(c *fiber.Ctx, p processes.Process) (bool, error) {
	a := account(c)
	if a == nil {
		return false, nil
	}
	return access.Has(c.UserContext(), s.DB, access.Subject{AccountID: a.ID, IsAdmin: a.IsAdmin}, access.Organiser, p.ID, 0)
}

// processBySlug finds the process of the path if the viewer may see it: drafts only for the
// people who run it.
func (s *Server) processBySlug(c *fiber.Ctx) (processes.Process, error) {
	if p, ok := c.Locals(localProcess).(processes.Process); ok {
		return p, nil
	}
	p, err := processes.BySlug(c.UserContext(), s.DB, strings.Clone(c.Params("slug")))
	if err != nil {
		return p, err
	}
	if p.Status == processes.StatusDraft {
		ok, err := s.runs(c, p)
		if err != nil {
			return p, err
		}
		if !ok {
			return p, errNotFound
		}
	}
	return p, nil
}

// requireOrganiser lets through admins and the organisers of the process in the path.
func (s *Server) requireOrganiser(c *fiber.Ctx) error {
	if account(c) == nil {
		return s.requireAccount(c)
	}
	p, err := processes.BySlug(c.UserContext(), s.DB, strings.Clone(c.Params("slug")))
	if err != nil {
		return err
	}
	ok, err := s.runs(c, p)
	if err != nil {
		return err
	}
	if !ok {
		if p.Status == processes.StatusDraft {
			return errNotFound // a draft is not there for those who may not run it
		}
		return errForbidden
	}
	c.Locals(localProcess, p)
	return c.Next()
}

func (s *Server) home(c *fiber.Ctx) error {
	ctx := c.UserContext()
	list, err := processes.List(ctx, s.DB, processes.ListFilter{PublicOnly: true})
	if err != nil {
		return err
	}
	upcoming, err := forums.Upcoming(ctx, s.DB, s.Clock.Now(), 6)
	if err != nil {
		return err
	}
	running := map[int64]bool{}
	for _, f := range upcoming {
		running[f.ID] = f.Running(s.Clock.Now())
	}
	return s.page(c, fiber.StatusOK, "processes/home", "home.title", &Page{Data: map[string]any{"Processes": list, "Upcoming": upcoming,
		"Running": running}})
}

// topicsByKind splits a process's topics into objectives and axes, each in order.
func topicsByKind(topics []processes.Topic) (objectives, axes []processes.Topic) {
	for _, t := range topics {
		if t.Kind == processes.KindObjective {
			objectives = append(objectives, t)
		} else {
			axes = append(axes, t)
		}
	}
	return objectives, axes
}

// processWithTopics finds the visible process of the path and its topics, in order.
func (s *Server) processWithTopics(c *fiber.Ctx) (processes.Process, []processes.Topic, error) {
	p, err := s.processBySlug(c)
	if err != nil {
		return p, nil, err
	}
	topics, err := processes.Topics(c.UserContext(), s.DB, p.ID)
	return p, topics, err
}

// forumCard is a forum as a process page lists it.
type forumCard struct {
	forums.Forum
	forums.Summary
	Ended, Running bool
}

func (s *Server) showProcess(c *fiber.Ctx) error {
	p, topics, err := s.processWithTopics(c)
	if err != nil {
		return err
	}
	objectives, axes := topicsByKind(topics)
	runs, err := s.runs(c, p)
	if err != nil {
		return err
	}
	if runs && !account(c).IsAdmin {
		noCache(c) // drawn with what only the process's organisers see
	}
	format, topic := strings.Clone(c.Query("format")), strings.Clone(c.Query("topic"))
	var es validate.Errors
	if format != "" && !slices.Contains(forums.Formats(), format) {
		es.Add("format", forums.CodeFormat, nil)
	}
	topicID := int64(0)
	for _, t := range topics {
		if t.Code == topic {
			topicID = t.ID
		}
	}
	if topic != "" && topicID == 0 {
		es.Add("topic", forums.CodeUnknownTopic, nil)
	}
	if err := es.Err(); err != nil {
		return err
	}
	ctx := c.UserContext()
	list, err := forums.List(ctx, s.DB, p.ID, !runs)
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, f := range list {
		ids[i] = f.ID
	}
	sums, err := forums.Summaries(ctx, s.DB, ids)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	var upcoming, past []forumCard
	for _, f := range list {
		card := forumCard{Forum: f, Summary: sums[f.ID], Ended: f.Ended(now), Running: f.Running(now)}
		if (format != "" && f.Format != format) || (topicID != 0 && !slices.Contains(card.TopicIDs, topicID)) {
			continue
		}
		if card.Ended {
			past = append(past, card)
		} else {
			upcoming = append(upcoming, card)
		}
	}
	slices.Reverse(past) // the most recent first
	drafts, err := consultation.OfProcess(ctx, s.DB, p.ID, false)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "processes/show", "", &Page{
		Title:       p.Title.In(lang(c), p.Languages...),
		Description: summary(p.Description.In(lang(c), p.Languages...), 200),
		Data: map[string]any{"Process": p, "Objectives": objectives, "Axes": axes, "Topics": topics, "Runs": runs,
			"Upcoming": upcoming, "Past": past, "Format": format, "Topic": topic, "Filtered": format != "" || topic != "",
			"Formats": forums.Formats(), "HasForums": len(list) > 0, "Drafts": drafts,
			"Calendar": s.feedLinks("/processes/"+p.Slug+".ics", p.Title.In(lang(c), p.Languages...))},
	})
}

// summary is the first paragraph of text, cut at a word to at most max characters, for a link
// preview.
func summary(text string, max int) string {
	first, _, _ := strings.Cut(strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), "\n\n")
	first = strings.Join(strings.Fields(first), " ")
	if r := []rune(first); len(r) > max {
		cut := string(r[:max])
		if i := strings.LastIndexByte(cut, ' '); i > max/2 {
			cut = cut[:i]
		}
		return cut + "…"
	}
	return first
}
