// Command convene-testreport reads "go test -json" on standard input and prints what go test
// prints without -json (each package's result line, and the output of the tests that failed),
// then the slowest tests of the run, subtests included (a parallel test's own time leaves out
// its subtests'), so a slow suite shows where its time goes. It exits 1 when
// a test or a package failed.
//
//	go test -json ./... | go run ./cmd/convene-testreport [-slowest 10]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

type timing struct {
	name    string
	elapsed float64
}

func main() {
	slowest := flag.Int("slowest", 10, "how many of the slowest tests to print")
	flag.Parse()
	os.Exit(report(os.Stdin, os.Stdout, *slowest))
}

func report(in io.Reader, out io.Writer, slowest int) int {
	failed := false
	held := map[string][]string{} // a test's output, printed if it fails
	var times []timing
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // not an event: a build error, say
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if e.Test == "" {
				fmt.Fprint(out, e.Output)
			} else {
				held[key] = append(held[key], e.Output)
			}
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Fprint(out, strings.Join(held[key], ""))
			}
			fallthrough
		case "pass", "skip":
			if e.Test != "" {
				times = append(times, timing{name: shortPackage(e.Package) + " " + e.Test, elapsed: e.Elapsed})
			}
			delete(held, key)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(out, "reading the test events:", err)
		return 1
	}
	slices.SortFunc(times, func(a, b timing) int {
		switch {
		case a.elapsed > b.elapsed:
			return -1
		case a.elapsed < b.elapsed:
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	if len(times) > 0 && slowest > 0 {
		fmt.Fprintf(out, "\nThe %d slowest tests:\n", min(slowest, len(times)))
		for _, t := range times[:min(slowest, len(times))] {
			fmt.Fprintf(out, "  %7.1fs  %s\n", t.elapsed, t.name)
		}
	}
	if failed {
		return 1
	}
	return 0
}

// shortPackage drops the module's path from a package's.
func shortPackage(p string) string {
	if _, rest, ok := strings.Cut(p, "/convene/convene/"); ok {
		return rest
	}
	return p
}
