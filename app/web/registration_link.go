package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// A guest who lost the link to their registration asks for it again by address. The answer is
// the same whether or not the address has a registration: only its mailbox learns that.

func (s *Server) lostLinkForm(c *fiber.Ctx) error {
	noCache(c)
	return s.page(c, fiber.StatusOK, "registrations/lost_link", "registration.lost_link_title", &Page{Form: map[string]string{"email": c.Query("email")}})
}

func (s *Server) sendLinks(c *fiber.Ctx) error {
	f := form.Values(c, "email")
	if err := s.Registration.SendLinks(c.UserContext(), f["email"]); err != nil {
		return s.formError(c, err, "registrations/lost_link", "registration.lost_link_title", f, nil)
	}
	return s.flash(c, "registration.links_sent", "/registrations/link")
}

// recipientKey counts requests by the address they mail, whoever asks.
func recipientKey(field string) func(*fiber.Ctx) string {
	return func(c *fiber.Ctx) string {
		email, _ := validate.CanonicalEmail(c.FormValue(field))
		return email
	}
}
