package web_test

import (
	"io/fs"
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
	// The plain pass runs ./app/web only: a race-free test anywhere else would never run.
	err = filepath.WalkDir("../..", func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(f, "_test.go") {
			return err
		}
		b, err := os.ReadFile(f)
		if err != nil || !strings.HasPrefix(string(b), "//go:build !race") {
			return err
		}
		if filepath.ToSlash(filepath.Dir(f)) != "../../app/web" {
			t.Errorf("%s is built only without -race, but make test's plain pass runs ./app/web only", f)
		}
		for _, fn := range regexp.MustCompile(`(?m)^func (Test\w+)\(`).FindAllSubmatch(b, -1) {
			if !listed[string(fn[1])] {
				t.Errorf("%s in %s is built only without -race but is not in the Makefile's PLAIN_TESTS", fn[1], f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
