package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/site"
	"github.com/convene/convene/app/store"
)

func seedCmd(env Env, args []string) error {
	cfg, fs, err := command(env, "seed", args, nil)
	if err != nil {
		return err
	}
	if fs.Arg(0) != "demo" {
		return usageError{`want "seed demo"`}
	}
	return withSite(env, cfg, func(ctx context.Context, s *site.Site) error {
		applied, err := seed.Demo(ctx, s.DB, s.Clock)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(env.Stdout, "demo data already present: nothing to add")
		}
		for _, step := range applied {
			fmt.Fprintln(env.Stdout, "added", step)
		}
		return nil
	})
}

// withSite builds the site (opening and migrating the database) and runs fn.
func withSite(env Env, cfg config.Config, fn func(ctx context.Context, s *site.Site) error) error {
	ctx := context.Background()
	cfg.AutoMigrate = true
	s, err := site.New(ctx, cfg, site.Options{Logger: newLogger(cfg, env.Stderr), Version: env.Version})
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(ctx, s)
}

func userCmd(env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{`want "user create --email E --name N [--role admin|member]"`}
	}
	var email, name, role string
	var passwordStdin bool
	cfg, _, err := command(env, "user create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email address (required)")
		fs.StringVar(&name, "name", "", "full name (required)")
		fs.StringVar(&role, "role", "member", "admin or member")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	})
	if err != nil {
		return err
	}
	if role != "admin" && role != "member" {
		return usageError{`--role must be "admin" or "member"`}
	}
	password, generated := "", false
	switch {
	case passwordStdin:
		if password, err = readLine(env.Stdin); err != nil {
			return fmt.Errorf("reading the password: %w", err)
		}
	case isTerminal(env.Stdin):
		if password, err = promptPassword(env); err != nil {
			return err
		}
	default:
		password, generated = accounts.GeneratePassword(), true
	}
	return withSite(env, cfg, func(ctx context.Context, s *site.Site) error {
		a, err := s.Accounts.CreateAccount(ctx, s.DB, accounts.CreateInput{Email: email, Name: name, Password: password, Admin: role == "admin"})
		if err != nil {
			return describe(s, err)
		}
		fmt.Fprintf(env.Stdout, "created %s account %s (id %d)\n", role, a.Email, a.ID)
		if generated {
			fmt.Fprintf(env.Stdout, "password: %s\n", password)
		}
		return nil
	})
}

func tokenCmd(env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{`want "token create --email E [--name N]"`}
	}
	var email, name string
	cfg, _, err := command(env, "token create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account the token acts as (required)")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	})
	if err != nil {
		return err
	}
	if email == "" {
		return usageError{"--email is required"}
	}
	return withSite(env, cfg, func(ctx context.Context, s *site.Site) error {
		a, err := accounts.ByEmail(ctx, s.DB, email)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no account with email %s", email)
			}
			return err
		}
		token, _, err := s.Accounts.CreateAPIToken(ctx, a.ID, name)
		if err != nil {
			return describe(s, err)
		}
		fmt.Fprintln(env.Stdout, token)
		return nil
	})
}
