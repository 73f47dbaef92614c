package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

func (s *Server) actor(c *fiber.Ctx) audit.Actor {
	rid, _ := c.Locals("requestid").(string)
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
		return errForbidden
	}
	c.Locals(localProcess, p)
	return c.Next()
}

func (s *Server) home(c *fiber.Ctx) error {
	list, err := processes.List(c.UserContext(), s.DB, processes.ListFilter{PublicOnly: true})
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "processes/home", "home.title", &Page{Data: map[string]any{"Processes": list}})
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
	return s.page(c, fiber.StatusOK, "processes/show", "", &Page{
		Title: p.Title.In(lang(c), p.Languages...),
		Data:  map[string]any{"Process": p, "Objectives": objectives, "Axes": axes, "Runs": runs},
	})
}

func processInputFromForm(c *fiber.Ctx) (processes.ProcessInput, map[string]string) {
	f := form(c, "slug", "code", "time_zone", "status")
	in := processes.ProcessInput{
		Slug: f["slug"], Code: f["code"], TimeZone: f["time_zone"], Status: f["status"],
		Title:             translatedForm(c, "title", f),
		Description:       translatedForm(c, "description", f),
		GeneralObjective:  translatedForm(c, "general_objective", f),
		Languages:         multiForm(c, "languages"),
		StakeholderGroups: multiForm(c, "stakeholder_groups"),
	}
	return in, f
}

// processFormData is what the process form needs besides the values.
func processFormData(p *processes.Process, languages, groups []string) map[string]any {
	checked := map[string]bool{}
	for _, v := range append(append([]string{}, languages...), groups...) {
		checked[v] = true
	}
	return map[string]any{
		"Process": p, "Checked": checked, "Languages": locale.Supported(),
		"Groups": processes.StandardStakeholderGroups(), "Statuses": processes.Statuses(),
	}
}

func (s *Server) newProcessForm(c *fiber.Ctx) error {
	f := map[string]string{"time_zone": "America/Mexico_City", "status": processes.StatusDraft}
	return s.page(c, fiber.StatusOK, "admin/process_form", "admin.process_new", &Page{Form: f,
		Data: processFormData(nil, locale.Supported(), processes.StandardStakeholderGroups())})
}

func (s *Server) createProcess(c *fiber.Ctx) error {
	in, f := processInputFromForm(c)
	p, err := s.Processes.Create(c.UserContext(), s.actor(c), in)
	if err != nil {
		return s.formError(c, err, "admin/process_form", "admin.process_new", f, processFormData(nil, in.Languages, in.StakeholderGroups))
	}
	return s.flash(c, "admin.process_created", "/admin/processes/"+p.Slug)
}

func processForm(p processes.Process) map[string]string {
	f := map[string]string{"slug": p.Slug, "code": p.Code, "time_zone": p.TimeZone, "status": p.Status}
	for _, l := range locale.Supported() {
		f["title."+l] = p.Title[l]
		f["description."+l] = p.Description[l]
		f["general_objective."+l] = p.GeneralObjective[l]
	}
	return f
}

// editData gathers the process edit page: the process, its topics and its role grants.
func (s *Server) editData(c *fiber.Ctx, p processes.Process, languages, groups []string) (map[string]any, error) {
	ctx := c.UserContext()
	topics, err := processes.Topics(ctx, s.DB, p.ID)
	if err != nil {
		return nil, err
	}
	grants, err := s.grantsOf(c, p.ID)
	if err != nil {
		return nil, err
	}
	objectives, axes := topicsByKind(topics)
	d := processFormData(&p, languages, groups)
	d["Objectives"], d["Axes"], d["Grants"], d["Roles"] = objectives, axes, grants, grantableRoles()
	return d, nil
}

func (s *Server) editProcessForm(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	d, err := s.editData(c, p, p.Languages, p.StakeholderGroups)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/process_form", "admin.process_edit", &Page{Form: processForm(p), Data: d})
}

func (s *Server) updateProcess(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	in, f := processInputFromForm(c)
	updated, err := s.Processes.Update(c.UserContext(), s.actor(c), p.ID, in)
	if err != nil {
		d, derr := s.editData(c, p, in.Languages, in.StakeholderGroups)
		if derr != nil {
			return derr
		}
		return s.formError(c, err, "admin/process_form", "admin.process_edit", f, d)
	}
	return s.flash(c, "admin.process_saved", "/admin/processes/"+updated.Slug)
}

func topicInputFromForm(c *fiber.Ctx) (processes.TopicInput, map[string]string) {
	f := form(c, "kind", "code")
	return processes.TopicInput{Kind: f["kind"], Code: f["code"],
		Title: translatedForm(c, "title", f), Description: translatedForm(c, "description", f)}, f
}

func (s *Server) createTopic(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	in, f := topicInputFromForm(c)
	if _, err := s.Processes.CreateTopic(c.UserContext(), s.actor(c), p.ID, in); err != nil {
		if _, ok := validate.As(err); !ok {
			return err
		}
		d, derr := s.editData(c, p, p.Languages, p.StakeholderGroups)
		if derr != nil {
			return derr
		}
		d["TopicErrors"] = true
		form := processForm(p)
		for k, v := range f {
			form["topic_"+k] = v
		}
		return s.formError(c, prefixFields(err, "topic_"), "admin/process_form", "admin.process_edit", form, d)
	}
	return s.flash(c, "admin.topic_created", "/admin/processes/"+p.Slug+"#topics")
}

