package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPassesRunEveryTest: make test runs RACE_PKGS and the web tests RACE_WEB matches under
// -race, and every other package (./app/web too) in a plain pass that skips what RACE_WEB
// matches. So a test built only without -race is kept in ./app/web (in a package of RACE_PKGS
// it would never run) and RACE_WEB matches none of them; each name in RACE_WEB is a test of
// ./app/web (a renamed test would silently leave the race pass); and RACE_WEB matches no test
// outside ./app/web (the plain pass would skip it, and the race pass never run it).
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
	// go test matches -run and -skip anywhere in a test's name, as this does.
	raceWeb, err := regexp.Compile(strings.TrimSpace(string(m[1])))
	if err != nil {
		t.Fatalf("RACE_WEB is no pattern: %v", err)
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
		plainOnly := strings.HasPrefix(string(b), "//go:build !race")
		if plainOnly && !inWeb {
			t.Errorf("%s is built only without -race: keep such tests in ./app/web, which the plain pass runs", f)
		}
		for _, fn := range regexp.MustCompile(`(?m)^func (Test\w+)\(`).FindAllSubmatch(b, -1) {
			name := string(fn[1])
			switch {
			case !raceWeb.MatchString(name):
			case !inWeb:
				t.Errorf("RACE_WEB matches %s of %s: the plain pass skips it, and the race pass runs only ./app/web's", name, f)
			case plainOnly:
				t.Errorf("RACE_WEB matches %s of %s, which is built only without -race: no pass runs it", name, f)
			default:
				defined[name] = true
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
