package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

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
func describe(svc *services, err error) error {
	es, ok := validate.As(err)
	if !ok {
		return err
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = "--" + e.Field + ": " + svc.locale.T("en", e.Code, e.Data)
	}
	return errors.New(strings.Join(parts, "; "))
}
