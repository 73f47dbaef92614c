package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/convene/convene/app/cli"
	"github.com/convene/convene/app/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// syncBuffer collects a command's output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func run(t *testing.T, dbURL string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	env := map[string]string{"CONVENE_DATABASE_URL": dbURL, "CONVENE_LOG_LEVEL": "warn"}
	code := cli.Run(cli.Env{Args: args, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] }, Version: "test"})
	return code, out.String(), errOut.String()
}

func TestCommands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		u := db.URL
		cases := []struct {
			name   string
			stdin  string
			args   []string
			code   int
			outHas string
			errHas string
		}{
			{"version", "", []string{"version"}, 0, "convene test", ""},
			{"no command", "", nil, 2, "", "Usage"},
			{"unknown command", "", []string{"dance"}, 2, "", `unknown command "dance"`},
			{"migrate needs an action", "", []string{"migrate"}, 2, "", "migrate up"},
			{"migrate up", "", []string{"migrate", "up"}, 0, "up to date", ""},
			{"migrate status", "", []string{"migrate", "status"}, 0, "0 pending", ""},
			{"seed demo", "", []string{"seed", "demo"}, 0, "added 2017-encs-process", ""},
			{"seed demo again", "", []string{"seed", "demo"}, 0, "nothing to add", ""},
			{"user create generates a password", "", []string{"user", "create", "--email", "ana@example.org", "--name", "Ana", "--role", "admin"}, 0, "password: ", ""},
			{"user create from stdin", "a piped passphrase\n", []string{"user", "create", "--email", "bea@example.org", "--name", "Bea", "--password-stdin"}, 0, "created member account bea@example.org", ""},
			{"user create twice", "", []string{"user", "create", "--email", "ana@example.org", "--name", "Ana"}, 1, "", "--email:"},
			{"user create bad role", "", []string{"user", "create", "--email", "c@example.org", "--name", "C", "--role", "king"}, 2, "", "--role"},
			{"user create short password", "short\n", []string{"user", "create", "--email", "c@example.org", "--name", "C", "--password-stdin"}, 1, "", "--password:"},
			{"token create", "", []string{"token", "create", "--email", "ana@example.org"}, 0, "cvn_", ""},
			{"user password generates one", "", []string{"user", "password", "--email", "ana@example.org"}, 0, "password: ", ""},
			{"user password from stdin", "another piped passphrase\n", []string{"user", "password", "--email", "bea@example.org", "--password-stdin"}, 0, "new password set for bea@example.org", ""},
			{"user password for nobody", "", []string{"user", "password", "--email", "nobody@example.org"}, 1, "", "no account"},
			{"user password too short", "short\n", []string{"user", "password", "--email", "bea@example.org", "--password-stdin"}, 1, "", "--password:"},
			{"a stray word", "", []string{"token", "create", "extra", "--email", "ana@example.org"}, 2, "", "nothing else"},
			{"token for nobody", "", []string{"token", "create", "--email", "nobody@example.org"}, 1, "", "no account"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				code, out, errOut := run(t, u, tc.stdin, tc.args...)
				if code != tc.code || !strings.Contains(out, tc.outHas) || !strings.Contains(errOut, tc.errHas) {
					t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
				}
			})
		}
	})
}

// TestFlagsAfterWords: configuration flags count wherever they stand, so "seed demo
// --database-url X" seeds X (they were once ignored after the last word, and the default
// database was seeded instead).
func TestFlagsAfterWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		other := storetest.Open(t, db.Dialect)
		var out, errOut syncBuffer
		env := map[string]string{"CONVENE_DATABASE_URL": db.URL, "CONVENE_LOG_LEVEL": "warn"}
		code := cli.Run(cli.Env{Args: []string{"seed", "demo", "--database-url", other.URL}, Stdin: strings.NewReader(""), Stdout: &out,
			Stderr: &errOut, Getenv: func(k string) string { return env[k] }, Version: "test"})
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		count := func(d *storetest.DB) int {
			n, err := d.NewSelect().Table("processes").Count(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		if count(other) != 1 || count(db) != 0 {
			t.Fatalf("seeded %d processes in the database named after the word, %d in the default one", count(other), count(db))
		}
		if code, out, _ := run(t, db.URL, "", "migrate", "status", "--database-url", other.URL); code != 0 || !strings.Contains(out, "0 pending") {
			t.Fatalf("migrate status with the flag after the word: %d %s", code, out)
		}
	})
}

