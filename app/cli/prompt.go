package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/site"
	"github.com/convene/convene/app/validate"
)

// promptPassword asks twice on the terminal without echo.
func promptPassword(env Env) (string, error) {
	f := env.Stdin.(*os.File)
	fmt.Fprint(env.Stderr, "Password: ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	fmt.Fprint(env.Stderr, "Again: ")
	second, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("the passwords differ")
	}
	return string(first), nil
}

// describe turns field errors into English sentences for the terminal.
func describe(s *site.Site, err error) error {
	es, ok := validate.As(err)
	if p, isProblem := problem.As(err); !ok && isProblem {
		es, ok = p.Fields(), len(p.Fields()) > 0
	}
	if !ok {
		return err
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = "--" + e.Field + ": " + s.Locale.T("en", e.Code, e.Data)
	}
	return errors.New(strings.Join(parts, "; "))
}
