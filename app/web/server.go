// Package web is Convene's HTTP face: one Fiber app with one route table (routes.go), the
// middleware every request passes, rendering, error mapping, and thin handlers, one file per
// capability. Handlers parse, authorise, call the domain and render; rules live in app/.
package web

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"
	"golang.org/x/sync/singleflight"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/calendar"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/monitoring"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/web/cache"
	"github.com/convene/convene/app/web/metrics"
	"github.com/convene/convene/app/web/proxy"
	"github.com/convene/convene/frontend"
	"github.com/convene/convene/realtime"
)

// Deps is what the web layer needs from main.
type Deps struct {
	Config       config.Config
	DB           *bun.DB
	Clock        clock.Clock
	Logger       *slog.Logger
	Locale       *locale.Bundle
	Accounts     *accounts.Service
	Access       *access.Service
	Processes    *processes.Service
	Forums       *forums.Service
	Registration *registration.Service
	Hub          *realtime.Hub
	QA           *qa.Service
	Minutes      *minutes.Service
	Consultation *consultation.Service
	// Key signs CSRF tokens and device cookies (at least 32 bytes, the same on every instance).
	Key []byte
	// Registry collects metrics; New adds the HTTP and database metrics to it.
	Registry *prometheus.Registry
	Version  string
}

// Server holds what handlers share.
type Server struct {
	Deps
	App       *fiber.App
	key       []byte
	openapi   []byte
	render    *renderer
	static    *staticFiles
	metrics   *metrics.HTTP
	proxies   proxy.Trust
	cache     *cache.Pages
	revisions *cache.Revisions
	logins    *cache.Logins
	fills     singleflight.Group
	limits    *store.Limits
	events    forums.Events
	live      *liveConns
	// liveBuffers lends live sockets their write buffers, only while a frame is written.
	liveBuffers *sync.Pool
	liveTargets liveTargets
	liveRoles   liveRoles
	// heard keeps each process's dashboard figures of what was heard for the content revision
	// they were counted at.
	heard cache.Memo[int64, monitoring.Heard]
	// drafts keeps each draft version's figures that every reader's page shows alike.
	drafts cache.Memo[draftVersion, draftFigures]
}

// New builds the Fiber app with every route. Templates and catalogs are parsed here, so a
// broken template stops start-up instead of failing a request.
func New(d Deps) (*Server, error) {
	static, err := loadStatic(frontend.Static())
	if err != nil {
		return nil, fmt.Errorf("loading static files: %w", err)
	}
	r, err := newRenderer(frontend.Templates(), d.Locale, static)
	if err != nil {
		return nil, fmt.Errorf("loading templates: %w", err)
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	m, err := metrics.New(d.Registry, d.DB)
	if err != nil {
		return nil, err
	}
	if len(d.Key) < 32 {
		return nil, fmt.Errorf("the signing key has %d bytes, want at least 32", len(d.Key))
	}
	doc, err := openAPIJSON(d.Version)
	if err != nil {
		return nil, err
	}
	s := &Server{
		Deps:      d,
		key:       d.Key,
		openapi:   doc,
		render:    r,
		static:    static,
		metrics:   m,
		proxies:   d.Config.TrustedProxies,
		cache:     cache.NewPages(),
		revisions: cache.NewRevisions(d.DB),
		logins:    cache.NewLogins(),
		events: forums.Events{BaseURL: d.Config.BaseURL, Text: d.Locale,
			Organizer: calendar.Sender(d.Config.MailFrom, d.Locale.T(locale.Default, "site.name", nil))},
		live: newLiveConns(), liveBuffers: &sync.Pool{}, liveTargets: liveTargets{byID: map[int64]liveTarget{}},
		liveRoles: liveRoles{mods: map[[2]int64]bool{}},
		limits:    &store.Limits{DB: d.DB},
	}
	proxies := make([]string, len(s.proxies))
	for i, p := range s.proxies {
		proxies[i] = p.String()
	}
	app := fiber.New(fiber.Config{
		AppName:                 "convene",
		ErrorHandler:            s.handleError,
		DisableStartupMessage:   true,
		ReadTimeout:             30 * time.Second,
		WriteTimeout:            30 * time.Second,
		IdleTimeout:             120 * time.Second,
		BodyLimit:               maxUploadBody, // smallBodies holds every route but a submission's to 2 MB
		EnableTrustedProxyCheck: true,
		TrustedProxies:          proxies,
	})
	s.App = app
	s.routes(app)
	return s, nil
}
