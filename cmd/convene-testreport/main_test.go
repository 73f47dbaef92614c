package main

import (
	"strings"
	"testing"
)

// TestReport: result lines pass through, a failed test's output is printed and a passed one's
// is not, the slowest tests come last in order, and a failure is the exit code.
func TestReport(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"github.com/convene/convene/app/a","Test":"TestFast"}`,
		`{"Action":"output","Package":"github.com/convene/convene/app/a","Test":"TestFast","Output":"quiet\n"}`,
		`{"Action":"pass","Package":"github.com/convene/convene/app/a","Test":"TestFast","Elapsed":0.5}`,
		`{"Action":"output","Package":"github.com/convene/convene/app/a","Test":"TestSlow","Output":"--- FAIL: TestSlow\n    a_test.go:9: broken\n"}`,
		`{"Action":"fail","Package":"github.com/convene/convene/app/a","Test":"TestSlow","Elapsed":9.25}`,
		`{"Action":"pass","Package":"github.com/convene/convene/app/a","Test":"TestSlow/sub","Elapsed":20}`,
		`{"Action":"output","Package":"github.com/convene/convene/app/a","Output":"FAIL\tgithub.com/convene/convene/app/a\t9.8s\n"}`,
		`{"Action":"fail","Package":"github.com/convene/convene/app/a","Elapsed":9.8}`,
		`# github.com/convene/convene/app/b`,
	}, "\n")
	var out strings.Builder
	code := report(strings.NewReader(in), &out, 10)
	got := out.String()
	if code != 1 {
		t.Errorf("exit %d after a failure, want 1", code)
	}
	for _, want := range []string{"a_test.go:9: broken", "FAIL\tgithub.com/convene/convene/app/a\t9.8s", "# github.com/convene/convene/app/b",
		"The 3 slowest tests:\n     20.0s  app/a TestSlow/sub\n      9.2s  app/a TestSlow\n      0.5s  app/a TestFast\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "quiet") {
		t.Errorf("a passed test's output was printed:\n%s", got)
	}
	var ok strings.Builder
	if code := report(strings.NewReader(`{"Action":"pass","Package":"p","Test":"TestA","Elapsed":1}`), &ok, 10); code != 0 {
		t.Errorf("exit %d when all passed", code)
	}
}
