package web

import (
	"github.com/gofiber/fiber/v2"
)

// confirmation describes what a destructive or privilege action is about to do.
type confirmation struct {
	TitleID   string         // the page's heading, a message id
	BodyID    string         // what will happen, said plainly
	Data      map[string]any // the messages' values
	ButtonID  string         // the button that does it
	DangerOK  bool           // the button is red
	Hidden    map[string]string
	CancelURL string
}

// confirmed tells whether the person confirmed the action: the form carries confirm=yes (the
// page's script adds it after asking in the browser). Without it, as when JavaScript is off,
// it shows a page of its own that says what will happen and asks again, and reports false: the
// handler then returns with nothing changed.
func (s *Server) confirmed(c *fiber.Ctx, what confirmation) (bool, error) {
	if c.FormValue("confirm") == "yes" {
		return true, nil
	}
	what.Hidden["confirm"] = "yes"
	return false, s.page(c, fiber.StatusOK, "pages/confirm", what.TitleID, &Page{
		Data: map[string]any{"Confirm": what, "Action": c.OriginalURL()}})
}
