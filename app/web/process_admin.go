package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/web/form"
)

func processInputFromForm(c *fiber.Ctx) (processes.ProcessInput, map[string]string) {
	f := form.Values(c, "slug", "code", "time_zone", "status", "contact_email", "minutes_due_days")
	in := processes.ProcessInput{
		MinutesDueDays: days(f["minutes_due_days"]),
		Slug:           f["slug"], Code: f["code"], TimeZone: f["time_zone"], Status: f["status"], ContactEmail: f["contact_email"],
		Title:             form.Translated(c, "title", f),
		Description:       form.Translated(c, "description", f),
		GeneralObjective:  form.Translated(c, "general_objective", f),
		Languages:         form.Multi(c, "languages"),
		StakeholderGroups: form.Multi(c, "stakeholder_groups"),
	}
	return in, f
}

// days reads a number of days as typed: empty is 0 (the default), anything but a whole number
// -1, which the rules refuse naming the field.
func days(s string) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return -1
	}
	return n
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
	f := map[string]string{"time_zone": "America/Mexico_City", "status": processes.StatusDraft, "minutes_due_days": strconv.Itoa(processes.DefaultMinutesDueDays)}
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
	f := map[string]string{"slug": p.Slug, "code": p.Code, "time_zone": p.TimeZone, "status": p.Status, "contact_email": p.ContactEmail,
		"minutes_due_days": strconv.Itoa(p.MinutesDueDays)}
	for _, l := range locale.Supported() {
		f["title."+l] = p.Title[l]
		f["description."+l] = p.Description[l]
		f["general_objective."+l] = p.GeneralObjective[l]
	}
	return f
}

func (s *Server) editProcessForm(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/process_form", "admin.process_edit", &Page{Form: processForm(p),
		Data: processFormData(&p, p.Languages, p.StakeholderGroups)})
}

// topicsData is what the objectives-and-axes tab shows.
func (s *Server) topicsData(c *fiber.Ctx, p processes.Process) (map[string]any, error) {
	topics, err := processes.Topics(c.UserContext(), s.DB, p.ID)
	if err != nil {
		return nil, err
	}
	objectives, axes := topicsByKind(topics)
	return map[string]any{"Process": p, "Objectives": objectives, "Axes": axes, "Languages": p.Languages}, nil
}

// processTopics is the objectives-and-axes tab of a process's admin pages.
func (s *Server) processTopics(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	d, err := s.topicsData(c, p)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/process_topics", "admin.topics", &Page{Form: map[string]string{}, Data: d})
}

// peopleData is what the people-and-roles tab shows.
func (s *Server) peopleData(c *fiber.Ctx, p processes.Process) (map[string]any, error) {
	grants, err := s.grantsOf(c, p.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Process": p, "Grants": grants, "Roles": grantableRoles()}, nil
}

// processPeople is the people-and-roles tab of a process's admin pages (admins).
func (s *Server) processPeople(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	d, err := s.peopleData(c, p)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/process_people", "admin.roles", &Page{Form: map[string]string{}, Data: d})
}

func (s *Server) updateProcess(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	in, f := processInputFromForm(c)
	updated, err := s.Processes.Update(c.UserContext(), s.actor(c), p.ID, in)
	if err != nil {
		return s.formError(c, err, "admin/process_form", "admin.process_edit", f, processFormData(&p, in.Languages, in.StakeholderGroups))
	}
	return s.flash(c, "admin.process_saved", "/admin/processes/"+updated.Slug)
}
