package web

import (
	"crypto/subtle"
	"net/netip"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// metricsGate keeps /metrics from the world: on the site it answers only the bearer of
// CONVENE_METRICS_TOKEN or, without one, loopback clients; with CONVENE_METRICS_ADDR it is not
// on the site at all.
func (s *Server) metricsGate(c *fiber.Ctx) error {
	switch {
	case s.Config.MetricsAddr != "":
		return errNotFound
	case s.Config.MetricsToken != "":
		return s.metricsToken(c)
	default:
		if a, err := netip.ParseAddr(s.proxies.ClientIP(c)); err != nil || !a.Unmap().IsLoopback() {
			return errNotFound
		}
	}
	return c.Next()
}

// metricsToken asks for CONVENE_METRICS_TOKEN as a bearer token, when it is set.
func (s *Server) metricsToken(c *fiber.Ctx) error {
	if s.Config.MetricsToken == "" {
		return c.Next()
	}
	got, _ := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.Config.MetricsToken)) != 1 {
		return fiber.ErrUnauthorized
	}
	return c.Next()
}

// MetricsApp is /metrics alone, for the separate address of CONVENE_METRICS_ADDR; it too asks
// for CONVENE_METRICS_TOKEN when that is set.
func (s *Server) MetricsApp() *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second})
	app.Get("/metrics", s.metricsToken, s.metrics.Handler())
	return app
}
