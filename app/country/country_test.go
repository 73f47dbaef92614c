package country_test

import (
	"testing"

	"github.com/convene/convene/app/country"
)

// TestList: the 249 codes ISO 3166-1 assigns, each named in Spanish and English, sorted as
// each language sorts.
func TestList(t *testing.T) {
	t.Parallel()
	if n := len(country.Codes()); n != 249 {
		t.Fatalf("%d codes, want 249", n)
	}
	for _, c := range []string{"MX", "CH", "XK", "mx", "ZZ", "SU", "M", ""} {
		want := c == "MX" || c == "CH"
		if country.Valid(c) != want {
			t.Errorf("Valid(%q) = %v, want %v", c, !want, want)
		}
	}
	if n := country.Name("es", "MX"); n != "México" {
		t.Errorf("MX in Spanish: %q", n)
	}
	if n := country.Name("en", "CH"); n != "Switzerland" {
		t.Errorf("CH in English: %q", n)
	}
	es := country.List("es")
	for _, c := range es {
		if c.Name == "" || c.Name == c.Code {
			t.Errorf("%s has no Spanish name", c.Code)
		}
	}
	// Spanish sorts Ñ after N and ignores accents: Austria before Azerbaiyán, Bélgica before Belice.
	pos := map[string]int{}
	for i, c := range es {
		pos[c.Code] = i
	}
	if pos["BE"] > pos["BZ"] || pos["AT"] > pos["AZ"] {
		t.Errorf("Spanish order: Bélgica %d, Belice %d, Austria %d, Azerbaiyán %d", pos["BE"], pos["BZ"], pos["AT"], pos["AZ"])
	}
}
