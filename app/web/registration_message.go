package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/web/form"
)

// messageData is what the page to write to a forum's registrants shows.
type messageData struct {
	F     *forumContext
	Modes []string
	Size  int // how many the audience chosen reaches
}

func messageFromForm(c *fiber.Ctx) (registration.Audience, registration.Message, map[string]string) {
	f := form.Values(c, "status", "mode", "stakeholder_group", "subject", "body")
	return registration.Audience{Status: f["status"], Mode: f["mode"], Group: f["stakeholder_group"]},
		registration.Message{Subject: f["subject"], Body: f["body"]}, f
}

func (s *Server) messagePage(c *fiber.Ctx, status int, f map[string]string, err error) error {
	fc := adminForum(c)
	a := registration.Audience{Status: f["status"], Mode: f["mode"], Group: f["stakeholder_group"]}
	size, serr := registration.AudienceSize(c.UserContext(), s.DB, fc.Forum.ID, a)
	if serr != nil {
		return serr
	}
	d := messageData{F: fc, Modes: registration.ModesOf(fc.Forum), Size: size}
	title := s.Locale.T(lang(c), "registration.message_title", map[string]any{"Forum": fc.Forum.Title.In(lang(c), fc.Process.Languages...)})
	p := &Page{Title: title, Form: f, Data: d}
	if err != nil {
		return s.formPage(c, err, "admin/registrants_message", "", p)
	}
	return s.page(c, status, "admin/registrants_message", "", p)
}

// messageForm is where organisers write to a forum's registrants: all in force, or those of a
// status, mode or group.
func (s *Server) messageForm(c *fiber.Ctx) error {
	return s.messagePage(c, fiber.StatusOK, map[string]string{"status": registration.StatusConfirmed}, nil)
}

// messageRefused shows the form again with a rate limit's refusal.
func (s *Server) messageRefused(c *fiber.Ctx, err error) error {
	_, _, f := messageFromForm(c)
	return s.messagePage(c, fiber.StatusTooManyRequests, f, errAt(err, "subject"))
}

// sendMessage sends the message, once the organiser confirmed to how many it goes.
func (s *Server) sendMessage(c *fiber.Ctx) error {
	fc := adminForum(c)
	a, m, f := messageFromForm(c)
	if err := registration.CheckMessage(fc.Forum, fc.Process.StakeholderGroups, a, m); err != nil {
		return s.messagePage(c, fiber.StatusUnprocessableEntity, f, err)
	}
	size, err := registration.AudienceSize(c.UserContext(), s.DB, fc.Forum.ID, a)
	if err != nil {
		return err
	}
	ok, err := s.confirmed(c, confirmation{TitleID: "registration.message_confirm_title", BodyID: "registration.message_confirm_body",
		Data: map[string]any{"N": size}, ButtonID: "registration.message_send", Hidden: f,
		CancelURL: "/admin/forums/" + strconv.FormatInt(fc.Forum.ID, 10) + "/registrants/message"})
	if !ok || err != nil {
		return err
	}
	if _, err := s.Registration.Write(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, a, m); err != nil {
		return s.messagePage(c, fiber.StatusUnprocessableEntity, f, err)
	}
	return s.flash(c, "registration.flash_message_sent", "/admin/forums/"+strconv.FormatInt(fc.Forum.ID, 10)+"/registrants")
}
