package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
)

// apiVenue is where an in-person or hybrid forum takes place.
type apiVenue struct {
	Name          string          `json:"name"`
	Address       string          `json:"address,omitempty"`
	MapURL        string          `json:"map_url,omitempty"`
	Accessibility translated.Text `json:"accessibility,omitempty"`
}

// apiForum is a forum as the API shows it.
type apiForum struct {
	ID          int64           `json:"id"`
	Process     string          `json:"process" doc:"The slug of the forum's process."`
	Slug        string          `json:"slug"`
	Title       translated.Text `json:"title"`
	Description translated.Text `json:"description"`
	Format      string          `json:"format" enum:"in_person,virtual,hybrid"`
	Venue       *apiVenue       `json:"venue,omitempty"`
	OnlineURL   string          `json:"online_url,omitempty"`
	TimeZone    string          `json:"time_zone" doc:"IANA time zone the forum's days and times are in."`
	StartsOn    string          `json:"starts_on" doc:"First day, YYYY-MM-DD in the forum's time zone."`
	EndsOn      string          `json:"ends_on" doc:"Last day, YYYY-MM-DD in the forum's time zone."`
	Status      string          `json:"status" enum:"draft,published,cancelled"`
}

type apiForumList struct {
	Forums []apiForum `json:"forums"`
}

func toAPIForum(f forums.Forum, processSlug string) apiForum {
	out := apiForum{ID: f.ID, Process: processSlug, Slug: f.Slug, Title: f.Title, Description: f.Description, Format: f.Format,
		OnlineURL: f.OnlineURL, TimeZone: f.TimeZone, StartsOn: f.StartsOn, EndsOn: f.EndsOn, Status: f.Status}
	if f.VenueName != "" {
		out.Venue = &apiVenue{Name: f.VenueName, Address: f.VenueAddress, MapURL: f.MapURL, Accessibility: f.Accessibility}
	}
	return out
}

// forumAPIDocs describes the forum routes for the OpenAPI document.
func forumAPIDocs() []apiOp {
	return []apiOp{
		{method: "GET", path: "/processes/:slug/forums", id: "listForums", params: map[string]string{"slug": "The process's slug."},
			summary: "A process's forums by their first day (drafts only for those who run the process).",
			status:  200, response: apiForumList{}, errors: []int{404}},
		{method: "GET", path: "/forums/:id", id: "getForum", params: map[string]string{"id": "The forum's id."},
			summary: "One forum.", status: 200, response: apiForum{}, errors: []int{404}},
	}
}

func (s *Server) apiListForums(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	runs, err := s.runs(c, p)
	if err != nil {
		return err
	}
	list, err := forums.List(c.UserContext(), s.DB, p.ID, !runs)
	if err != nil {
		return err
	}
	out := apiForumList{Forums: make([]apiForum, len(list))}
	for i, f := range list {
		out.Forums[i] = toAPIForum(f, p.Slug)
	}
	return c.JSON(out)
}

// apiGetForum answers one forum; a draft is not there for those who do not run its process.
func (s *Server) apiGetForum(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	f, err := forums.Get(c.UserContext(), s.DB, id)
	if err != nil {
		return err
	}
	p, err := processes.ByID(c.UserContext(), s.DB, f.ProcessID)
	if err != nil {
		return err
	}
	if f.Status == forums.StatusDraft || p.Status == processes.StatusDraft {
		if runs, err := s.runs(c, p); err != nil || !runs {
			if err != nil {
				return err
			}
			return errNotFound
		}
	}
	return c.JSON(toAPIForum(f, p.Slug))
}
