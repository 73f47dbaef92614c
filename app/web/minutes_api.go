package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/web/openapi"
)

// Minutes and inputs under /api/v1: published ones only, as the public pages show them.

// apiInputList is a page of the explorer.
type apiInputList struct {
	Inputs []minutes.InputView `json:"inputs"`
	Total  int                 `json:"total" doc:"How many match, counted up to 1,000 (1,001 means more)."`
	Page   int                 `json:"page"`
	More   bool                `json:"more" doc:"Another page follows."`
}

// apiInput is an input with every decision on it, oldest first.
type apiInput struct {
	minutes.InputView
	History []minutes.DispositionView `json:"history"`
}

// minutesAPIDocs describes the routes for the OpenAPI document.
func minutesAPIDocs() []openapi.Op {
	return []openapi.Op{
		{Method: "GET", Path: "/sessions/:id/minutes", ID: "getMinutes", Params: map[string]string{"id": "The session's id."},
			Summary: "A session's published minutes, in their newest version (?version=N for an earlier one), with their inputs and history.",
			Status:  200, Response: minutes.MinutesView{}, Errors: []int{404}},
		{Method: "GET", Path: "/processes/:slug/inputs", ID: "listInputs", Params: map[string]string{"slug": "The process's slug."},
			Summary: "A process's published inputs, 20 a page: ?q= words (Spanish or English), topic= a topic code, kind=, group= a " +
				"stakeholder group, forum= a forum's slug, standing= what became of them, page=.",
			Status: 200, Response: apiInputList{}, Errors: []int{404, 422}},
		{Method: "GET", Path: "/inputs/:ref", ID: "getInput", Params: map[string]string{"ref": "The input's public id, e.g. ENCS2017-0042."},
			Summary: "A published input, with every decision on what became of it.", Status: 200, Response: apiInput{}, Errors: []int{404}},
	}
}

// topicCodes maps a process's topic ids to their codes.
func topicCodes(topics []processes.Topic) map[int64]string {
	codes := make(map[int64]string, len(topics))
	for _, t := range topics {
		codes[t.ID] = t.Code
	}
	return codes
}

func (s *Server) apiGetMinutes(c *fiber.Ctx) error {
	p, _, err := s.minutesOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	m, vs, err := minutes.PublishedOf(ctx, s.DB, p.S.ID)
	if err != nil {
		return err
	}
	shown := len(vs)
	if v := c.QueryInt("version", shown); v >= 1 && v <= len(vs) {
		shown = v
	} else {
		return errNotFound
	}
	standing, err := minutes.Standings(ctx, s.DB, m.ID)
	if err != nil {
		return err
	}
	v := vs[shown-1]
	codes := topicCodes(p.F.Topics)
	out := minutes.MinutesView{Session: p.S.ID, Version: v.Version, PublishedAt: v.PublishedAt.UTC(), Summary: v.Content.Summary,
		Takeaways: v.Content.Takeaways, CallsToAction: v.Content.CallsToAction, Report: v.Content.Report, Inputs: []minutes.InputView{}, URL: s.Config.BaseURL + minutesPath(p.S.ID)}
	for _, x := range v.Content.Inputs {
		out.Inputs = append(out.Inputs, minutes.ViewOfContent(p.Code, s.Config.BaseURL, p.S.ID, x, codes, standing[x.Number]))
	}
	for _, ver := range vs {
		out.Versions = append(out.Versions, minutes.VersionView{Version: ver.Version, PublishedAt: ver.PublishedAt.UTC(), Reason: ver.Reason})
	}
	return c.JSON(out)
}

func (s *Server) apiListInputs(c *fiber.Ctx) error {
	p, topics, fs, err := s.explorerOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	f, _, err := readInputFilter(c, topics, fs)
	if err != nil {
		return err
	}
	found, err := s.Minutes.Explore(ctx, p.ID, f)
	if err != nil {
		return err
	}
	codes := topicCodes(topics)
	out := apiInputList{Inputs: []minutes.InputView{}, Total: found.Total, Page: f.Offset/explorerPageSize + 1,
		More: f.Offset+len(found.Hits) < found.Total}
	for _, h := range found.Hits {
		v := minutes.ViewOfContent(p.Code, s.Config.BaseURL, h.SessionID, minutes.ContentOf(h.Input), codes, minutes.Disposition{Status: h.Standing})
		if h.DraftID != nil {
			v.Draft = *h.DraftID
		}
		out.Inputs = append(out.Inputs, v)
	}
	return c.JSON(out)
}

func (s *Server) apiGetInput(c *fiber.Ctx) error {
	p, err := s.inputOf(c)
	if err != nil {
		return err
	}
	x := p.X
	var standing minutes.Disposition
	if n := len(x.History); n > 0 {
		standing = x.History[n-1]
	}
	out := apiInput{InputView: minutes.ViewOfContent(p.F.Process.Code, s.Config.BaseURL, x.SessionID, minutes.ContentOf(x.Input),
		topicCodes(p.F.Topics), standing), History: []minutes.DispositionView{}}
	out.Removed = x.Removed
	if x.DraftID != nil {
		out.Draft = *x.DraftID
	}
	for _, d := range x.History {
		out.History = append(out.History, minutes.ViewOfDisposition(d))
	}
	return c.JSON(out)
}
