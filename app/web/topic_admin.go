package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

func topicInputFromForm(c *fiber.Ctx) (processes.TopicInput, map[string]string) {
	f := form.Values(c, "kind", "code")
	return processes.TopicInput{Kind: f["kind"], Code: f["code"],
		Title: form.Translated(c, "title", f), Description: form.Translated(c, "description", f)}, f
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
		d, derr := s.topicsData(c, p)
		if derr != nil {
			return derr
		}
		fields := map[string]string{}
		for k, v := range f {
			fields["topic_"+k] = v
		}
		return s.formError(c, form.Prefix(err, "topic_"), "admin/process_topics", "admin.topics", fields, d)
	}
	return s.flash(c, "admin.topic_created", "/admin/processes/"+p.Slug+"/topics")
}

func (s *Server) topicOf(c *fiber.Ctx) (processes.Process, processes.Topic, error) {
	p, err := s.processBySlug(c)
	if err != nil {
		return p, processes.Topic{}, err
	}
	id, err := form.ID(c, "id")
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
	return s.flash(c, "admin.topic_saved", "/admin/processes/"+p.Slug+"/topics")
}

func (s *Server) deleteTopic(c *fiber.Ctx) error {
	p, t, err := s.topicOf(c)
	if err != nil {
		return err
	}
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.topic_delete.title", BodyID: "confirm.topic_delete.body",
		ButtonID: "confirm.topic_delete.button", DangerOK: true, Hidden: map[string]string{},
		Data:      map[string]any{"Code": t.Code, "Title": t.Title.In(lang(c), p.Languages...)},
		CancelURL: "/admin/processes/" + p.Slug + "/topics#topic-" + t.Code}); !ok {
		return err
	}
	if err := s.Processes.DeleteTopic(c.UserContext(), s.actor(c), p.ID, t.ID); err != nil {
		return err
	}
	return s.flash(c, "admin.topic_deleted", "/admin/processes/"+p.Slug+"/topics")
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
	return c.Redirect("/admin/processes/"+p.Slug+"/topics#topic-"+t.Code, fiber.StatusSeeOther)
}
