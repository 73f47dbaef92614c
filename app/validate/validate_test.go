package validate_test

import (
	"strings"
	"testing"

	"github.com/convene/convene/app/validate"
)

// TestSlugFrom: a title suggests its web address: lower case, accents dropped, anything else one
// hyphen, at most 60 characters cut at a word.
func TestSlugFrom(t *testing.T) {
	for title, want := range map[string]string{
		"Foro de Ciberseguridad, Mérida":   "foro-de-ciberseguridad-merida",
		"  ¿Qué sigue?  2027 ":             "que-sigue-2027",
		"Ñandú & Pingüino":                 "nandu-pinguino",
		"日本語":                              "",
		"":                                 "",
		strings.Repeat("palabra ", 12):     "palabra-palabra-palabra-palabra-palabra-palabra-palabra",
		"Sesión híbrida: infraestructuras": "sesion-hibrida-infraestructuras",
	} {
		got := validate.SlugFrom(title)
		if got != want {
			t.Errorf("SlugFrom(%q) = %q, want %q", title, got, want)
		}
		var es validate.Errors
		if es.Slug("slug", got); got != "" && len(es) > 0 {
			t.Errorf("SlugFrom(%q) = %q is not a valid address: %v", title, got, es)
		}
	}
}

// FuzzSlugFrom: whatever a title holds, the address it suggests is empty or one that the rules
// accept, at most 60 characters.
func FuzzSlugFrom(f *testing.F) {
	for _, seed := range []string{"Foro de Ciberseguridad, Mérida", "--", "ǅemal", "İstanbul", "a\u0301\u0301b", strings.Repeat("ab-", 40), "\x00\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, title string) {
		got := validate.SlugFrom(title)
		if got == "" {
			return
		}
		var es validate.Errors
		if es.Slug("slug", got); len(es) > 0 || len(got) > 60 {
			t.Fatalf("SlugFrom(%q) = %q: %v", title, got, es)
		}
	})
}
