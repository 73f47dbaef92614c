package web_test

import (
	"net/url"
	"os"
	"os/exec"
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
	at       func() string     // the URL, when an earlier row makes it (a mailed link)
	form     url.Values        // sent as a form with the client's CSRF token
	formOf   func() url.Values // the form, when an earlier row decides it (a revision)
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
	// step marks a GET that changes what later rows see (any other method, or a before hook,
	// is taken for one).
	step bool
}

func (sc scenario) title() string { return sc.name }

// changes tells whether later rows may depend on what this one did.
func (sc scenario) changes() bool {
	return sc.step || sc.before != nil || (sc.method != "GET" && sc.method != "HEAD")
}

// exchange sends the scenario and checks its expectations in t.
func (sc scenario) exchange(t *testing.T) {
	t.Helper()
	if sc.before != nil {
		sc.before(t)
	}
	if sc.at != nil {
		sc.url = sc.at()
	}
	if sc.formOf != nil {
		sc.form = sc.formOf()
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
}

// runAll runs scenarios in order, each as a subtest: later ones may depend on what the
// earlier steps changed (see runRows).
func runAll(t *testing.T, scenarios []scenario) {
	t.Helper()
	rows := make([]row, len(scenarios))
	for i, sc := range scenarios {
		rows[i] = sc
	}
	runRows(t, rows, nil)
}

// row is what runRows runs: a scenario, or in its own test a stand-in.
type row interface {
	title() string
	changes() bool
	exchange(t *testing.T)
}

// runRows runs rows in order, each as a subtest, so that each can also run alone and one
// failure names itself only. A row depends on every earlier row that changes something (a
// step): when -run leaves such a step out, the row that needs it sends it first (a row run
// alone still tests what its name says); once a step has failed, later rows are skipped
// saying which (they would only repeat its failure). selected stands in for -run in
// runRows's own test; nil runs what -run selects.
func runRows(t *testing.T, rows []row, selected func(i int) bool) {
	t.Helper()
	done := make([]bool, len(rows)) // ran and passed
	failed := ""
	for i, r := range rows {
		if selected != nil && !selected(i) {
			continue
		}
		ran := false
		ok := t.Run(r.title(), func(t *testing.T) {
			ran = true
			if failed != "" {
				t.Skipf("skipped: the step %q before it failed", failed)
			}
			for j := range i {
				if !rows[j].changes() || done[j] {
					continue
				}
				t.Logf("first, the step before it: %s", rows[j].title())
				rows[j].exchange(t)
				if t.Failed() {
					t.Fatalf("the step before it, %q, failed", rows[j].title())
				}
				done[j] = true
			}
			r.exchange(t)
		})
		switch {
		case !ran: // left out by -run: a later row sends it if it is a step
		case ok:
			done[i] = true
		case r.changes():
			failed = r.title()
		}
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

// standIn is a row of runRows's own test: a step adds one to a count, a read checks it.
type standIn struct {
	name  string
	step  bool
	count *int
	want  int // a read's expected count; a step fails when want < 0
}

func (r standIn) title() string { return r.name }
func (r standIn) changes() bool { return r.step }
func (r standIn) exchange(t *testing.T) {
	switch {
	case r.step && r.want < 0:
		t.Errorf("%s fails", r.name)
	case r.step:
		*r.count++
	case *r.count != r.want:
		t.Errorf("%s: count %d, want %d", r.name, *r.count, r.want)
	}
}

// TestRowsRunAlone: a row run alone (as -run selects it) first sends the steps it depends on,
// and a step's failure leaves later rows skipped, naming it, instead of failing them too.
func TestRowsRunAlone(t *testing.T) {
	t.Parallel()
	if os.Getenv("CONVENE_TEST_ROWS") == "fail" {
		n := 0
		runRows(t, []row{standIn{"one", true, &n, 0}, standIn{"read one", false, &n, 1},
			standIn{"a failing step", true, &n, -1}, standIn{"read after it", false, &n, 1}}, nil)
		return
	}
	n := 0
	rows := []row{standIn{"one", true, &n, 0}, standIn{"read one", false, &n, 1}, standIn{"two", true, &n, 0},
		standIn{"read two", false, &n, 2}}
	runRows(t, rows, func(i int) bool { return i == 3 })
	if n != 2 {
		t.Fatalf("the row run alone found %d steps sent before it, want 2", n)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRowsRunAlone$", "-test.v")
	cmd.Env = append(os.Environ(), "CONVENE_TEST_ROWS=fail")
	out, _ := cmd.CombinedOutput()
	for _, want := range []string{"--- PASS: TestRowsRunAlone/read_one", "--- FAIL: TestRowsRunAlone/a_failing_step",
		"--- SKIP: TestRowsRunAlone/read_after_it", `the step "a failing step" before it failed`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}
