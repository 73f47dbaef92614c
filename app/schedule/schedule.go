// Package schedule writes a forum's programme in the conference-schedule formats that frab and
// pretalx emit (C3VOC's schedule.json and schedule.xml), so schedule apps such as Giggity and
// ConfClerk can load it. What it writes follows the official schemas strictly: no member beyond
// them, absolute URLs, times with their UTC offset, durations of at most a day (a session that
// spans days is written once per day), and what ConfClerk, which refuses or drops more than the
// schemas do, needs: ids that fit 32 bits, speakers with an id, no duration of 24:00 (read as
// none), cancelled sessions kept (a client that merges on reload would go on showing them).
package schedule

import (
	"cmp"
	"fmt"
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Programme is what a schedule file holds.
type Programme struct {
	Title, Description string
	Acronym            string // lower-case letters, digits and underscores (see Acronym)
	URL                string // the programme's page
	BaseURL            string // the site, ending in "/"
	Version            string // changes whenever the programme does
	Zone               *time.Location
	ZoneName           string
	FirstDay, LastDay  string // YYYY-MM-DD
	Tracks             []Track
	Rooms              []Room
	Events             []Event
	Generator          string
	GeneratorVersion   string
}

// Track is a theme sessions are filed under.
type Track struct{ Name, Slug string }

// Room is where sessions happen; online sessions have a room of their own.
type Room struct {
	Name     string
	GUID     string
	Capacity int // 0: not stated
}

// Event is one session.
type Event struct {
	ID                 int64
	GUID               string
	Room               string // a Room's Name
	Title, Type, Track string
	// SlugTitle, when set, is the title the slug is made from: the title without a mark such
	// as "Cancelled:", so the slug (which apps may key favourites by) never changes with it.
	SlugTitle   string
	Language    string // ISO 639-1
	Abstract    string
	Description string
	Start, End  time.Time
	URL         string
	Persons     []Person
	Links       []Link
}

// Person is a speaker.
type Person struct{ Name, GUID, Biography string }

// id is the person's integer id, which ConfClerk requires (it drops speakers without one): the
// same name is one person across the programme.
func (p Person) id() int64 { return int64(crc32.ChecksumIEEE([]byte(p.Name)) & 0x7fffffff) }

// Link is a related address, such as where to join online.
type Link struct{ URL, Title string }

// GUID is the stable UUID (version 5) of a URL, as C3VOC asks for events, rooms and people.
func GUID(url string) string { return uuid.NewSHA1(uuid.NameSpaceURL, []byte(url)).String() }

var notAcronym = regexp.MustCompile(`[^a-z0-9_]+`)

// Acronym makes a slug into what the JSON schema accepts as an acronym: at least four of
// a-z, 0-9 and _ (hyphens become underscores).
func Acronym(slug string) string {
	a := notAcronym.ReplaceAllString(strings.ToLower(slug), "_")
	for len(a) < 4 {
		a += "_"
	}
	return a
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify turns a title into lower-case ASCII words joined by hyphens: "Sesión híbrida" →
// "sesion-hibrida".
func Slugify(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	plain, _, err := transform.String(t, s)
	if err != nil {
		plain = s
	}
	return strings.Trim(notSlug.ReplaceAllString(strings.ToLower(plain), "-"), "-")
}

// Ids of the later days' parts of a session that spans days: 2^30 + the session's id × 32 + the
// part's number, within the 31 bits that schedule apps store ids in (ConfClerk refused a whole
// file over an id of 3000000002). A session keeps at most 32 parts.
const (
	partBase = 1 << 30
	maxParts = 32
)

// part is one day's part of an event: an event within a day is one part.
type part struct {
	Event
	day   int // index in the days, from 0
	id    int64
	guid  string
	slug  string
	start time.Time
	end   time.Time
}

// layout cuts the events into parts, one per day they touch, dropping what falls outside the
// programme's days.
func (p Programme) layout() (days []time.Time, parts [][]part) {
	first, err1 := time.ParseInLocation(time.DateOnly, p.FirstDay, p.Zone)
	last, err2 := time.ParseInLocation(time.DateOnly, p.LastDay, p.Zone)
	if err1 != nil || err2 != nil {
		return nil, nil
	}
	for d := first; !d.After(last); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, p.Zone) {
		days = append(days, d)
	}
	parts = make([][]part, len(days))
	for _, e := range p.Events {
		n := 0
		for i, d := range days {
			next := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, p.Zone)
			a, b := maxTime(e.Start, d), minTime(e.End, next)
			if !a.Before(b) {
				continue
			}
			pt := part{Event: e, day: i, id: e.ID, guid: e.GUID, start: a, end: b,
				slug: Acronym(p.Acronym) + "-" + itoa(e.ID) + "-" + cut(Slugify(cmp.Or(e.SlugTitle, e.Title)), 60)}
			if n >= maxParts {
				break
			}
			if n > 0 {
				// A later day's part of a session that spans days: its own identity, derived.
				pt.id = partBase + e.ID*maxParts + int64(n)
				pt.guid = GUID(e.URL + "#day-" + itoa(int64(n)))
				pt.slug += "-" + itoa(int64(n+1))
			}
			pt.slug = strings.TrimRight(pt.slug, "-_")
			parts[i] = append(parts[i], pt)
			n++
		}
	}
	return days, parts
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func cut(s string, n int) string {
	if len(s) > n {
		s = strings.TrimRight(s[:n], "-")
	}
	if s == "" {
		s = "session"
	}
	return s
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// duration writes d as HH:MM, at most 23:59 (parts are within a day; ConfClerk reads 24:00
// as no time at all).
func duration(d time.Duration) string {
	m := min(int(d.Round(time.Minute)/time.Minute), 24*60-1)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// dayEnd is the last minute of day d in the programme's zone: 23:59 on its clock, whatever
// a change of clocks that day does to its length.
func (p Programme) dayEnd(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 0, 0, p.Zone)
}

// dateTime writes an instant in the programme's zone with its offset: 2017-12-17T17:00:00+01:00.
func (p Programme) dateTime(t time.Time) string { return t.In(p.Zone).Format(time.RFC3339) }
