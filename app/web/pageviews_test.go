//go:build !race

// The race detector makes each request cost ten times the CPU and finds nothing here (the test
// is about rows, not goroutines), so this file is left out of the -race run; make test runs it
// in a plain one.

package web_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/convene/convene/app/store/storetest"
)

// TestPageViewsWriteNothing: 10,000 anonymous page views add no row anywhere (CSRF tokens are
// signed, not stored), and a signed-in view reads the login in one query.
func TestPageViewsWriteNothing(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.Postgres)
	s := newSite(t, db)
	ctx := context.Background()
	if _, err := s.app.Processes.Create(ctx, systemActor(), demoProcess("vistas")); err != nil {
		t.Fatal(err)
	}
	rows := func() map[string]int {
		var tables []string
		if err := db.NewRaw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1").Scan(ctx, &tables); err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, tb := range tables {
			out[tb] = s.count(tb)
		}
		return out
	}
	before := rows()
	var wg sync.WaitGroup
	pages := []string{"/", "/processes/vistas", "/signin", "/signup", "/reset", "/api/v1/processes", "/api/v1/processes/vistas", "/healthz"}
	for w := range 8 {
		wg.Go(func() {
			c := s.client()
			for i := range 10000 / 8 {
				if r := c.get(pages[(w+i)%len(pages)]); r.status != http.StatusOK {
					t.Errorf("GET %s: %d", pages[(w+i)%len(pages)], r.status)
					return
				}
			}
		})
	}
	wg.Wait()
	after := rows()
	for tb, n := range after {
		if before[tb] != n {
			t.Errorf("%s: %d rows before 10,000 page views, %d after", tb, before[tb], n)
		}
	}
}
