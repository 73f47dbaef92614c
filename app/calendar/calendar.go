// Package calendar writes iCalendar files (RFC 5545) with go-ical: events with a stable UID and
// a SEQUENCE that grows with each change, local times with their TZID and a VTIMEZONE built from
// Go's zone data for the years the file covers, cancelled events kept as STATUS:CANCELLED, text
// escaped, CRLF line ends and lines folded at 75 octets (go-ical's encoder does not fold).
package calendar

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	netmail "net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/convene/convene/app/clock"
)

// Methods of a calendar: feeds publish; invites by email request or cancel.
const (
	MethodPublish = "PUBLISH"
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// Event is one calendar entry: a timed session, or an all-day forum.
type Event struct {
	UID      string // stable for the life of the object, e.g. session-42@convene.example
	Sequence int
	// Start and End are instants; Zone is the IANA zone they are shown in. AllDay events use
	// only the dates of Start and End (End inclusive) in Zone.
	Start, End  time.Time
	Zone        string
	AllDay      bool
	Summary     string
	Description string
	Location    string
	URL         string
	Categories  []string
	Cancelled   bool
	// Transparent events do not make their attendees busy: a room open for days, a forum's
	// days (its sessions are what to attend).
	Transparent bool
	// Organizer and Attendee are set on invites sent by mail (METHOD REQUEST or CANCEL): who
	// sends it and whom it is for.
	Organizer, Attendee Person
	// Modified is when the event last changed: it is the DTSTAMP and LAST-MODIFIED, so the same
	// event writes the same bytes and a feed's ETag holds until something changes.
	Modified time.Time
}

// Person is someone an invite names: an address and the name to show.
type Person struct {
	Name, Email string
}

// Sender is the person an address such as `Convene <convene@example.org>` names; name is the
// name to show when the address has none.
func Sender(address, name string) Person {
	if a, err := netmail.ParseAddress(address); err == nil {
		return Person{Name: cmp.Or(a.Name, name), Email: a.Address}
	}
	return Person{Name: name, Email: address}
}

func (p Person) prop(name string, params map[string]string) *ical.Prop {
	pr := ical.NewProp(name)
	pr.Value = "mailto:" + p.Email
	if p.Name != "" {
		// A double quote cannot be written inside a parameter value (RFC 5545 3.1.1).
		pr.Params.Set(ical.ParamCommonName, strings.ReplaceAll(clean(p.Name), `"`, "'"))
	}
	for k, v := range params {
		pr.Params.Set(k, v)
	}
	return pr
}

// Calendar is one .ics file.
type Calendar struct {
	Name   string // X-WR-CALNAME: how a subscribing app names the calendar
	Method string // PUBLISH for feeds
	// Zone is the calendar's own zone (X-WR-TIMEZONE). A calendar needs at least one component,
	// so one with no events yet (a process before its first forum) carries this zone's
	// VTIMEZONE for the year of Updated.
	Zone    string
	Updated time.Time
	Events  []Event
	// Organizer is the ORGANIZER of events that name none: a published calendar's events need
	// one (libical's strict check refuses PUBLISH without).
	Organizer Person
	// Stamp, when set, is every event's DTSTAMP: an invite by mail is stamped when the message
	// was made (iTIP orders a person's messages by it); a feed leaves it zero, so DTSTAMP is when
	// the event last changed and the same feed writes the same bytes.
	Stamp time.Time
}

// Encode writes c, folded, with CRLF line ends.
func Encode(w io.Writer, c Calendar) error {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Convene//Convene//ES")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	if c.Method != "" {
		cal.Props.SetText(ical.PropMethod, c.Method)
	}
	if c.Name != "" {
		cal.Props.Set(rawExtension("X-WR-CALNAME", c.Name))
	}
	if c.Method == "" || c.Method == MethodPublish {
		// Subscribers refresh hourly, so a moved session shows soon (RFC 7986 asks for the VALUE).
		refresh := ical.NewProp(ical.PropRefreshInterval)
		refresh.Value = "PT1H"
		refresh.Params.Set(ical.ParamValue, string(ical.ValueDuration))
		cal.Props.Set(refresh)
		cal.Props.Set(extension("X-PUBLISHED-TTL", "PT1H"))
	}

	if c.Zone != "" {
		cal.Props.Set(rawExtension("X-WR-TIMEZONE", c.Zone))
	}
	zones := map[string][2]int{} // zone → first and last year used
	if len(c.Events) == 0 && c.Zone != "" {
		zones[c.Zone] = [2]int{yearIn(c.Updated, c.Zone), yearIn(c.Updated, c.Zone)}
	}
	for _, e := range c.Events {
		if e.AllDay || e.Zone == "" || e.Zone == "UTC" {
			continue
		}
		y0, y1 := yearIn(e.Start, e.Zone), yearIn(e.End, e.Zone)
		if span, ok := zones[e.Zone]; ok {
			y0, y1 = min(y0, span[0]), max(y1, span[1])
		}
		zones[e.Zone] = [2]int{y0, y1}
	}
	names := make([]string, 0, len(zones))
	for z := range zones {
		names = append(names, z)
	}
	slices.Sort(names)
	for _, z := range names {
		loc, err := clock.Zone(z)
		if err != nil {
			return fmt.Errorf("calendar zone %s: %w", z, err)
		}
		cal.Children = append(cal.Children, Timezone(z, loc, zones[z][0], zones[z][1]))
	}
	for _, e := range c.Events {
		if e.Organizer.Email == "" {
			e.Organizer = c.Organizer
		}
		ev, err := event(e, c.Stamp)
		if err != nil {
			return err
		}
		cal.Children = append(cal.Children, ev)
	}
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return fmt.Errorf("encoding a calendar: %w", err)
	}
	_, err := w.Write(Fold(buf.Bytes()))
	return err
}

