// Package cli is the convene command line: it parses subcommands and flags, loads the
// configuration and wires the capabilities together. main only hands it the process's
// arguments, streams, environment and signals.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/store"
)

// Env is everything a command may touch of its process.
type Env struct {
	Args    []string
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Getenv  func(string) string
	Version string
	// Signals ends serve gracefully when it delivers (SIGINT, SIGTERM).
	Signals <-chan os.Signal
}

const usage = `convene: open, multi-stakeholder policy processes

Usage:
  convene serve [--addr HOST:PORT] [--demo]   migrate, make sure an admin exists, serve
  convene migrate up|status                   apply or list database migrations
  convene seed demo                           load the demo process (idempotent)
  convene user create --email E --name N [--role admin|member]
                                              create an account (password from stdin, or generated)
  convene token create --email E [--name N]   print a new API token for an account
  convene version                             print the version

Every command takes the configuration flags (see "convene serve -h"); each has a CONVENE_*
environment variable too. Flags win over the environment.
`

// Run runs one command and returns the process exit code.
func Run(env Env) int {
	if len(env.Args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	cmd, args := env.Args[0], env.Args[1:]
	var err error
	switch cmd {
	case "serve":
		err = serve(env, args)
	case "migrate":
		err = migrateCmd(env, args)
	case "seed":
		err = seedCmd(env, args)
	case "user":
		err = userCmd(env, args)
	case "token":
		err = tokenCmd(env, args)
	case "version", "--version", "-v":
		fmt.Fprintf(env.Stdout, "convene %s\n", env.Version)
	case "help", "-h", "--help":
		fmt.Fprint(env.Stdout, usage)
	default:
		fmt.Fprintf(env.Stderr, "convene: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.Stderr, "convene %s: %v\n", cmd, err)
			return 2
		}
		fmt.Fprintf(env.Stderr, "convene %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// command parses the flags of one subcommand: its own (added by setup) and the configuration's.
func command(env Env, name string, args []string, setup func(fs *flag.FlagSet)) (config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("convene "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if setup != nil {
		setup(fs)
	}
	loader := config.NewLoader(fs, env.Getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config.Config{}, nil, err
		}
		return config.Config{}, nil, usageError{err.Error()}
	}
	cfg, err := loader.Load()
	if err != nil {
		return cfg, nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, fs, nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openDB(ctx context.Context, cfg config.Config) (*bun.DB, error) {
	return store.Open(ctx, cfg.DatabaseURL, store.Options{MaxConns: cfg.DBMaxConns})
}

func migrateCmd(env Env, args []string) error {
	cfg, fs, err := command(env, "migrate", args, nil)
	if err != nil {
		return err
	}
	action := fs.Arg(0)
	if action != "up" && action != "status" {
		return usageError{`want "migrate up" or "migrate status"`}
	}
	ctx := context.Background()
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if action == "up" {
		applied, err := store.Migrate(ctx, db)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(env.Stdout, "database is up to date")
		}
		for _, name := range applied {
			fmt.Fprintln(env.Stdout, "applied", name)
		}
		return nil
	}
	applied, pending, err := store.Status(ctx, db)
	if err != nil {
		return err
	}
	for _, name := range applied {
		fmt.Fprintln(env.Stdout, "applied ", name)
	}
	for _, name := range pending {
		fmt.Fprintln(env.Stdout, "pending ", name)
	}
	fmt.Fprintf(env.Stdout, "%d applied, %d pending\n", len(applied), len(pending))
	return nil
}

// isTerminal tells whether r is an interactive terminal; commands never wait on a stdin that
// is not one.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return "", err
		}
	}
	return strings.TrimRight(b.String(), "\r"), nil
}
