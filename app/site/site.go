// Package site is Convene's composition root: New builds the whole application from a Config
// (database, capabilities, web server, mail worker) and Run serves it with its background work
// under one errgroup. serve and every test that needs a running Convene use it, so they cannot
// wire things differently.
package site

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"
	"golang.org/x/sync/errgroup"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/calendar"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/web"
	"github.com/convene/convene/frontend"
	"github.com/convene/convene/realtime"
)

// Options are what a caller may supply instead of what New would make from the Config.
type Options struct {
	DB       *bun.DB      // an open database (New then neither opens nor closes one)
	Clock    clock.Clock  // default: the system clock
	Logger   *slog.Logger // default: discard
	HashCost accounts.Cost
	Sender   mail.Sender // default: from CONVENE_SMTP_URL, or the log
	Version  string
}

// Site is a wired Convene.
type Site struct {
	Config       config.Config
	DB           *bun.DB
	Clock        clock.Clock
	Logger       *slog.Logger
	Locale       *locale.Bundle
	Outbox       *mail.Outbox
	Worker       *mail.Worker
	Accounts     *accounts.Service
	Access       *access.Service
	Processes    *processes.Service
	Forums       *forums.Service
	Registration *registration.Service
	Web          *web.Server
	Hub          *realtime.Hub
	QA           *qa.Service
	Minutes      *minutes.Service
	Consultation *consultation.Service
	ownDB        bool
}

