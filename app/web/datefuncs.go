package web

import (
	"html/template"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/convene/convene/app/country"
	"github.com/convene/convene/app/locale"
)

// scheduleFuncs are the template functions that write days, times, countries and languages
// for programmes, in the page's language.
func scheduleFuncs(lang string, bundle *locale.Bundle, zone func(string) *time.Location) template.FuncMap {
	day := func(d time.Time) string { return dayName(bundle, lang, d) }
	names := display.Languages(language.Make(lang))
	// oneDay tells whether a session ends on the day it starts, in zone (ending at midnight counts).
	oneDay := func(a, b time.Time) bool {
		return a.Format(time.DateOnly) == b.Add(-time.Nanosecond).Format(time.DateOnly)
	}
	// span is a session's time in zone, "10:00–11:30", with the days when it spans several.
	span := func(start, end time.Time, name string) string {
		z := zone(name)
		a, b := start.In(z), end.In(z)
		if oneDay(a, b) {
			return a.Format("15:04") + "–" + b.Format("15:04")
		}
		return day(a) + ", " + a.Format("15:04") + " – " + day(b) + ", " + b.Format("15:04")
	}
	return template.FuncMap{
		// day writes a YYYY-MM-DD day: "miércoles, 17 de diciembre de 2026".
		"day": func(date string) string {
			d, err := time.Parse(time.DateOnly, date)
			if err != nil {
				return date
			}
			return day(d)
		},
		// days writes a forum's first to last day: "17 y 18 de diciembre de 2026".
		"days": func(first, last string) string { return bundle.Days(lang, first, last) },
		// clock is an instant's wall-clock time in zone: "17:00".
		"clock": func(t time.Time, name string) string { return t.In(zone(name)).Format("15:04") },
		"span":  span,
		// dayspan is a session's day and time in zone, the day named once: "miércoles 17 de
		// diciembre de 2026, 10:00–11:30", or each day for a session that spans several.
		"dayspan": func(start, end time.Time, name string) string {
			if z := zone(name); oneDay(start.In(z), end.In(z)) {
				return day(start.In(z)) + ", " + span(start, end, name)
			}
			return span(start, end, name)
		},
		// dayStart is midnight of a YYYY-MM-DD day in zone (for the offset a forum's day has).
		"dayStart": func(date, name string) time.Time {
			t, err := time.ParseInLocation(time.DateOnly, date, zone(name))
			if err != nil {
				return time.Now()
			}
			return t
		},
		// localDay is the YYYY-MM-DD day of an instant in zone.
		"localDay": func(t time.Time, name string) string { return t.In(zone(name)).Format(time.DateOnly) },
		"rfc3339":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"country":  func(code string) string { return country.Name(lang, code) },
		// language names an ISO 639-1 code in the page's language: "inglés".
		"language": func(code string) string {
			b, err := language.ParseBase(code)
			if err != nil {
				return code
			}
			if n := names.Name(b); n != "" {
				return n
			}
			return code
		},
		// languages names several codes as a sentence does: "español e inglés".
		"languages": func(codes []string) string {
			out := make([]string, len(codes))
			for i, c := range codes {
				out[i] = c
				if b, err := language.ParseBase(c); err == nil && names.Name(b) != "" {
					out[i] = names.Name(b)
				}
			}
			return andList(bundle, lang, out)
		},
	}
}

// dayName writes a day in the reader's language: "miércoles 17 de diciembre de 2026".
func dayName(bundle *locale.Bundle, lang string, d time.Time) string { return bundle.Day(lang, d) }

// andList joins items as a sentence does: "a, b y c". Spanish writes "e" before a word that
// starts with the sound i ("español e inglés").
func andList(bundle *locale.Bundle, lang string, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	last := items[len(items)-1]
	and := bundle.T(lang, "list.and", nil)
	if lang == "es" && and == "y" {
		if l := strings.ToLower(last); (strings.HasPrefix(l, "i") || strings.HasPrefix(l, "hi")) && !strings.HasPrefix(l, "hie") && !strings.HasPrefix(l, "ia") && !strings.HasPrefix(l, "io") {
			and = "e"
		}
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + last
}