func yearIn(t time.Time, zone string) int {
	loc, err := clock.Zone(zone)
	if err != nil {
		return t.Year()
	}
	return t.In(loc).Year()
}

func event(e Event, stamp time.Time) (*ical.Component, error) {
	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, e.UID)
	if stamp.IsZero() {
		stamp = e.Modified
	}
	ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp.UTC())
	ev.Props.SetDateTime(ical.PropLastModified, e.Modified.UTC())
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = fmt.Sprint(e.Sequence)
	ev.Props.Set(seq)
	loc := time.UTC
	if e.Zone != "" {
		l, err := clock.Zone(e.Zone)
		if err != nil {
			return nil, fmt.Errorf("event %s's zone: %w", e.UID, err)
		}
		loc = l
	}
	switch {
	case e.AllDay:
		ev.Props.SetDate(ical.PropDateTimeStart, e.Start.In(loc))
		// DTEND of an all-day event is the day after the last.
		last := e.End.In(loc)
		ev.Props.SetDate(ical.PropDateTimeEnd, time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, time.UTC))
	case loc == time.UTC:
		ev.Props.SetDateTime(ical.PropDateTimeStart, e.Start.UTC())
		ev.Props.SetDateTime(ical.PropDateTimeEnd, e.End.UTC())
	default:
		ev.Props.Set(localTime(ical.PropDateTimeStart, e.Start, loc, e.Zone))
		ev.Props.Set(localTime(ical.PropDateTimeEnd, e.End, loc, e.Zone))
	}
	ev.Props.SetText(ical.PropSummary, clean(e.Summary))
	if e.Description != "" {
		ev.Props.SetText(ical.PropDescription, clean(e.Description))
	}
	if e.Location != "" {
		ev.Props.SetText(ical.PropLocation, clean(e.Location))
	}
	if e.URL != "" {
		u, err := url.Parse(e.URL)
		if err != nil {
			return nil, fmt.Errorf("event %s's URL: %w", e.UID, err)
		}
		ev.Props.SetURI(ical.PropURL, u)
	}
	if len(e.Categories) > 0 {
		cats := ical.NewProp(ical.PropCategories)
		cleaned := make([]string, len(e.Categories))
		for i, c := range e.Categories {
			cleaned[i] = clean(c)
		}
		cats.SetTextList(cleaned)
		ev.Props.Set(cats)
	}
	if e.Cancelled {
		ev.SetStatus(ical.EventCancelled)
	} else {
		ev.SetStatus(ical.EventConfirmed)
	}
	if e.Transparent {
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	} else {
		ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	}
	if e.Organizer.Email != "" {
		ev.Props.Set(e.Organizer.prop(ical.PropOrganizer, nil))
	}
	if e.Attendee.Email != "" {
		// Convene reads no replies: the invite asks for none.
		ev.Props.Set(e.Attendee.prop(ical.PropAttendee, map[string]string{ical.ParamRole: "REQ-PARTICIPANT",
			ical.ParamParticipationStatus: "ACCEPTED", "RSVP": "FALSE", ical.ParamCalendarUserType: "INDIVIDUAL"}))
	}
	return ev.Component, nil
}

// localTime is DTSTART or DTEND as wall-clock time with its TZID (go-ical would name the zone
// of a time.Location, which is right, but only if the instant is first put in it).
func localTime(name string, t time.Time, loc *time.Location, zone string) *ical.Prop {
	p := ical.NewProp(name)
	p.SetDateTime(t.In(loc))
	p.Params.Set(ical.PropTimezoneID, zone)
	return p
}

// extension is an X- property holding text, escaped, without the VALUE=TEXT go-ical adds to
// properties it has no default type for.
func extension(name, text string) *ical.Prop {
	p := ical.NewProp(name)
	p.SetText(text)
	p.Params.Del(ical.ParamValue)
	return p
}

// rawExtension is an X- property whose value is written as it is, not escaped as TEXT: the
// apps that read X-WR-CALNAME (Thunderbird, ical.js) show a backslash before each comma of an
// escaped one. Line breaks, which cannot be written raw, become spaces.
func rawExtension(name, value string) *ical.Prop {
	p := ical.NewProp(name)
	p.Value = strings.Join(strings.Fields(value), " ")
	return p
}

// clean makes text go-ical can encode: line breaks as \n, no carriage returns.
func clean(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// Fold folds the content lines of an encoded calendar at 75 octets (RFC 5545 §3.1): a longer
// line continues on the next, which starts with a space; a UTF-8 character is never split.
func Fold(in []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(in) + len(in)/70*3)
	for len(in) > 0 {
		line := in
		rest := []byte(nil)
		if i := bytes.Index(in, []byte("\r\n")); i >= 0 {
			line, rest = in[:i], in[i+2:]
		}
		limit := 75
		for len(line) > limit {
			cut := limit
			for cut > 0 && line[cut]&0xC0 == 0x80 {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			limit = 74 // the leading space counts
		}
		out.Write(line)
		out.WriteString("\r\n")
		in = rest
	}
	return out.Bytes()
}
