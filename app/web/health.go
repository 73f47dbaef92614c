package web

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/store"
)

// healthz answers while the process runs.
func (s *Server) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"status": "ok", "version": s.Version})
}

// readyz answers 200 only when the database answers and no migration is pending.
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.DB.PingContext(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "reason": "database"})
	}
	n, err := store.Pending(ctx, s.DB)
	if err != nil || n > 0 {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "reason": "migrations", "pending": n})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// serveStatic serves /static/<hash>/<path>. A stale hash is a 404, so a cached page never
// gets a newer file under an old URL it would keep forever.
func (s *Server) serveStatic(c *fiber.Ctx) error {
	f, ok := s.static.files[c.Params("*")]
	if !ok || f.hash != c.Params("hash") {
		return errNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderContentType, f.contentType)
	return c.Send(f.body)
}

// favicon sends browsers that ask for /favicon.ico to the icon's hashed URL.
func (s *Server) favicon(c *fiber.Ctx) error {
	u, err := s.static.url("favicon.svg")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Redirect(u, fiber.StatusMovedPermanently)
}