// TestNullStdinGeneratesPassword: "user create" with standard input on /dev/null (systemd,
// cron, docker run without -i) generates a password instead of taking the device for a
// terminal.
func TestNullStdinGeneratesPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		null, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		defer null.Close()
		var out, errOut syncBuffer
		env := map[string]string{"CONVENE_DATABASE_URL": db.URL, "CONVENE_LOG_LEVEL": "warn"}
		code := cli.Run(cli.Env{Args: []string{"user", "create", "--email", "cron@example.org", "--name", "Cron"}, Stdin: null,
			Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }, Version: "test"})
		if code != 0 || !strings.Contains(out.String(), "password: ") {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
		}
	})
}

func TestBadConfigurationStopsStartUp(t *testing.T) {
	var errOut bytes.Buffer
	code := cli.Run(cli.Env{Args: []string{"serve"}, Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "CONVENE_ADDR" {
				return "not-an-address"
			}
			return ""
		}, Version: "test"})
	if code != 1 || !strings.Contains(errOut.String(), "CONVENE_ADDR") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
}

var listening = regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)

// TestServeDemoAndShutdown starts serve --demo on a free port, checks it answers, prints an
// admin login once, and stops cleanly on SIGTERM.
func TestServeDemoAndShutdown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		for round := 1; round <= 2; round++ {
			var out, errOut syncBuffer
			signals := make(chan os.Signal, 1)
			env := map[string]string{"CONVENE_DATABASE_URL": db.URL, "CONVENE_ADDR": "127.0.0.1:0", "CONVENE_LOG_LEVEL": "warn"}
			done := make(chan int, 1)
			go func() {
				done <- cli.Run(cli.Env{Args: []string{"serve", "--demo"}, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
					Getenv: func(k string) string { return env[k] }, Version: "test", Signals: signals})
			}()
			var addr string
			for deadline := time.Now().Add(20 * time.Second); addr == "" && time.Now().Before(deadline); {
				if m := listening.FindStringSubmatch(out.String()); m != nil {
					addr = m[1]
					break
				}
				select {
				case code := <-done:
					t.Fatalf("serve exited %d: %s %s", code, out.String(), errOut.String())
				case <-time.After(20 * time.Millisecond):
				}
			}
			if addr == "" {
				t.Fatalf("serve did not come up: %s %s", out.String(), errOut.String())
			}
			for _, path := range []string{"/readyz", "/processes/encs-2017"} {
				res, err := http.Get(fmt.Sprintf("http://%s%s", addr, path))
				if err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %v %v", path, err, res)
				}
				res.Body.Close()
			}
			if !strings.Contains(out.String(), "Database: /") && !strings.Contains(out.String(), "(PostgreSQL)") {
				t.Fatalf("the database is not named with its full path:\n%s", out.String())
			}
			printed := strings.Contains(out.String(), "password: ")
			if printed != (round == 1) {
				t.Fatalf("round %d: admin login printed=%v:\n%s", round, printed, out.String())
			}
			signals <- syscall.SIGTERM
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("exit %d after SIGTERM: %s", code, errOut.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop on SIGTERM")
			}
		}
	})
}

// TestTakenPortFailsBeforeSetUp: when the port is taken, serve fails before it migrates,
// loads the demo or creates the admin whose one-time password would then be lost.
func TestTakenPortFailsBeforeSetUp(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	path := filepath.Join(t.TempDir(), "fresh.db")
	var out, errOut syncBuffer
	env := map[string]string{"CONVENE_DATABASE_URL": "sqlite:" + path, "CONVENE_ADDR": taken.Addr().String(), "CONVENE_LOG_LEVEL": "warn"}
	code := cli.Run(cli.Env{Args: []string{"serve", "--demo"}, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] }, Version: "test"})
	if code == 0 || !strings.Contains(errOut.String(), "listening on") || strings.Contains(out.String(), "password") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the database was created before the port was checked: %v", err)
	}
}
