package calendar_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"

	"github.com/convene/convene/app/calendar"
)

func at(zone string, y int, m time.Month, d, h, min int) time.Time {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		panic(err)
	}
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// TestEncode: what a calendar app needs, and what RFC 5545 requires, in one file with events
// in three zones and two rule sets (Mexico City had summer time in 2017, not in 2026).
func TestEncode(t *testing.T) {
	t.Parallel()
	modified := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	long := strings.Repeat("Ciberseguridad, derechos; y cooperación internacional — ñandú. ", 12)
	c := calendar.Calendar{Name: "Estrategia Nacional de Ciberseguridad 2017", Method: calendar.MethodPublish, Zone: "America/Mexico_City",
		Events: []calendar.Event{
			{UID: "session-1@convene.example", Sequence: 3, Start: at("Europe/Zurich", 2017, 12, 17, 17, 0), End: at("Europe/Zurich", 2017, 12, 17, 18, 0),
				Zone: "Europe/Zurich", Summary: "Mexico: Identifying best practices on cybersecurity, through cooperation", Description: long + "\r\nSegunda línea",
				Location: "Palais des Nations, Room XXIV", URL: "https://convene.example/sessions/1", Categories: []string{"O1 Sociedad y derechos", "E2, Cultura"},
				Modified: modified},
			{UID: "session-2@convene.example", Sequence: 0, Start: at("America/Mexico_City", 2017, 6, 5, 10, 0), End: at("America/Mexico_City", 2017, 6, 5, 11, 30),
				Zone: "America/Mexico_City", Summary: "Taller en verano", Location: "Online", Cancelled: true, Modified: modified},
			{UID: "session-3@convene.example", Start: at("America/Mexico_City", 2026, 12, 17, 10, 0), End: at("America/Mexico_City", 2026, 12, 17, 11, 0),
				Zone: "America/Mexico_City", Summary: "Hoy", Modified: modified},
			{UID: "forum-9@convene.example", Start: at("America/New_York", 2026, 3, 7, 0, 0), End: at("America/New_York", 2026, 3, 8, 0, 0),
				Zone: "America/New_York", AllDay: true, Summary: "Foro de dos días", Modified: modified},
		}}
	var buf bytes.Buffer
	if err := calendar.Encode(&buf, c); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	checkLines(t, raw)
	cal, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read it: %v\n%s", err, raw)
	}
	zones := map[string]*ical.Component{}
	for _, ch := range cal.Children {
		if ch.Name == ical.CompTimezone {
			id, _ := ch.Props.Text(ical.PropTimezoneID)
			zones[id] = ch
		}
	}
	if len(zones) != 2 {
		t.Fatalf("VTIMEZONEs for %v, want Europe/Zurich and America/Mexico_City (all-day events need none)", keys(zones))
	}
	events := cal.Events()
	if len(events) != 4 {
		t.Fatalf("%d events", len(events))
	}
	for _, e := range events {
		uid, _ := e.Props.Text(ical.PropUID)
		stamp := e.Props.Get(ical.PropDateTimeStamp)
		if stamp == nil || !strings.HasSuffix(stamp.Value, "Z") {
			t.Errorf("%s: DTSTAMP %v is not UTC", uid, stamp)
		}
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
			p := e.Props.Get(name)
			if p.ValueType() == ical.ValueDate {
				continue
			}
			tzid := p.Params.Get(ical.PropTimezoneID)
			vtz := zones[tzid]
			if vtz == nil {
				t.Fatalf("%s: %s uses TZID %q with no VTIMEZONE", uid, name, tzid)
			}
			got, err := p.DateTime(time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			// The VTIMEZONE alone, read as a calendar app reads it, must give the same instant.
			byVTZ := instant(t, vtz, p.Value)
			if !byVTZ.Equal(got) {
				t.Errorf("%s %s %s: the VTIMEZONE makes it %v, the zone database %v", uid, name, p.Value, byVTZ, got)
			}
		}
	}
	first := events[0]
	if d, _ := first.Props.Text(ical.PropDescription); d != long+"\nSegunda línea" {
		t.Errorf("description came back as %q", d)
	}
	if cats, _ := first.Props.Get(ical.PropCategories).TextList(); len(cats) != 2 || cats[1] != "E2, Cultura" {
		t.Errorf("categories %q", cats)
	}
	if seq, _ := first.Props.Get(ical.PropSequence).Int(); seq != 3 {
		t.Errorf("sequence %d", seq)
	}
	if st, _ := events[1].Status(); st != ical.EventCancelled {
		t.Errorf("the cancelled event is %q", st)
	}
	if s := events[3].Props.Get(ical.PropDateTimeEnd); s.Value != "20260309" || s.ValueType() != ical.ValueDate {
		t.Errorf("the all-day event ends %v, want the day after its last (20260309)", s)
	}
	if m := cal.Props.Get(ical.PropMethod); m == nil || m.Value != "PUBLISH" {
		t.Errorf("method %v", m)
	}
	// The same calendar writes the same bytes: feeds' ETags depend on it.
	var again bytes.Buffer
	_ = calendar.Encode(&again, c)
	if !bytes.Equal(raw, again.Bytes()) {
		t.Error("two encodings differ")
	}
}

