// Command convene runs Convene: convene serve | migrate | seed | user | token | version.
package main

import (
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	// The container image has no zone files; forums in any IANA zone must still work.
	_ "time/tzdata"

	"github.com/convene/convene/app/cli"
)

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	// A collection each time the heap doubles came so often under a room registering at once
	// that its assists set p99: in .ci/bench-register's runs at 1,500 registrations a second,
	// p99 went from 31-95 ms to 34-39 ms with collections at five times the live heap, for
	// about 50 MB more at the peak (260 MB). GOGC and GOMEMLIMIT still override it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(cli.Run(cli.Env{
		Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Version: version, Signals: signals,
	}))
}
