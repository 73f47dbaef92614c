// Package country is the ISO 3166-1 list of countries and territories, named in the reader's
// language from Unicode's CLDR data (golang.org/x/text), for the country fields of speakers
// and registrations.
package country

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// notAssigned are codes x/text knows as countries that ISO 3166-1 does not assign (reserved,
// withdrawn or transitional), so the list holds the 249 it does.
var notAssigned = map[string]bool{"AC": true, "AN": true, "CP": true, "CQ": true, "CS": true, "DG": true, "EA": true, "EZ": true,
	"FQ": true, "IC": true, "NT": true, "PC": true, "SU": true, "TA": true, "UN": true, "YU": true}

// Codes lists the ISO 3166-1 alpha-2 codes, in alphabetical order.
func Codes() []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if c := string([]rune{a, b}); Valid(c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// Valid tells whether code is an assigned ISO 3166-1 alpha-2 code (upper case).
func Valid(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || notAssigned[code] {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && !r.IsPrivateUse() && r.Canonicalize() == r
}

// Name is the country's name in lang ("México", "Mexico"); an unknown code is returned as is.
func Name(lang, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.Make(lang)).Name(r); n != "" {
		return n
	}
	return code
}

// Country is one entry of a list for a select.
type Country struct{ Code, Name string }

// List is every country named in lang, sorted as that language sorts.
func List(lang string) []Country {
	tag := language.Make(lang)
	names := display.Regions(tag)
	codes := Codes()
	out := make([]Country, len(codes))
	for i, c := range codes {
		out[i] = Country{Code: c, Name: names.Name(language.MustParseRegion(c))}
	}
	col := collate.New(tag, collate.Loose)
	slices.SortFunc(out, func(a, b Country) int { return col.CompareString(a.Name, b.Name) })
	return out
}
