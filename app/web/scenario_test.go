package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// scenario is one HTTP exchange and what must come of it, after pocketbase's ApiScenario: who
// sends it, the request, the status, what the body must and must not hold, and hooks that set
// up the database before and check it after.
type scenario struct {
	name     string
	as       *client // who sends it (a client of the site under test)
	method   string
	url      string
	form     url.Values        // sent as a form with the client's CSRF token
	json     string            // sent as a JSON body
	header   map[string]string // extra request headers
	status   int
	location string   // the Location header a redirect must carry
	contains []string // substrings the body must hold
	absent   []string // substrings the body must not hold
	// unchanged names tables whose row counts must be the same after the request as just
	// before it (a refused request writes nothing).
	unchanged []string
	before    func(t *testing.T)
	after     func(t *testing.T, r *response)
}

// run sends the scenario and checks its expectations, as a subtest named after it.
func (sc scenario) run(t *testing.T) {
	t.Helper()
	t.Run(sc.name, func(t *testing.T) {
		if sc.before != nil {
			sc.before(t)
		}
		counts := make([]int, len(sc.unchanged))
		for i, table := range sc.unchanged {
			counts[i] = sc.as.s.count(table)
		}
		var r *response
		switch {
		case sc.form != nil:
			f := url.Values{}
			for k, v := range sc.form {
				f[k] = v
			}
			if f.Get("_csrf") == "" {
				f.Set("_csrf", sc.as.csrf())
			}
			h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			for k, v := range sc.header {
				h[k] = v
			}
			r = sc.as.do(sc.method, sc.url, strings.NewReader(f.Encode()), h)
		case sc.json != "":
			h := map[string]string{"Content-Type": "application/json", "Accept": "application/json"}
			for k, v := range sc.header {
				h[k] = v
			}
			r = sc.as.do(sc.method, sc.url, strings.NewReader(sc.json), h)
		default:
			r = sc.as.do(sc.method, sc.url, nil, sc.header)
		}
		if r.status != sc.status {
			t.Fatalf("%s %s: %d, want %d: %s", sc.method, sc.url, r.status, sc.status, excerpt(r.body))
		}
		if sc.location != "" && r.header.Get("Location") != sc.location {
			t.Fatalf("Location %q, want %q", r.header.Get("Location"), sc.location)
		}
		for _, want := range sc.contains {
			if !strings.Contains(r.body, want) {
				t.Errorf("the body lacks %q: %s", want, excerpt(r.body))
			}
		}
		for _, bad := range sc.absent {
			if strings.Contains(r.body, bad) {
				t.Errorf("the body holds %q: %s", bad, excerpt(r.body))
			}
		}
		for i, table := range sc.unchanged {
			if n := sc.as.s.count(table); n != counts[i] {
				t.Errorf("%s: %d rows, want %d: the refused request changed it", table, n, counts[i])
			}
		}
		if sc.after != nil {
			sc.after(t, r)
		}
	})
}

// runAll runs scenarios in order (later ones may depend on what earlier ones changed).
func runAll(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		sc.run(t)
	}
}

// unchanged returns an after hook that checks table kept its row count.
func (s *site) unchanged(table string) func(t *testing.T, r *response) {
	before := s.count(table)
	return func(t *testing.T, r *response) {
		t.Helper()
		if n := s.count(table); n != before {
			t.Fatalf("%s: %d rows, want %d: the refused request changed it", table, n, before)
		}
	}
}