func (s *Server) topicOf(c *fiber.Ctx) (processes.Process, processes.Topic, error) {
	p, err := s.processBySlug(c)
	if err != nil {
		return p, processes.Topic{}, err
	}
	id, err := idParam(c, "id")
	if err != nil {
		return p, processes.Topic{}, err
	}
	t, err := processes.TopicByID(c.UserContext(), s.DB, p.ID, id)
	return p, t, err
}

func topicForm(t processes.Topic) map[string]string {
	f := map[string]string{"kind": t.Kind, "code": t.Code}
	for _, l := range locale.Supported() {
		f["title."+l] = t.Title[l]
		f["description."+l] = t.Description[l]
	}
	return f
}

func (s *Server) editTopicForm(c *fiber.Ctx) error {
	p, t, err := s.topicOf(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/topic_form", "admin.topic_edit", &Page{Form: topicForm(t),
		Data: map[string]any{"Process": p, "Topic": t, "Languages": locale.Supported()}})
}

func (s *Server) updateTopic(c *fiber.Ctx) error {
	p, t, err := s.topicOf(c)
	if err != nil {
		return err
	}
	in, f := topicInputFromForm(c)
	if _, err := s.Processes.UpdateTopic(c.UserContext(), s.actor(c), p.ID, t.ID, in); err != nil {
		return s.formError(c, err, "admin/topic_form", "admin.topic_edit", f,
			map[string]any{"Process": p, "Topic": t, "Languages": locale.Supported()})
	}
	return s.flash(c, "admin.topic_saved", "/admin/processes/"+p.Slug+"#topics")
}

func (s *Server) deleteTopic(c *fiber.Ctx) error {
	p, t, err := s.topicOf(c)
	if err != nil {
		return err
	}
	if err := s.Processes.DeleteTopic(c.UserContext(), s.actor(c), p.ID, t.ID); err != nil {
		return err
	}
	return s.flash(c, "admin.topic_deleted", "/admin/processes/"+p.Slug+"#topics")
}

func (s *Server) moveTopic(c *fiber.Ctx) error {
	p, t, err := s.topicOf(c)
	if err != nil {
		return err
	}
	dir := 0
	switch c.FormValue("direction") {
	case "up":
		dir = -1
	case "down":
		dir = 1
	default:
		return validate.Errors{{Field: "direction", Code: validate.Invalid}}
	}
	if err := s.Processes.MoveTopic(c.UserContext(), s.actor(c), p.ID, t.ID, dir); err != nil {
		return err
	}
	return c.Redirect("/admin/processes/"+p.Slug+"#topic-"+t.Code, fiber.StatusSeeOther)
}

// API representations: the JSON shape is the API's contract, kept apart from the tables.

type apiTopic struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
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
	TimeZone          string          `json:"time_zone"`
	Languages         []string        `json:"languages"`
	StakeholderGroups []string        `json:"stakeholder_groups"`
	Status            string          `json:"status"`
	Topics            []apiTopic      `json:"topics,omitempty"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

func toAPITopic(t processes.Topic) apiTopic {
	return apiTopic{ID: t.ID, Kind: t.Kind, Code: t.Code, Title: t.Title, Description: t.Description, Position: t.Position}
}

func toAPIProcess(p processes.Process, topics []processes.Topic) apiProcess {
	out := apiProcess{ID: p.ID, Slug: p.Slug, Code: p.Code, Title: p.Title, Description: p.Description,
		GeneralObjective: p.GeneralObjective, TimeZone: p.TimeZone, Languages: p.Languages,
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
	out := make([]apiProcess, len(list))
	for i, p := range list {
		out[i] = toAPIProcess(p, nil)
	}
	return c.JSON(fiber.Map{"processes": out})
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
	out := make([]apiTopic, len(topics))
	for i, t := range topics {
		out[i] = toAPITopic(t)
	}
	return c.JSON(fiber.Map{"topics": out})
}

// apiProcessInput is the JSON body of process writes; pointers tell omitted from empty.
type apiProcessInput struct {
	Slug              *string          `json:"slug"`
	Code              *string          `json:"code"`
	Title             *translated.Text `json:"title"`
	Description       *translated.Text `json:"description"`
	GeneralObjective  *translated.Text `json:"general_objective"`
	TimeZone          *string          `json:"time_zone"`
	Languages         *[]string        `json:"languages"`
	StakeholderGroups *[]string        `json:"stakeholder_groups"`
	Status            *string          `json:"status"`
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

func inputOf(p processes.Process) processes.ProcessInput {
	return processes.ProcessInput{Slug: p.Slug, Code: p.Code, Title: p.Title, Description: p.Description,
		GeneralObjective: p.GeneralObjective, TimeZone: p.TimeZone, Languages: p.Languages,
		StakeholderGroups: p.StakeholderGroups, Status: p.Status}
}

func (s *Server) apiCreateProcess(c *fiber.Ctx) error {
	var body apiProcessInput
	if err := decodeJSON(c, &body); err != nil {
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
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	updated, err := s.Processes.Update(c.UserContext(), s.actor(c), p.ID, body.apply(inputOf(p)))
	if err != nil {
		return err
	}
	return c.JSON(toAPIProcess(updated, nil))
}

type apiTopicInput struct {
	Kind        *string          `json:"kind"`
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
	if err := decodeJSON(c, &body); err != nil {
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
	if err := decodeJSON(c, &body); err != nil {
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
