package site_test

import (
	"context"
	"net"
	"net/http"
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
	t.Parallel()
	db := storetest.Open(t, storetest.SQLite)
	cfg := config.Config{DatabaseURL: db.URL, BaseURL: "http://127.0.0.1", MailFrom: "c@example.org",
		LoginIdle: time.Hour, LoginAbsolute: 2 * time.Hour, ShutdownTimeout: 2 * time.Second}
	for i := range 10 { // half stopped before Serve may start, half while it starts
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

// TestRunWritesTokenUsesBeforeItReturns: the last use of an API token, noted in memory and
// written once a second, is in the database once Run returns, however soon after the request
// the server stops.
func TestRunWritesTokenUsesBeforeItReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		cfg := config.Config{DatabaseURL: db.URL, BaseURL: "http://127.0.0.1", MailFrom: "c@example.org",
			LoginIdle: time.Hour, LoginAbsolute: 2 * time.Hour, ShutdownTimeout: 2 * time.Second}
		s, err := site.New(ctx, cfg, site.Options{DB: db.DB, HashCost: accounts.TestCost()})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Accounts.CreateAccount(ctx, db.DB, accounts.CreateInput{Email: "ana@example.org", Name: "Ana", Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		token, tok, err := s.Accounts.CreateAPIToken(ctx, a.ID, "script")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- s.Run(runCtx, site.Listeners{Site: ln}) }()
		req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/me: %d", res.StatusCode)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		var used *time.Time
		if err := db.DB.NewSelect().Table("api_tokens").Column("last_used_at").Where("id = ?", tok.ID).Scan(ctx, &used); err != nil {
			t.Fatal(err)
		}
		if used == nil {
			t.Fatal("the token's use was not written before Run returned")
		}
	})
}
