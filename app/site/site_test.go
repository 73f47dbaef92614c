package site_test

import (
	"context"
	"net"
	"os"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/site"
	"github.com/convene/convene/app/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestRunStopsWhenCancelledAtOnce: a stop that comes the moment Run starts (a SIGTERM during
// start-up) ends it promptly, with every goroutine done, however early it comes.
func TestRunStopsWhenCancelledAtOnce(t *testing.T) {
	db := storetest.Open(t, storetest.SQLite)
	cfg := config.Config{DatabaseURL: db.URL, BaseURL: "http://127.0.0.1", MailFrom: "c@example.org",
		LoginIdle: time.Hour, LoginAbsolute: 2 * time.Hour, ShutdownTimeout: 2 * time.Second}
	for i := range 20 {
		s, err := site.New(context.Background(), cfg, site.Options{DB: db.DB, HashCost: accounts.TestCost()})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx, site.Listeners{Site: ln}) }()
		if i%2 == 0 {
			cancel() // before Serve may have started
		} else {
			go cancel()
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: Run did not return after its context ended", i)
		}
		cancel()
	}
}