// TestEmpty: a calendar with nothing scheduled yet still has a component (RFC 5545 asks for
// one) and parses.
func TestEmpty(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := calendar.Encode(&buf, calendar.Calendar{Name: "Vacío", Zone: "America/Mexico_City", Updated: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	checkLines(t, buf.Bytes())
	if _, err := ical.NewDecoder(&buf).Decode(); err != nil {
		t.Fatal(err)
	}
}

// TestFold: long lines fold at 75 octets, never inside a UTF-8 character, and unfold to the
// original.
func TestFold(t *testing.T) {
	t.Parallel()
	for _, line := range []string{strings.Repeat("a", 75), strings.Repeat("a", 76), strings.Repeat("é", 200), "x" + strings.Repeat("日本", 60), ""} {
		out := calendar.Fold([]byte(line + "\r\n"))
		checkLines(t, out)
		if un := strings.ReplaceAll(string(out), "\r\n ", ""); un != line+"\r\n" {
			t.Errorf("unfolded %q, want %q", un, line)
		}
	}
}

// checkLines: every line ends in CRLF, has at most 75 octets and holds whole UTF-8 characters.
func checkLines(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Fatal("the file does not end in CRLF")
	}
	for i, l := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets: %q", i+1, len(l), l)
		}
		if bytes.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF", i+1)
		}
		if !utf8.Valid(l) {
			t.Errorf("line %d splits a character", i+1)
		}
	}
}

func keys(m map[string]*ical.Component) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// instant reads local time v (20171217T170000) with the offsets of a VTIMEZONE, as a calendar
// app does: the observance with the latest onset not after v.
func instant(t *testing.T, vtz *ical.Component, v string) time.Time {
	t.Helper()
	local, err := time.Parse("20060102T150405", v)
	if err != nil {
		t.Fatal(err)
	}
	best, offset := time.Time{}, 0
	for _, o := range vtz.Children {
		onset, err := time.Parse("20060102T150405", o.Props.Get(ical.PropDateTimeStart).Value)
		if err != nil {
			t.Fatal(err)
		}
		if onset.After(local) || onset.Before(best) {
			continue
		}
		best, offset = onset, parseOffset(t, o.Props.Get(ical.PropTimezoneOffsetTo).Value)
	}
	if best.IsZero() {
		t.Fatalf("no observance covers %s", v)
	}
	return local.Add(-time.Duration(offset) * time.Second)
}

func parseOffset(t *testing.T, v string) int {
	t.Helper()
	sign := 1
	if v[0] == '-' {
		sign = -1
	}
	h, _ := strconv.Atoi(v[1:3])
	m, _ := strconv.Atoi(v[3:5])
	s := 0
	if len(v) == 7 {
		s, _ = strconv.Atoi(v[5:7])
	}
	return sign * (h*3600 + m*60 + s)
}
