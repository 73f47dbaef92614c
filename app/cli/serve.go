package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/site"
)

// serve binds its addresses first, so that a taken port fails before anything is set up (no
// migration, no demo, and above all no admin whose one-time password would be lost), then
// builds the site, makes sure an admin exists, loads the demo when asked, and serves until a
// signal comes.
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
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s (is another Convene running? choose another address with --addr or CONVENE_ADDR, e.g. CONVENE_ADDR=127.0.0.1:8081 make run): %w", cfg.Addr, err)
	}
	ls := site.Listeners{Site: ln}
	if cfg.MetricsAddr != "" {
		if ls.Metrics, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listening on %s for metrics: %w", cfg.MetricsAddr, err)
		}
	}
	closeAll := func() {
		ln.Close()
		if ls.Metrics != nil {
			ls.Metrics.Close()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := site.New(ctx, cfg, site.Options{Logger: log, Version: env.Version})
	if err != nil {
		closeAll()
		return err
	}
	defer s.Close()
	// The demo first: were it to fail after the admin was created, its one-time password,
	// printed only below, would be lost.
	if demo {
		if err := loadDemo(ctx, s, env); err != nil {
			closeAll()
			return err
		}
	}
	created, email, password, err := s.Accounts.EnsureAdmin(ctx)
	if err != nil {
		closeAll()
		return fmt.Errorf("making sure an admin exists: %w", err)
	}

	// Start-up (migrations, the demo, a first admin's password hash) leaves garbage that, at the
	// GOGC of 400 main sets, would wait for a heap five times the live one before it is
	// collected: it goes now, so an idle server holds what it uses.
	debug.FreeOSMemory()

	fmt.Fprintf(env.Stdout, "Convene %s is up at %s (listening on %s, started in %s)\n",
		env.Version, cfg.BaseURL, ln.Addr(), time.Since(started).Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "Database: %s\n", describeDatabase(cfg.DatabaseURL))
	if created {
		fmt.Fprintf(env.Stdout, "Admin login (shown once, change it after signing in):\n  email:    %s\n  password: %s\n", email, password)
	}

	ran := make(chan error, 1)
	go func() { ran <- s.Run(ctx, ls) }()
	select {
	case err := <-ran:
		return err
	case sig := <-env.Signals:
		log.Info("shutting down", "signal", sig.String())
	}
	cancel()
	return <-ran
}

func loadDemo(ctx context.Context, s *site.Site, env Env) error {
	has, err := seed.HasDemo(ctx, s.DB)
	if err != nil || has {
		return err
	}
	if _, err := seed.Demo(ctx, s.DB, s.Clock); err != nil {
		return fmt.Errorf("loading demo data: %w", err)
	}
	s.Logger.Info("demo data loaded")
	return nil
}

// describeDatabase names the database for a person: the full path of a SQLite file (a relative
// path depends on where the command ran), or a PostgreSQL URL without its password.
func describeDatabase(url string) string {
	if path, ok := strings.CutPrefix(url, "sqlite:"); ok {
		if abs, err := filepath.Abs(path); err == nil {
			return abs + " (SQLite)"
		}
		return path + " (SQLite)"
	}
	return config.RedactURL(url) + " (PostgreSQL)"
}
