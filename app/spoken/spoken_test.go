package spoken_test

import (
	"slices"
	"testing"

	"github.com/convene/convene/app/spoken"
)

// TestList: the languages are named in the reader's language and sorted as it sorts, those the
// form offers as ticks left out; codes that are not ISO 639-1 are not valid.
func TestList(t *testing.T) {
	es := spoken.List("es", "es", "en")
	names := map[string]string{}
	for _, l := range es {
		names[l.Code] = l.Name
	}
	if names["de"] != "alemán" || names["qu"] != "quechua" || names["es"] != "" || len(es) < 150 {
		t.Fatalf("%d languages; de %q, qu %q, es %q", len(es), names["de"], names["qu"], names["es"])
	}
	if i, j := slices.IndexFunc(es, func(l spoken.Language) bool { return l.Code == "de" }),
		slices.IndexFunc(es, func(l spoken.Language) bool { return l.Code == "ar" }); j < i {
		t.Fatalf("árabe sorts before alemán: %d, %d", j, i)
	}
	if en := spoken.List("en"); en[0].Name > en[1].Name {
		t.Fatalf("English not sorted: %v", en[:2])
	}
	for code, want := range map[string]bool{"de": true, "qu": true, "zz": false, "DE": false, "deu": false, "": false} {
		if spoken.Valid(code) != want {
			t.Errorf("Valid(%q) = %v", code, !want)
		}
	}
}
