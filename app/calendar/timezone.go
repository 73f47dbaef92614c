package calendar

import (
	"fmt"
	"time"

	ical "github.com/emersion/go-ical"
)

// Timezone builds the VTIMEZONE of zone name for the years first to last from Go's zone data:
// the observance in force on 1 January of the first year, then one per change of offset until
// the end of the last year, each with its onset as local time before the change. Explicit
// onsets rather than rules, so a zone whose rules changed (Mexico ended summer time in 2022)
// is described as it was in each year.
func Timezone(name string, loc *time.Location, first, last int) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, name)
	from := time.Date(first, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(last+1, 1, 1, 0, 0, 0, 0, loc)
	_, off := from.Zone()
	tz.Children = append(tz.Children, observance(from, off, off))
	for t := from; t.Before(to); {
		next := t.Add(24 * time.Hour)
		if _, o := next.Zone(); o != off {
			at := changeBetween(t, next, off)
			_, now := at.Zone()
			tz.Children = append(tz.Children, observance(at, off, now))
			off = now
			t = at
			continue
		}
		t = next
	}
	return tz
}

// changeBetween finds the first second after a (whose offset is off) when the offset differs,
// knowing it does by b.
func changeBetween(a, b time.Time, off int) time.Time {
	for b.Sub(a) > time.Second {
		mid := a.Add(b.Sub(a) / 2).Truncate(time.Second)
		if _, o := mid.Zone(); o == off {
			a = mid
		} else {
			b = mid
		}
	}
	return b
}

// observance is a STANDARD or DAYLIGHT component starting at instant at, when the offset went
// from one value to another (seconds east of UTC).
func observance(at time.Time, from, to int) *ical.Component {
	kind := ical.CompTimezoneStandard
	if at.IsDST() {
		kind = ical.CompTimezoneDaylight
	}
	c := ical.NewComponent(kind)
	// DTSTART is the onset in the local time in force before it, without a zone.
	start := ical.NewProp(ical.PropDateTimeStart)
	start.Value = at.UTC().Add(time.Duration(from) * time.Second).Format("20060102T150405")
	c.Props.Set(start)
	c.Props.Set(offsetProp(ical.PropTimezoneOffsetFrom, from))
	c.Props.Set(offsetProp(ical.PropTimezoneOffsetTo, to))
	if abbr, _ := at.Zone(); abbr != "" {
		c.Props.SetText(ical.PropTimezoneName, abbr)
	}
	return c
}

// offsetProp writes a UTC offset as RFC 5545 wants it: +hhmm, or +hhmmss when seconds count.
func offsetProp(name string, secs int) *ical.Prop {
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	p := ical.NewProp(name)
	p.Value = fmt.Sprintf("%s%02d%02d", sign, secs/3600, secs/60%60)
	if secs%60 != 0 {
		p.Value += fmt.Sprintf("%02d", secs%60)
	}
	return p
}
