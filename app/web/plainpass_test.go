package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPassesRunEveryTest: make test runs RACE_PKGS and the web tests RACE_WEB names under
// -race, and every other package (./app/web whole) in a plain pass. So a test built only
// without -race is kept in ./app/web (in a package of RACE_PKGS it would never run), and each
// name in RACE_WEB must be a test of ./app/web (a renamed test would silently leave the race
// pass).
func TestPassesRunEveryTest(t *testing.T) {
	t.Parallel()
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^RACE_WEB\s*:=\s*(.+)$`).FindSubmatch(makefile)
	if m == nil {
		t.Fatal("the Makefile defines no RACE_WEB")
	}
	defined := map[string]bool{}
	err = filepath.WalkDir("../..", func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(f, "_test.go") {
			return err
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		inWeb := filepath.ToSlash(filepath.Dir(f)) == "../../app/web"
		if strings.HasPrefix(string(b), "//go:build !race") && !inWeb {
			t.Errorf("%s is built only without -race: keep such tests in ./app/web, which the plain pass runs", f)
		}
		if inWeb && !strings.HasPrefix(string(b), "//go:build !race") {
			for _, fn := range regexp.MustCompile(`(?m)^func (Test\w+)\(`).FindAllSubmatch(b, -1) {
				defined[string(fn[1])] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range strings.Split(strings.TrimSpace(string(m[1])), "|") {
		if !defined[name] {
			t.Errorf("RACE_WEB names %s, which is no test of ./app/web that builds under -race", name)
		}
	}
}
