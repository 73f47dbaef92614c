package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/web"
	"github.com/convene/convene/frontend"
)

// services are the capabilities wired together, shared by serve and the other commands.
type services struct {
	cfg       config.Config
	db        *bun.DB
	clock     clock.Clock
	log       *slog.Logger
	locale    *locale.Bundle
	outbox    *mail.Outbox
	accounts  *accounts.Service
	processes *processes.Service
}

func wire(cfg config.Config, db *bun.DB, log *slog.Logger) (*services, error) {
	bundle, err := locale.Load(frontend.Locales())
	if err != nil {
		return nil, fmt.Errorf("loading message catalogs: %w", err)
	}
	clk := clock.System{}
	outbox := &mail.Outbox{Translator: bundle, Clock: clk, SiteName: bundle.T(locale.Default, "site.name", nil)}
	return &services{
		cfg: cfg, db: db, clock: clk, log: log, locale: bundle, outbox: outbox,
		accounts: &accounts.Service{
			DB: db, Clock: clk, Hasher: accounts.NewHasher(2), Notifier: outbox, BaseURL: cfg.BaseURL,
			LoginIdle: cfg.LoginIdle, LoginAbsolute: cfg.LoginAbsolute,
		},
		processes: &processes.Service{DB: db, Clock: clk},
	}, nil
}

func serve(env Env, args []string) error {
	var demo bool
	cfg, _, err := command(env, "serve", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "load the demo process when the database has none")
	})
	if err != nil {
		return err
	}
	started := time.Now()
	log := newLogger(cfg, env.Stderr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.AutoMigrate {
		applied, err := store.Migrate(ctx, db)
		if err != nil {
			return err
		}
		if len(applied) > 0 {
			log.Info("migrated", "applied", len(applied))
		}
	}
	svc, err := wire(cfg, db, log)
	if err != nil {
		return err
	}
	created, email, password, err := svc.accounts.EnsureAdmin(ctx)
	if err != nil {
		return fmt.Errorf("making sure an admin exists: %w", err)
	}
	if demo {
		has, err := seed.HasDemo(ctx, db)
		if err != nil {
			return err
		}
		if !has {
			if _, err := seed.Demo(ctx, db, svc.clock); err != nil {
				return fmt.Errorf("loading demo data: %w", err)
			}
			log.Info("demo data loaded")
		}
	}

	sender, err := mailSender(cfg, log)
	if err != nil {
		return err
	}
	worker := mail.NewWorker(db, sender, cfg.MailFrom, svc.clock, log)
	svc.outbox.Wake = worker.Wake

	srv, err := web.New(web.Deps{
		Config: cfg, DB: db, Clock: svc.clock, Logger: log, Locale: svc.locale,
		Accounts: svc.accounts, Processes: svc.processes, Registry: prometheus.NewRegistry(), Version: env.Version,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	go func() {
		if err := worker.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("mail worker stopped", "err", err)
		}
	}()
	go srv.SweepLoop(ctx, 10*time.Minute)

	served := make(chan error, 1)
	go func() { served <- srv.App.Listener(ln) }()

	fmt.Fprintf(env.Stdout, "Convene %s is up at %s (listening on %s, started in %s)\n",
		env.Version, cfg.BaseURL, ln.Addr(), time.Since(started).Round(time.Millisecond))
	if created {
		fmt.Fprintf(env.Stdout, "Admin login (shown once, change it after signing in):\n  email:    %s\n  password: %s\n", email, password)
	}

	select {
	case err := <-served:
		return err
	case sig := <-env.Signals:
		log.Info("shutting down", "signal", sig.String())
	}
	if err := srv.App.ShutdownWithTimeout(cfg.ShutdownTimeout); err != nil {
		log.Warn("shutdown", "err", err)
	}
	cancel()
	return nil
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
