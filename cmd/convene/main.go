// Command convene runs Convene: convene serve | migrate | seed | user | token | version.
package main

import (
	"os"
	"os/signal"
	"syscall"

	// The container image has no zone files; forums in any IANA zone must still work.
	_ "time/tzdata"

	"github.com/convene/convene/app/cli"
)

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(cli.Run(cli.Env{
		Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Version: version, Signals: signals,
	}))
}