// New opens (unless given) and migrates (when cfg.AutoMigrate) the database and wires every
// capability. It starts nothing: Run does.
func New(ctx context.Context, cfg config.Config, opt Options) (*Site, error) {
	s := &Site{Config: cfg, DB: opt.DB, Clock: opt.Clock, Logger: opt.Logger}
	if s.Clock == nil {
		s.Clock = clock.System{}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.DB == nil {
		db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{MaxConns: cfg.DBMaxConns})
		if err != nil {
			return nil, err
		}
		s.DB, s.ownDB = db, true
	}
	if err := s.setUp(ctx, cfg, opt); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Site) setUp(ctx context.Context, cfg config.Config, opt Options) error {
	if cfg.AutoMigrate {
		applied, err := store.Migrate(ctx, s.DB)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			s.Logger.Info("migrated", "applied", len(applied))
		}
	}
	bundle, err := locale.Load(frontend.Locales())
	if err != nil {
		return fmt.Errorf("loading message catalogs: %w", err)
	}
	s.Locale = bundle
	sender := opt.Sender
	if sender == nil {
		if sender, err = mailSender(cfg, s.Logger); err != nil {
			return err
		}
	}
	s.Worker = mail.NewWorker(s.DB, sender, cfg.MailFrom, s.Clock, s.Logger)
	s.Outbox = &mail.Outbox{Translator: bundle, Clock: s.Clock, SiteName: bundle.T(locale.Default, "site.name", nil), Wake: s.Worker.Wake}
	cost := opt.HashCost
	if cost == (accounts.Cost{}) {
		cost = accounts.ProductionCost()
	}
	s.Access = &access.Service{DB: s.DB, Clock: s.Clock}
	s.Processes = &processes.Service{DB: s.DB, Clock: s.Clock}
	// A session's moderators and rapporteur are invited by mail; the role follows acceptance.
	s.Forums = &forums.Service{DB: s.DB, Clock: s.Clock, Invite: access.Invitations{Notifier: s.Outbox, BaseURL: cfg.BaseURL}}
	key := cfg.SecretKey
	if len(key) == 0 {
		if key, err = store.ServerKey(ctx, s.DB); err != nil {
			return err
		}
	}
	links := registration.Links{Key: key}
	events := forums.Events{BaseURL: cfg.BaseURL, Text: bundle, Organizer: calendar.Sender(cfg.MailFrom, s.Outbox.SiteName)}
	s.Registration = &registration.Service{DB: s.DB, Clock: s.Clock, Links: links, Log: s.Logger, Notifier: registration.Mailer{
		Outbox: s.Outbox, Words: bundle, Events: events, Links: links, Log: s.Logger, Clock: s.Clock}}
	// Invites follow the schedule: a moved or cancelled forum or session writes to those holding a place.
	s.Forums.Followers = []forums.Follower{registration.Follower{Notifier: s.Registration.Notifier}}
	s.Accounts = &accounts.Service{
		DB: s.DB, Clock: s.Clock, Hasher: accounts.NewHasher(2, cost), Notifier: s.Outbox, BaseURL: cfg.BaseURL,
		LoginIdle: cfg.LoginIdle, LoginAbsolute: cfg.LoginAbsolute,
		// Every capability holding personal data is listed here, once.
		Personal: []accounts.Holder{
			{Name: "role_grants", Data: access.Personal{}},
			{Name: "role_invitations", Data: access.InvitationData{}},
			{Name: "mail", Data: mail.Personal{}},
			{Name: "speaker_entries", Data: forums.Personal{}},
			{Name: "registrations", Data: registration.Personal{Notifier: s.Registration.Notifier}},
			{Name: "questions", Data: qa.Personal{}},
			{Name: "minutes", Data: minutes.Personal{}},
			{Name: "consultation", Data: consultation.Personal{}},
		},
	}
	// Live rooms: numbered events and counts, on every instance. With PostgreSQL the instances
	// tell each other through LISTEN/NOTIFY; SQLite has one instance.
	var broker realtime.Broker = realtime.Local{}
	if store.IsPostgres(s.DB) {
		broker = &realtime.Postgres{DB: s.DB, Channel: "convene_live", Logger: s.Logger}
	}
	s.Hub = realtime.NewHub(s.DB, broker, s.liveCounts, realtime.Config{}, s.Logger)
	s.Registration.Live = s.Hub
	s.QA = &qa.Service{DB: s.DB, Clock: s.Clock, Live: s.Hub}
	s.Minutes = &minutes.Service{DB: s.DB, Clock: s.Clock, Mail: s.Outbox, Log: s.Logger, BaseURL: cfg.BaseURL, Words: bundle}
	s.Consultation = &consultation.Service{DB: s.DB, Clock: s.Clock, Mail: consultation.Mailer{Outbox: s.Outbox, Log: s.Logger, BaseURL: cfg.BaseURL}}
	// What became of an input reaches the commenters it records, as it reaches the askers.
	s.Minutes.Answered = []minutes.AnswerFollower{s.Consultation.Mail}
	s.Web, err = web.New(web.Deps{
		Config: cfg, DB: s.DB, Clock: s.Clock, Logger: s.Logger, Locale: bundle, Key: key,
		Accounts: s.Accounts, Access: s.Access, Processes: s.Processes, Forums: s.Forums,
		Registration: s.Registration, Hub: s.Hub, QA: s.QA, Minutes: s.Minutes, Consultation: s.Consultation, Registry: prometheus.NewRegistry(), Version: opt.Version,
	})
	return err
}

func mailSender(cfg config.Config, log *slog.Logger) (mail.Sender, error) {
	if cfg.SMTPURL == "" {
		log.Info("CONVENE_SMTP_URL is not set: outgoing mail is written to this log")
		return mail.LogSender{Logger: log}, nil
	}
	smtp, err := config.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("CONVENE_SMTP_URL: %w", err)
	}
	return mail.NewSMTPSender(smtp)
}

// Listeners are the sockets Run serves; the caller binds them before any set-up, so that a
// taken port fails at once.
type Listeners struct {
	Site    net.Listener
	Metrics net.Listener // CONVENE_METRICS_ADDR; nil when metrics are on the site
}

