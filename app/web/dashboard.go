package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/monitoring"
	"github.com/convene/convene/app/processes"
)

// dashboardPage is the process dashboard: the figures, and the topics' names.
type dashboardPage struct {
	Process processes.Process
	D       monitoring.Dashboard
	TopicBy map[string]processes.Topic
}

func (s *Server) showDashboard(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	revs, err := s.readRevisions(c)
	if err != nil {
		return err
	}
	d, err := monitoring.Of(ctx, s.DB, s.Clock.Now(), p.ID, func() (monitoring.Heard, error) {
		return s.heard.Get(revs.Content, p.ID, s.Clock.Now(), func() (monitoring.Heard, error) { return monitoring.CountHeard(ctx, s.DB, p.ID) })
	})
	if err != nil {
		return err
	}
	topics, err := processes.Topics(ctx, s.DB, p.ID)
	if err != nil {
		return err
	}
	by := make(map[string]processes.Topic, len(topics))
	for _, t := range topics {
		by[t.Code] = t
	}
	return s.page(c, fiber.StatusOK, "processes/dashboard", "", &Page{
		Title:       s.Locale.T(lang(c), "dashboard.title", map[string]any{"Process": p.Title.In(lang(c), p.Languages...)}),
		Description: s.Locale.T(lang(c), "dashboard.description", map[string]any{"Inputs": d.Inputs, "People": d.Participants}),
		Data:        dashboardPage{Process: p, D: d, TopicBy: by}})
}
