package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/frontend"
)

func TestBrokenTemplateFailsStartUp(t *testing.T) {
	t.Parallel()
	bundle, err := locale.Load(frontend.Locales())
	if err != nil {
		t.Fatal(err)
	}
	static, err := loadStatic(frontend.Static())
	if err != nil {
		t.Fatal(err)
	}
	good, _ := fs.ReadFile(frontend.Templates(), "layout.html")
	forms, _ := fs.ReadFile(frontend.Templates(), "partials/forms.html")
	// A page's templates are made when it is first drawn; a page that does not parse must still
	// stop the server at start, not fail the first person who opens it.
	cases := []struct {
		name    string
		page    string
		atStart bool
	}{
		{"unclosed action", `{{define "content"}}{{if .Title}}{{end}`, true},
		{"unknown function", `{{define "content"}}{{nosuchfunc}}{{end}}`, true},
		{"missing static file", `{{define "content"}}{{static "nope.css"}}{{end}}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tfs := fstest.MapFS{
				"layout.html":         {Data: good},
				"partials/forms.html": {Data: forms},
				"x/page.html":         {Data: []byte(tc.page)},
			}
			r, err := newRenderer(tfs, bundle, static)
			if err == nil && tc.atStart {
				t.Fatal("a page that does not parse was accepted at start")
			}
			if err == nil {
				_, err = r.render("x/page", &Page{Lang: "es"})
			}
			if err == nil {
				t.Fatal("a broken template was accepted")
			}
		})
	}
}

// TestEveryMessageIDExists finds the message ids used in templates and Go code and checks that
// the catalogs have them, in both languages (locale.Load already refuses uneven catalogs).
func TestEveryMessageIDExists(t *testing.T) {
	t.Parallel()
	bundle, err := locale.Load(frontend.Locales())
	if err != nil {
		t.Fatal(err)
	}
	inTemplates := regexp.MustCompile(`\{\{-?\s*t\s+"([a-z_.]+)"|\(t\s+"([a-z_.]+)"`)
	inGo := regexp.MustCompile(`"((?:error|admin|profile|verify|reset|signout|signup|signin|token|home|nav|site)\.[a-z_.]+)"`)
	// Audit actions are shown translated on the audit page as audit.<action>.
	auditAction := regexp.MustCompile(`audit\.Record\([^"]*"([a-z_]+\.[a-z_]+)"`)
	var missing []string
	check := func(file, id string) {
		if !bundle.Has(id) {
			missing = append(missing, file+": "+id)
		}
	}
	err = fs.WalkDir(frontend.Templates(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(frontend.Templates(), p)
		for _, m := range inTemplates.FindAllStringSubmatch(string(b), -1) {
			check(p, m[1]+m[2])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, m := range inGo.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				check(p, m[1])
			}
		}
		for _, m := range auditAction.FindAllStringSubmatch(string(b), -1) {
			if id := "audit." + m[1]; !bundle.Has(id + ".true") { // a yes/no action has a sentence for each
				check(p, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Fatalf("message ids missing from the catalogs:\n%s", strings.Join(missing, "\n"))
	}
}
