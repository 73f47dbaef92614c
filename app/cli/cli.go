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
	"golang.org/x/term"

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
  convene user create --email E --name N [--role admin|member] [--password-stdin]
                                              create an account (password asked on a terminal, read
                                              from standard input, or generated and printed)
  convene user password --email E [--password-stdin]
                                              set a new password (a lost admin's, say): every login
                                              of the account ends
  convene token create --email E [--name N]   print a new API token for an account
  convene version                             print the version

Every command takes the configuration flags (see "convene serve -h"), before or after its
words; each has a CONVENE_* environment variable too. Flags win over the environment.
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

// command parses the flags of one subcommand, its own (added by setup) and the configuration's,
// wherever they stand among its words ("seed demo --database-url X" as well as "seed
// --database-url X demo"), and returns the words. After "--" everything is a word.
func command(env Env, name string, args []string, setup func(fs *flag.FlagSet)) (config.Config, []string, error) {
	fs := flag.NewFlagSet("convene "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if setup != nil {
		setup(fs)
	}
	loader := config.NewLoader(fs, env.Getenv)
	var words []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return config.Config{}, nil, err
			}
			return config.Config{}, nil, usageError{err.Error()}
		}
		parsed := len(rest) - len(fs.Args())
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		if parsed > 0 && args[len(args)-len(rest)-1] == "--" {
			words = append(words, rest...)
			break
		}
		words, rest = append(words, rest[0]), rest[1:]
	}
	cfg, err := loader.Load()
	if err != nil {
		return cfg, nil, fmt.Errorf("configuration: %w", err)
	}
	return cfg, words, nil
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
	cfg, words, err := command(env, "migrate", args, nil)
	if err != nil {
		return err
	}
	if len(words) != 1 || (words[0] != "up" && words[0] != "status") {
		return usageError{`want "migrate up" or "migrate status"`}
	}
	ctx := context.Background()
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if words[0] == "up" {
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
// is not one. Any character device is not one: /dev/null is a character device too, and
// systemd, cron and "docker run" without -i give it.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
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