// Run serves the site and runs the background work (mail worker, sweeps) until ctx ends, then
// stops accepting, lets requests in flight finish (cfg.ShutdownTimeout) and waits for every
// goroutine before it returns. The first failure of any of them stops the others.
func (s *Site) Run(ctx context.Context, ls Listeners) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return serveUntil(ctx, s.Web.App.Listener, s.Web.App.ShutdownWithTimeout, ls.Site, s.Config.ShutdownTimeout)
	})
	if ls.Metrics != nil {
		m := s.Web.MetricsApp()
		g.Go(func() error {
			return serveUntil(ctx, m.Listener, m.ShutdownWithTimeout, ls.Metrics, s.Config.ShutdownTimeout)
		})
	}
	g.Go(func() error {
		if err := s.Worker.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return fmt.Errorf("mail worker: %w", err)
		}
		return nil
	})
	g.Go(func() error { return s.sweepCounters(ctx, 10*time.Minute) })
	g.Go(func() error { return s.Hub.Run(ctx) })
	g.Go(func() error {
		// Offers expire and quotas are released within a minute of their time.
		return s.Registration.SweepLoop(ctx, time.Minute, func(err error) { s.Logger.Error("registration sweep", "err", err) })
	})
	g.Go(func() error {
		s.Minutes.RemindLoop(ctx, 10*time.Minute, func(err error) { s.Logger.Error("minutes reminders", "err", err) })
		return nil
	})
	g.Go(func() error {
		s.Accounts.TokenUseLoop(ctx, time.Second, func(err error) { s.Logger.Error("API token uses", "err", err) })
		return nil
	})
	err := g.Wait()
	// Requests have stopped; websockets outlive their requests, so they are ended here, and the
	// last second's token uses written, before the database closes.
	s.Web.StopLive()
	flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ferr := s.Accounts.FlushTokenUses(flush); ferr != nil {
		s.Logger.Error("API token uses", "err", ferr)
	}
	return err
}

// serveUntil serves ln until ctx ends, then stops: it closes the listener itself (so a Serve
// that had not started yet returns at once instead of starting after the shutdown), lets
// requests in flight finish within grace, and waits for Serve to return before it does, so the
// database is never closed under a running handler.
func serveUntil(ctx context.Context, serve func(net.Listener) error, shutdown func(time.Duration) error, ln net.Listener, grace time.Duration) error {
	served := make(chan error, 1)
	go func() { served <- serve(ln) }()
	select {
	case err := <-served:
		if err != nil {
			return fmt.Errorf("serving %s: %w", ln.Addr(), err)
		}
		return errors.New("server stopped on its own")
	case <-ctx.Done():
	}
	ln.Close()
	shutErr := shutdown(grace)
	select {
	case <-served: // after our own close, Serve's error says only that the listener is closed
	case <-time.After(grace + time.Second):
		return fmt.Errorf("requests still running on %s after %s", ln.Addr(), grace)
	}
	if shutErr != nil && !errors.Is(shutErr, net.ErrClosed) { // we closed the listener first
		return fmt.Errorf("shutting down %s: %w", ln.Addr(), shutErr)
	}
	return nil
}

// Close closes the database New opened.
func (s *Site) Close() error {
	if s.ownDB && s.DB != nil {
		return s.DB.Close()
	}
	return nil
}

// sweepCounters removes expired rate-limit counters and forgotten sign-in failures until ctx
// ends.
func (s *Site) sweepCounters(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := store.SweepRateLimits(ctx, s.DB, s.Clock.Now()); err != nil {
				s.Logger.Warn("sweeping rate limits", "err", err)
			}
			if err := accounts.SweepThrottle(ctx, s.DB, s.Clock.Now()); err != nil {
				s.Logger.Warn("sweeping sign-in failures", "err", err)
			}
		}
	}
}

// liveCounts makes the counts frame of a live room, for whichever capability the room is.
func (s *Site) liveCounts(ctx context.Context, room string, keys []string) ([]byte, error) {
	if frame, ok, err := registration.CountsOfRoom(ctx, s.DB, room); ok {
		return frame, err
	}
	if frame, ok, err := qa.CountsOfRoom(ctx, s.DB, room, keys); ok {
		return frame, err
	}
	return nil, nil
}
