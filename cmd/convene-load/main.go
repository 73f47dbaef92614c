// Command convene-load prepares and drives load against a running Convene, as a process of its
// own (the server's figures are not to include the generator's):
//
//	convene-load hello -addr 127.0.0.1:9000         a minimal Fiber hello-world, the baseline
//	convene-load programme -db URL [-sessions 200]  a published forum of N sessions in the demo
//	                                                process, and a member account to sign in with
//	convene-load signin -base URL -email E -password P
//	                                                prints the login cookie, for wrk's -H
//	convene-load register-setup -db URL [-clients 2000 -places 100 -tokens FILE]
//	                                                a forum with N places and a member with an
//	                                                API token per client; prints the forum's id
//	convene-load register -base URL -forum ID [-tokens FILE -places 100 | -path /]
//	                                                every client registers at once; prints
//	                                                registrations/s, p50/p99 and whether exactly
//	                                                N were confirmed and the rest lined up 1..n
//	convene-load qa-setup -db URL                   a session open for questions from anyone;
//	                                                prints its id
//	convene-load qa -base URL[,URL] -session ID [-listeners 10000 -questions 1 -votes 200
//	               -duration 30s -stall 0.01 -pid PID]
//	                                                listeners in the session's room across the
//	                                                addresses, a question rate and a vote rate;
//	                                                prints connect time, ask → listener latency,
//	                                                frames per listener per second, lost and
//	                                                duplicated events, server memory per connection
//
// The benchmarks themselves are .ci/bench-programme (wrk against the server and the baseline,
// side by side in one run) and .ci/bench-register.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/seed"
	"github.com/convene/convene/app/store"
	"github.com/uptrace/bun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: convene-load hello|programme|inputs|drafts|signin|register-setup|register|qa-setup|qa [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "hello":
		err = hello(ctx, os.Args[2:])
	case "programme":
		err = programme(ctx, os.Args[2:])
	case "signin":
		err = signin(ctx, os.Args[2:])
	case "register-setup":
		err = registerSetup(ctx, os.Args[2:])
	case "register":
		err = registerRun(ctx, os.Args[2:])
	case "qa-setup":
		err = qaSetup(ctx, os.Args[2:])
	case "inputs":
		err = inputs(ctx, os.Args[2:])
	case "drafts":
		err = drafts(ctx, os.Args[2:])
	case "qa":
		err = qaRun(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "convene-load:", err)
		os.Exit(1)
	}
}

// openMigrated opens the database at url with its migrations applied.
func openMigrated(ctx context.Context, url string) (*bun.DB, error) {
	db, err := store.Open(ctx, url, store.Options{MaxConns: 4})
	if err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// demoProcess opens the database at url with the demo in it, and returns its process.
func demoProcess(ctx context.Context, url string) (*bun.DB, processes.Process, error) {
	db, err := openMigrated(ctx, url)
	if err != nil {
		return nil, processes.Process{}, err
	}
	if _, err := seed.Demo(ctx, db, clock.System{}); err != nil {
		db.Close()
		return nil, processes.Process{}, err
	}
	p, err := processes.BySlug(ctx, db, "encs-2017")
	if err != nil {
		db.Close()
	}
	return db, p, err
}
