package minutes

import (
	"regexp"
	"testing"
)

// FuzzFTSQuery: whatever a person types becomes only quoted words, each a prefix: never FTS5
// syntax (operators, column filters, unbalanced quotes).
func FuzzFTSQuery(f *testing.F) {
	for _, s := range []string{`datos personales`, `"datos" OR NEAR(* -- ');`, `body:x`, `a AND b NOT c`, `política`, `"`, ``} {
		f.Add(s)
	}
	safe := regexp.MustCompile(`^("[\pL\pN]+"\*( "[\pL\pN]+"\*)*)?$`)
	f.Fuzz(func(t *testing.T, s string) {
		if q := ftsQuery(s); !safe.MatchString(q) {
			t.Fatalf("%q became %q", s, q)
		}
	})
}
