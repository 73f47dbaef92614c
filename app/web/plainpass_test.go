package web_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPlainPassRunsEveryRaceFreeTest: tests in files built only without -race run in make
// test's plain pass, which names them in PLAIN_TESTS; one left out of that list would never run.
func TestPlainPassRunsEveryRaceFreeTest(t *testing.T) {
	t.Parallel()
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^PLAIN_TESTS\s*:=\s*(.+)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile defines no PLAIN_TESTS")
	}
	listed := map[string]bool{}
	for _, name := range strings.Split(strings.TrimSpace(string(m[1])), "|") {
		listed[name] = true
	}
	files, _ := filepath.Glob("*_test.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "//go:build !race") {
			continue
		}
		for _, fn := range regexp.MustCompile(`(?m)^func (Test\w+)\(`).FindAllSubmatch(b, -1) {
			if !listed[string(fn[1])] {
				t.Errorf("%s in %s is built only without -race but is not in the Makefile's PLAIN_TESTS", fn[1], f)
			}
		}
	}
}
