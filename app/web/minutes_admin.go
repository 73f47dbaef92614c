package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/minutes"
)

// processMinutes is the organisers' view of a process's minutes: every session that has ended
// or has minutes begun, where its minutes stand, when they are due, and which are overdue.
func (s *Server) processMinutes(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	rows, err := minutes.Overview(c.UserContext(), s.DB, s.Clock.Now(), p.ID)
	if err != nil {
		return err
	}
	overdue := 0
	for _, r := range rows {
		if r.Overdue {
			overdue++
		}
	}
	return s.page(c, fiber.StatusOK, "admin/process_minutes", "admin.minutes_title",
		&Page{Data: map[string]any{"Process": p, "Rows": rows, "Overdue": overdue}})
}
