package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/web/form"
	"github.com/convene/convene/app/web/openapi"
)

// API representations: the JSON shape is the API's contract, kept apart from the tables.

type apiTopic struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind" enum:"objective,axis"`
	Code        string          `json:"code"`
	Title       translated.Text `json:"title"`
	Description translated.Text `json:"description"`
	Position    int             `json:"position"`
}

type apiProcess struct {
	ID                int64           `json:"id"`
	Slug              string          `json:"slug"`
	Code              string          `json:"code"`
	Title             translated.Text `json:"title"`
	Description       translated.Text `json:"description"`
	GeneralObjective  translated.Text `json:"general_objective"`
	TimeZone          string          `json:"time_zone" doc:"IANA time zone, e.g. America/Mexico_City."`
	Languages         []string        `json:"languages" enum:"es,en"`
	StakeholderGroups []string        `json:"stakeholder_groups"`
	Status            string          `json:"status" enum:"draft,open,closed,archived"`
	ContactEmail      string          `json:"contact_email,omitempty" doc:"Reaches the process's organisers: the ORGANIZER of its invites and calendars."`
	MinutesDueDays    int             `json:"minutes_due_days" doc:"Days after each session its minutes are due."`
	Topics            []apiTopic      `json:"topics,omitempty"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

type apiProcessList struct {
	Processes []apiProcess `json:"processes"`
}

type apiTopicList struct {
	Topics []apiTopic `json:"topics"`
}

// processAPIDocs describes the process and topic routes for the OpenAPI document.
func processAPIDocs() []openapi.Op {
	slug := map[string]string{"slug": "The process's slug.", "id": "The topic's id."}
	writeErrors := []int{400, 401, 403, 404, 422, 429}
	return []openapi.Op{
		{Method: "GET", Path: "/processes", ID: "listProcesses", Summary: "Published processes (admins also see drafts).",
			Status: 200, Response: apiProcessList{}},
		{Method: "POST", Path: "/processes", ID: "createProcess", Summary: "Create a process (admin).", Auth: true,
			Body: apiProcessInput{}, Status: 201, Response: apiProcess{}, Errors: []int{400, 401, 403, 422, 429}},
		{Method: "GET", Path: "/processes/:slug", ID: "getProcess", Summary: "One process with its objectives and axes.",
			Params: slug, Status: 200, Response: apiProcess{}, Errors: []int{404}},
		{Method: "PATCH", Path: "/processes/:slug", ID: "updateProcess", Auth: true, Params: slug,
			Summary: "Change a process (admin or its organiser). Omitted members keep their value.",
			Body:    apiProcessInput{}, Status: 200, Response: apiProcess{}, Errors: writeErrors},
		{Method: "GET", Path: "/processes/:slug/topics", ID: "listTopics", Summary: "A process's objectives and axes, in order.",
			Params: slug, Status: 200, Response: apiTopicList{}, Errors: []int{404}},
		{Method: "POST", Path: "/processes/:slug/topics", ID: "createTopic", Summary: "Add an objective or axis (admin or the organiser).",
			Auth: true, Params: slug, Body: apiTopicInput{}, Status: 201, Response: apiTopic{}, Errors: writeErrors},
		{Method: "PATCH", Path: "/processes/:slug/topics/:id", ID: "updateTopic", Auth: true, Params: slug,
			Summary: "Change a topic (admin or the organiser). Omitted members keep their value.",
			Body:    apiTopicInput{}, Status: 200, Response: apiTopic{}, Errors: writeErrors},
		{Method: "DELETE", Path: "/processes/:slug/topics/:id", ID: "deleteTopic", Summary: "Delete a topic (admin or the organiser).",
			Auth: true, Params: slug, Status: 204, Errors: []int{401, 403, 404, 429}},
	}
}

func toAPITopic(t processes.Topic) apiTopic {
	return apiTopic{ID: t.ID, Kind: t.Kind, Code: t.Code, Title: t.Title, Description: t.Description, Position: t.Position}
}

func toAPIProcess(p processes.Process, topics []processes.Topic) apiProcess {
	out := apiProcess{ID: p.ID, Slug: p.Slug, Code: p.Code, Title: p.Title, Description: p.Description,
		GeneralObjective: p.GeneralObjective, TimeZone: p.TimeZone, Languages: p.Languages, ContactEmail: p.ContactEmail, MinutesDueDays: p.MinutesDueDays,
		StakeholderGroups: p.StakeholderGroups, Status: p.Status, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	for _, t := range topics {
		out.Topics = append(out.Topics, toAPITopic(t))
	}
	return out
}

func (s *Server) apiListProcesses(c *fiber.Ctx) error {
	a := account(c)
	list, err := processes.List(c.UserContext(), s.DB, processes.ListFilter{PublicOnly: a == nil || !a.IsAdmin})
	if err != nil {
		return err
	}
	out := apiProcessList{Processes: make([]apiProcess, len(list))}
	for i, p := range list {
		out.Processes[i] = toAPIProcess(p, nil)
	}
	return c.JSON(out)
}

func (s *Server) apiGetProcess(c *fiber.Ctx) error {
	p, topics, err := s.processWithTopics(c)
	if err != nil {
		return err
	}
	return c.JSON(toAPIProcess(p, topics))
}

func (s *Server) apiListTopics(c *fiber.Ctx) error {
	_, topics, err := s.processWithTopics(c)
	if err != nil {
		return err
	}
	out := apiTopicList{Topics: make([]apiTopic, len(topics))}
	for i, t := range topics {
		out.Topics[i] = toAPITopic(t)
	}
	return c.JSON(out)
}

// apiProcessInput is the JSON body of process writes; pointers tell omitted from empty.
type apiProcessInput struct {
	Slug              *string          `json:"slug"`
	Code              *string          `json:"code"`
	Title             *translated.Text `json:"title"`
	Description       *translated.Text `json:"description"`
	GeneralObjective  *translated.Text `json:"general_objective"`
	TimeZone          *string          `json:"time_zone" doc:"IANA time zone, e.g. America/Mexico_City."`
	Languages         *[]string        `json:"languages" enum:"es,en"`
	StakeholderGroups *[]string        `json:"stakeholder_groups"`
	Status            *string          `json:"status" enum:"draft,open,closed,archived"`
	ContactEmail      *string          `json:"contact_email" doc:"Reaches the process's organisers; empty: the site's sender address."`
	MinutesDueDays    *int             `json:"minutes_due_days" doc:"Days after each session its minutes are due (1 to 120; default 14)."`
}

// apply overlays the members present in the body on in.
func (b apiProcessInput) apply(in processes.ProcessInput) processes.ProcessInput {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	setText := func(dst *translated.Text, src *translated.Text) {
		if src != nil {
			*dst = *src
		}
	}
	set(&in.Slug, b.Slug)
	set(&in.Code, b.Code)
	set(&in.TimeZone, b.TimeZone)
	set(&in.Status, b.Status)
	set(&in.ContactEmail, b.ContactEmail)
	if b.MinutesDueDays != nil {
		in.MinutesDueDays = *b.MinutesDueDays
	}
	setText(&in.Title, b.Title)
	setText(&in.Description, b.Description)
	setText(&in.GeneralObjective, b.GeneralObjective)
	if b.Languages != nil {
		in.Languages = *b.Languages
	}
	if b.StakeholderGroups != nil {
		in.StakeholderGroups = *b.StakeholderGroups
	}
	return in
}

func (s *Server) apiCreateProcess(c *fiber.Ctx) error {
	var body apiProcessInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	p, err := s.Processes.Create(c.UserContext(), s.actor(c), body.apply(processes.ProcessInput{}))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIProcess(p, nil))
}

func (s *Server) apiUpdateProcess(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	var body apiProcessInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	updated, err := s.Processes.Update(c.UserContext(), s.actor(c), p.ID, body.apply(p.Input()))
	if err != nil {
		return err
	}
	return c.JSON(toAPIProcess(updated, nil))
}

type apiTopicInput struct {
	Kind        *string          `json:"kind" enum:"objective,axis"`
	Code        *string          `json:"code"`
	Title       *translated.Text `json:"title"`
	Description *translated.Text `json:"description"`
}

func (b apiTopicInput) apply(in processes.TopicInput) processes.TopicInput {
	if b.Kind != nil {
		in.Kind = *b.Kind
	}
	if b.Code != nil {
		in.Code = *b.Code
	}
	if b.Title != nil {
		in.Title = *b.Title
	}
	if b.Description != nil {
		in.Description = *b.Description
	}
	return in
}

func (s *Server) apiCreateTopic(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	var body apiTopicInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	t, err := s.Processes.CreateTopic(c.UserContext(), s.actor(c), p.ID, body.apply(processes.TopicInput{}))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPITopic(t))
}

func (s *Server) apiUpdateTopic(c *fiber.Ctx) error {
	p, t, err := s.topicOf(c)
	if err != nil {
		return err
	}
	var body apiTopicInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	in := processes.TopicInput{Kind: t.Kind, Code: t.Code, Title: t.Title, Description: t.Description}
	updated, err := s.Processes.UpdateTopic(c.UserContext(), s.actor(c), p.ID, t.ID, body.apply(in))
	if err != nil {
		return err
	}
	return c.JSON(toAPITopic(updated))
}

func (s *Server) apiDeleteTopic(c *fiber.Ctx) error {
	p, t, err := s.topicOf(c)
	if err != nil {
		return err
	}
	if err := s.Processes.DeleteTopic(c.UserContext(), s.actor(c), p.ID, t.ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
