package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/web/openapi"
)

// Drafts under /api/v1: a process's published drafts, a draft with its versions and the
// newest text's paragraphs, its comments as the response report holds them, and its formal
// submissions.

type apiDraft struct {
	ID         int64             `json:"id"`
	Process    string            `json:"process" doc:"The process's slug."`
	Title      translated.Text   `json:"title"`
	Summary    translated.Text   `json:"summary"`
	Version    int               `json:"version" doc:"The newest published version."`
	Period     string            `json:"period" doc:"Where the comment period stands: unset, coming, open, closed."`
	OpensAt    *time.Time        `json:"opens_at,omitempty"`
	ClosesAt   *time.Time        `json:"closes_at,omitempty"`
	URL        string            `json:"url"`
	Versions   []apiDraftVersion `json:"versions,omitempty"`
	Paragraphs []apiParagraph    `json:"paragraphs,omitempty" doc:"The newest version's numbered paragraphs."`
}

type apiDraftVersion struct {
	Number      int       `json:"number"`
	PublishedAt time.Time `json:"published_at"`
	Note        string    `json:"note,omitempty"`
	URL         string    `json:"url"`
}

type apiParagraph struct {
	Number  int    `json:"number"`
	Section string `json:"section,omitempty"`
	Text    string `json:"text" doc:"Markdown."`
}

type apiDraftList struct {
	Drafts []apiDraft `json:"drafts"`
}

type apiReport struct {
	Draft    apiDraft           `json:"draft"`
	Comments []consultation.Row `json:"comments"`
}

type apiSubmission struct {
	Tracking     string    `json:"tracking"`
	Organisation string    `json:"organisation"`
	Group        string    `json:"stakeholder_group"`
	Role         string    `json:"signatory_role"`
	OnBehalfOf   string    `json:"on_behalf_of,omitempty"`
	Public       bool      `json:"public"`
	SentAt       time.Time `json:"sent_at"`
	URL          string    `json:"url"`
}

type apiSubmissionList struct {
	Submissions []apiSubmission `json:"submissions"`
}

// draftAPIDocs describes the routes for the OpenAPI document.
func draftAPIDocs() []openapi.Op {
	return []openapi.Op{
		{Method: "GET", Path: "/processes/:slug/drafts", ID: "listDrafts", Params: map[string]string{"slug": "The process's slug."},
			Summary: "A process's published drafts.", Status: 200, Response: apiDraftList{}, Errors: []int{404}},
		{Method: "GET", Path: "/drafts/:id", ID: "getDraft", Params: map[string]string{"id": "The draft's id."},
			Summary: "A draft, its versions and its newest text's numbered paragraphs.", Status: 200, Response: apiDraft{}, Errors: []int{404}},
		{Method: "GET", Path: "/drafts/:id/comments", ID: "listDraftComments", Params: map[string]string{"id": "The draft's id."},
			Summary: "The response report: every comment, reply and submission point, where it stands in the newest version and what " +
				"became of it. Hidden comments and points of submissions that are not public only for moderators.",
			Status: 200, Response: apiReport{}, Errors: []int{404}},
		{Method: "GET", Path: "/drafts/:id/submissions", ID: "listDraftSubmissions", Params: map[string]string{"id": "The draft's id."},
			Summary: "A draft's formal submissions: the public ones, and for moderators all.", Status: 200, Response: apiSubmissionList{}, Errors: []int{404}},
	}
}

// apiDraftOf is a draft as the API shows it, without its paragraphs.
func (s *Server) apiDraftOf(c *fiber.Ctx, v *draftView) apiDraft {
	base := s.Config.BaseURL + "/drafts/" + strconv.FormatInt(v.Draft.ID, 10)
	out := apiDraft{ID: v.Draft.ID, Process: v.Process.Slug, Title: v.Draft.Title, Summary: v.Draft.Summary, Version: v.Draft.Version,
		Period: v.Draft.Period(s.Clock.Now()), OpensAt: utcOrNil(v.Draft.OpensAt), ClosesAt: utcOrNil(v.Draft.ClosesAt), URL: base}
	for _, ver := range v.Versions {
		out.Versions = append(out.Versions, apiDraftVersion{Number: ver.Number, PublishedAt: ver.PublishedAt.UTC(), Note: ver.Note,
			URL: base + "?version=" + strconv.Itoa(ver.Number)})
	}
	return out
}

func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Server) apiListDrafts(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	ds, err := consultation.OfProcess(c.UserContext(), s.DB, p.ID, false)
	if err != nil {
		return err
	}
	out := apiDraftList{Drafts: []apiDraft{}}
	for _, d := range ds {
		out.Drafts = append(out.Drafts, s.apiDraftOf(c, &draftView{Process: p, Draft: d}))
	}
	return c.JSON(out)
}

func (s *Server) apiGetDraft(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	if v.Draft.Version == 0 {
		return errNotFound
	}
	out := s.apiDraftOf(c, v)
	for _, p := range consultation.Paragraphs(v.Version.Body) {
		out.Paragraphs = append(out.Paragraphs, apiParagraph{Number: p.Number, Section: p.Section, Text: p.Text})
	}
	return c.JSON(out)
}

func (s *Server) apiDraftSubmissions(c *fiber.Ctx) error {
	v, ss, err := s.submissionsOf(c)
	if err != nil {
		return err
	}
	out := apiSubmissionList{Submissions: []apiSubmission{}}
	for _, sub := range ss {
		out.Submissions = append(out.Submissions, apiSubmission{Tracking: consultation.Tracking(v.Process.Code, sub.Number), Organisation: sub.Organisation,
			Group: sub.Group, Role: sub.Role, OnBehalfOf: sub.OnBehalfOf, Public: sub.Public, SentAt: sub.CreatedAt.UTC(),
			URL: s.Config.BaseURL + "/submissions/" + strconv.FormatInt(sub.ID, 10)})
	}
	return c.JSON(out)
}
