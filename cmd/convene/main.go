// Command convene runs Convene: convene serve | migrate | seed | user | token | version.
package main

import (
	"os"
	"os/signal"
	"syscall"

	// The container image has no zone files; forums in any IANA zone must still work.
	_ "time/tzdata"

	"github.com/convene/convene/app/cli"
	"github.com/convene/convene/app/gcpace"
)

// version is set at build time: -ldflags "-X main.version=..."
var version = "dev"

func main() {
	// How far the heap grows between collections follows what is live (app/gcpace): in
	// .ci/bench-register's runs at 1,500 registrations a second on SQLite, p99 was 733-994 ms
	// with the default GOGC=100 and 160-173 ms with five times the live heap; in .ci/bench-qa's,
	// ten thousand listeners took 64 KiB a connection at GOGC=400 and 31 KiB with the heap held
	// near 256 MiB. GOGC set by the operator wins.
	if os.Getenv("GOGC") == "" {
		gcpace.Start(gcpace.Default)
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(cli.Run(cli.Env{
		Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Version: version, Signals: signals,
	}))
}
