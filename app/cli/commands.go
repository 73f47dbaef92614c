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
	cfg, words, err := command(env, "seed", args, nil)
	if err != nil {
		return err
	}
	if len(words) != 1 || words[0] != "demo" {
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
	if len(args) > 0 && args[0] == "password" {
		return userPassword(env, args[1:])
	}
	if len(args) == 0 || args[0] != "create" {
		return usageError{`want "user create --email E --name N [--role admin|member]" or "user password --email E"`}
	}
	var email, name, role string
	var passwordStdin bool
	cfg, words, err := command(env, "user create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email address (required)")
		fs.StringVar(&name, "name", "", "full name (required)")
		fs.StringVar(&role, "role", "member", "admin or member")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	})
	if err != nil {
		return err
	}
	if len(words) > 0 {
		return usageError{fmt.Sprintf("unexpected %q", words[0])}
	}
	if role != "admin" && role != "member" {
		return usageError{`--role must be "admin" or "member"`}
	}
	password, generated, err := newPassword(env, passwordStdin)
	if err != nil {
		return err
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

// userPassword sets a new password for an account from the command line: how an operator gets
// back in when the first admin's password is lost (the mail of a reset link may not reach them).
func userPassword(env Env, args []string) error {
	var email string
	var passwordStdin bool
	cfg, words, err := command(env, "user password", args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account's email address (required)")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	})
	if err != nil {
		return err
	}
	if email == "" || len(words) > 0 {
		return usageError{`want "user password --email E [--password-stdin]"`}
	}
	password, generated, err := newPassword(env, passwordStdin)
	if err != nil {
		return err
	}
	return withSite(env, cfg, func(ctx context.Context, s *site.Site) error {
		a, err := s.Accounts.SetPassword(ctx, email, password)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no account with email %s", email)
		}
		if err != nil {
			return describe(s, err)
		}
		fmt.Fprintf(env.Stdout, "new password set for %s; its logins have ended\n", a.Email)
		if generated {
			fmt.Fprintf(env.Stdout, "password: %s\n", password)
		}
		return nil
	})
}

// newPassword is the password a command sets: the first line of standard input when asked,
// typed twice on a terminal, or else generated (never waiting on a standard input that is not
// a terminal).
func newPassword(env Env, fromStdin bool) (password string, generated bool, err error) {
	switch {
	case fromStdin:
		if password, err = readLine(env.Stdin); err != nil {
			return "", false, fmt.Errorf("reading the password: %w", err)
		}
		return password, false, nil
	case isTerminal(env.Stdin):
		password, err = promptPassword(env)
		return password, false, err
	}
	return accounts.GeneratePassword(), true, nil
}

func tokenCmd(env Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{`want "token create --email E [--name N]"`}
	}
	var email, name string
	cfg, words, err := command(env, "token create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the account the token acts as (required)")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	})
	if err != nil {
		return err
	}
	if email == "" || len(words) > 0 {
		return usageError{"--email is required, and nothing else"}
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
