//go:build !race

// The race detector makes each request cost ten times the CPU and finds nothing here (the test
// is about rows, not goroutines), so this file is left out of the -race run; make test runs it
// in a plain one.

package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/convene/convene/app/store/storetest"
)

// tableDigests is a digest of every row of every table: an UPDATE shows as well as an INSERT.
// On PostgreSQL each row's xmin is part of it, so an UPDATE that writes the values a row already
// has shows too (a fixed clock would hide a "last seen" written on every request).
func tableDigests(t *testing.T, db *storetest.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	q := "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
	if db.Dialect == storetest.SQLite {
		q = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
	}
	var tables []string
	if err := db.NewRaw(q).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range tables {
		cols := "*"
		if db.Dialect == storetest.Postgres {
			cols = "xmin::text AS row_version, *"
		}
		order := " ORDER BY 1"
		if db.Dialect == storetest.Postgres {
			order = " ORDER BY 2"
		}
		rows, err := db.QueryContext(ctx, "SELECT "+cols+" FROM "+tb+order)
		if err != nil {
			t.Fatalf("reading %s: %v", tb, err)
		}
		names, _ := rows.Columns()
		h := sha256.New()
		n := 0
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("reading %s: %v", tb, err)
			}
			fmt.Fprintf(h, "%v\n", vals)
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("reading %s: %v", tb, err)
		}
		rows.Close()
		out[tb] = fmt.Sprintf("%d rows %s", n, hex.EncodeToString(h.Sum(nil))[:16])
	}
	return out
}

// TestPageViewsWriteNothing: thousands of page views, anonymous and signed in (a member and an
// organiser, pages of their own included), change no row anywhere, added or updated (CSRF tokens
// are signed, not stored; a login's last use is written at most once a minute), on PostgreSQL
// and SQLite.
func TestPageViewsWriteNothing(t *testing.T) {
	t.Parallel()
	storetest.EachFrom(t, demo, func(t *testing.T, db *storetest.DB) {
		d := newDemoSite(t, db)
		ctx := context.Background()
		if _, err := d.app.Processes.Create(ctx, systemActor(), demoProcess("vistas")); err != nil {
			t.Fatal(err)
		}
		member := d.as("member")
		org := d.organiser("org@example.org")
		// One view each first: a browser's first visit sets its visitor cookie, and that writes
		// nothing either; after it, nothing may change.
		anon := []string{"/", "/processes/vistas", "/processes/encs-2017", "/forums/foro-cdmx", "/forums/foro-cdmx/schedule.json",
			"/forums/foro-cdmx.ics", fmt.Sprintf("/sessions/%d", d.panel.ID), "/signin", "/signup", "/reset",
			"/api/v1/processes", "/api/v1/processes/vistas", "/healthz"}
		signedIn := append([]string{"/registrations", "/profile/", "/forums/foro-cdmx/register"}, anon[:7]...)
		organiser := append([]string{"/admin/", fmt.Sprintf("/admin/forums/%d", d.cdmx.ID), fmt.Sprintf("/admin/forums/%d/registrants", d.cdmx.ID)}, signedIn...)
		before := tableDigests(t, db)
		var wg sync.WaitGroup
		for _, run := range []struct {
			c     func() *client
			pages []string
			views int
		}{{d.client, anon, 1600}, {func() *client { return member }, signedIn, 600}, {func() *client { return org }, organiser, 400}} {
			for w := range 4 {
				wg.Go(func() {
					c := run.c()
					for i := range run.views / 4 {
						p := run.pages[(w+i)%len(run.pages)]
						if r := c.get(p); r.status != http.StatusOK {
							t.Errorf("GET %s: %d", p, r.status)
							return
						}
					}
				})
			}
		}
		wg.Wait()
		after := tableDigests(t, db)
		for tb, digest := range after {
			if before[tb] != digest {
				t.Errorf("%s changed over 2,600 page views: %s, then %s", tb, before[tb], digest)
			}
		}
	})
}
