package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/seed"
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
	return withServices(env, cfg, func(ctx context.Context, svc *services) error {
		applied, err := seed.Demo(ctx, svc.db, svc.clock)
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

// withServices opens and migrates the database, wires the capabilities and runs fn.
func withServices(env Env, cfg config.Config, fn func(ctx context.Context, svc *services) error) error {
	ctx := context.Background()
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, db); err != nil {
		return err
	}
	svc, err := wire(cfg, db, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	return fn(ctx, svc)
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
	return withServices(env, cfg, func(ctx context.Context, svc *services) error {
		a, err := svc.accounts.CreateAccount(ctx, svc.db, accounts.CreateInput{Email: email, Name: name, Password: password, Admin: role == "admin"})
		if err != nil {
			return describe(svc, err)
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
	return withServices(env, cfg, func(ctx context.Context, svc *services) error {
		a, err := accounts.ByEmail(ctx, svc.db, email)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no account with email %s", email)
			}
			return err
		}
		token, _, err := svc.accounts.CreateAPIToken(ctx, svc.db, a.ID, name)
		if err != nil {
			return describe(svc, err)
		}
		fmt.Fprintln(env.Stdout, token)
		return nil
	})
}
