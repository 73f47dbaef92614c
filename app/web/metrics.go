package web

import (
	"crypto/subtle"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uptrace/bun"
)

type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	registry *prometheus.Registry
}

func newHTTPMetrics(reg *prometheus.Registry, db *bun.DB) (*httpMetrics, error) {
	m := &httpMetrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "convene_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "convene_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	for _, c := range []prometheus.Collector{
		m.requests, m.duration,
		collectors.NewDBStatsCollector(db.DB, "convene"),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering metrics: %w", err)
		}
	}
	return m, nil
}

func (m *httpMetrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

func (m *httpMetrics) handler() fiber.Handler {
	return adaptor.HTTPHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
}

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
		if a, err := netip.ParseAddr(s.clientIP(c)); err != nil || !a.Unmap().IsLoopback() {
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
	app.Get("/metrics", s.metricsToken, s.metrics.handler())
	return app
}
