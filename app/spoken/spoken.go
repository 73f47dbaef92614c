// Package spoken is the ISO 639-1 list of languages people speak, named in the reader's
// language from Unicode's CLDR data (golang.org/x/text), for the registration form's "other
// language" choice.
package spoken

import (
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Language is one entry of a list for a select.
type Language struct{ Code, Name string }

// Valid tells whether code is an ISO 639-1 code (lower case) as x/text knows it, not an alias.
func Valid(code string) bool {
	if len(code) != 2 || code[0] < 'a' || code[0] > 'z' || code[1] < 'a' || code[1] > 'z' {
		return false
	}
	b, err := language.ParseBase(code)
	return err == nil && b.String() == code
}

// List is every language with a name in lang, but those left out, sorted as lang sorts.
func List(lang string, leftOut ...string) []Language {
	tag := language.Make(lang)
	names := display.Languages(tag)
	var out []Language
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			code := string([]rune{a, b})
			if !Valid(code) || slices.Contains(leftOut, code) {
				continue
			}
			if n := names.Name(language.MustParseBase(code)); n != "" {
				out = append(out, Language{Code: code, Name: n})
			}
		}
	}
	col := collate.New(tag, collate.Loose)
	slices.SortFunc(out, func(x, y Language) int { return col.CompareString(x.Name, y.Name) })
	return out
}
