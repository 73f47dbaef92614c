package accounts_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestCatalogs: every message id that accounts, access and the shared validate rules can
// return is in frontend/locales/{en,es}/accounts.toml, and both languages give every message
// the same template fields.
func TestCatalogs(t *testing.T) {
	catalogs := map[string]map[string]string{}
	for _, lang := range []string{"en", "es"} {
		var c map[string]string
		if _, err := toml.DecodeFile(filepath.Join("..", "..", "frontend", "locales", lang, "accounts.toml"), &c); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		catalogs[lang] = c
	}

	ids := regexp.MustCompile(`"(error\.[a-z_]+)"`)
	var used []string
	for _, dir := range []string{".", filepath.Join("..", "access"), filepath.Join("..", "validate")} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ids.FindAllStringSubmatch(string(b), -1) {
				used = append(used, m[1])
			}
		}
	}
	if len(used) < 10 {
		t.Fatalf("found only %d message ids in the code: the scan is broken", len(used))
	}
	for _, id := range used {
		for lang, c := range catalogs {
			if strings.TrimSpace(c[id]) == "" {
				t.Errorf("%s is missing from %s/accounts.toml", id, lang)
			}
		}
	}

	fields := regexp.MustCompile(`\{\{\s*\.([A-Za-z]+)\s*\}\}`)
	fieldsOf := func(s string) []string {
		var out []string
		for _, m := range fields.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return out
	}
	for id, en := range catalogs["en"] {
		es, ok := catalogs["es"][id]
		if !ok {
			t.Errorf("%s is in en but not in es", id)
			continue
		}
		if !slices.Equal(fieldsOf(en), fieldsOf(es)) {
			t.Errorf("%s: en uses %v, es uses %v", id, fieldsOf(en), fieldsOf(es))
		}
	}
	for id := range catalogs["es"] {
		if _, ok := catalogs["en"][id]; !ok {
			t.Errorf("%s is in es but not in en", id)
		}
	}
}
