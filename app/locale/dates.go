package locale

import (
	"fmt"
	"strings"
	"time"
)

// Day writes a day in the reader's language: "miércoles, 17 de diciembre de 2026".
func (b *Bundle) Day(lang string, d time.Time) string {
	return b.T(lang, "date.day", map[string]any{"Weekday": b.T(lang, fmt.Sprintf("weekday.%d", d.Weekday()), nil),
		"Day": d.Day(), "Month": b.month(lang, d.Month()), "Year": d.Year()})
}

func (b *Bundle) month(lang string, m time.Month) string {
	return b.T(lang, fmt.Sprintf("month.%d", m), nil)
}

// Days writes a forum's first to last day (YYYY-MM-DD): "17 y 18 de diciembre de 2026".
func (b *Bundle) Days(lang, first, last string) string {
	x, err1 := time.Parse(time.DateOnly, first)
	y, err2 := time.Parse(time.DateOnly, last)
	switch {
	case err1 != nil || err2 != nil:
		return first + " – " + last
	case x.Equal(y):
		return b.T(lang, "date.one_day", map[string]any{"Day": x.Day(), "Month": b.month(lang, x.Month()), "Year": x.Year()})
	case x.Year() == y.Year() && x.Month() == y.Month():
		id := "date.days_same_month"
		if y.Sub(x) == 24*time.Hour {
			id = "date.two_days"
		}
		return b.T(lang, id, map[string]any{"From": x.Day(), "To": y.Day(), "Month": b.month(lang, x.Month()), "Year": x.Year()})
	}
	return b.T(lang, "date.days_apart", map[string]any{"FromDay": x.Day(), "FromMonth": b.month(lang, x.Month()), "FromYear": x.Year(),
		"ToDay": y.Day(), "ToMonth": b.month(lang, y.Month()), "ToYear": y.Year()})
}

// DateTime writes an instant as the reader reads it in zone: "miércoles, 17 de diciembre de
// 2026, 10:00 (Ciudad de México, UTC−06:00)".
func (b *Bundle) DateTime(lang string, t time.Time, zone *time.Location) string {
	l := t.In(zone)
	return b.Day(lang, l) + ", " + l.Format("15:04") + " (" + b.ZoneName(lang, zone.String()) + ", " + Offset(l) + ")"
}

// ZoneName names a time zone as people know it, from the catalogs ("Ciudad de México" for
// America/Mexico_City) or, for a zone they do not name, its city: "America/Bogota" is "America/Bogota".
func (b *Bundle) ZoneName(lang, id string) string {
	if b.Has("zone." + id) {
		return b.T(lang, "zone."+id, nil)
	}
	return strings.ReplaceAll(id, "_", " ")
}

// Offset is an instant's offset from UTC in its own zone: "UTC−06:00".
func Offset(t time.Time) string {
	_, secs := t.Zone()
	sign := "+"
	if secs < 0 {
		sign, secs = "−", -secs
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, secs/3600, secs%3600/60)
}
