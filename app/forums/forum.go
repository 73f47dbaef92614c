// Package forums holds the scheduled gatherings of a process: in person, virtual or hybrid,
// with a venue or an online link, in a time zone of their own, drafted, published or cancelled.
// Sessions, rooms and calendars build on it.
package forums

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// textField is translated text a rule bounds: a title is one line (it reaches mail subjects
// and calendars), other texts may have several.
type textField struct {
	field string
	text  translated.Text
	max   int
}

// checkTexts checks the languages and lengths of translated texts.
func checkTexts(es *validate.Errors, fields ...textField) {
	for _, t := range fields {
		for _, l := range slices.Sorted(maps.Keys(t.text)) {
			switch {
			case !translated.IsLanguage(l):
				es.Add(t.field+"."+l, validate.Invalid, nil)
			case t.field == "title":
				es.Line(t.field+"."+l, t.text[l], t.max)
			default:
				es.LongText(t.field+"."+l, t.text[l], t.max, false)
			}
		}
	}
}

// Formats of a forum.
const (
	FormatInPerson = "in_person"
	FormatVirtual  = "virtual"
	FormatHybrid   = "hybrid"
)

// Formats lists the formats in the order forms offer them.
func Formats() []string { return []string{FormatInPerson, FormatVirtual, FormatHybrid} }

// Statuses of a forum. Drafts are seen by the people who run the process only.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusCancelled = "cancelled"
)

// Message codes of the forum rules (frontend/locales/*/forums.toml).
const (
	CodeFormat     = "error.forum_format"
	CodeDate       = "error.forum_date"
	CodeEndsBefore = "error.forum_ends_before"
	CodeURL        = "error.forum_url"
	CodeVenue      = "error.forum_venue"
	CodeOnline     = "error.forum_online"
	CodeStatus     = "error.forum_status"
	CodeTooLong    = "error.forum_too_long"
	CodeSlugDigits = "error.forum_slug_digits"
	maxForumDays   = 366
)

// dateLayout is how forum days are written and stored: a calendar day in the forum's own zone.
const dateLayout = "2006-01-02"

// Forum is one gathering of a process.
type Forum struct {
	bun.BaseModel `bun:"table:forums"`

	ID            int64           `bun:"id,pk,autoincrement"`
	ProcessID     int64           `bun:"process_id,notnull"`
	Slug          string          `bun:"slug,notnull"`
	Title         translated.Text `bun:"title,notnull"`
	Description   translated.Text `bun:"description,notnull"`
	Format        string          `bun:"format,notnull"`
	VenueName     string          `bun:"venue_name,notnull"`
	VenueAddress  string          `bun:"venue_address,notnull"`
	MapURL        string          `bun:"map_url,notnull"`
	Accessibility translated.Text `bun:"accessibility,notnull"`
	OnlineURL     string          `bun:"online_url,notnull"`
	TimeZone      string          `bun:"time_zone,notnull"`
	StartsOn      string          `bun:"starts_on,notnull"` // YYYY-MM-DD in TimeZone
	EndsOn        string          `bun:"ends_on,notnull"`
	Status        string          `bun:"status,notnull"`
	// Sequence grows with every change a calendar shows (title, place, link, days, status),
	// once the forum is published: it is the SEQUENCE of its .ics.
	Sequence  int       `bun:"sequence,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

// Input is what an organiser writes about a forum. The status changes only through Publish and
// Cancel.
type Input struct {
	Slug, Format, VenueName, VenueAddress, MapURL, OnlineURL, TimeZone, StartsOn, EndsOn string
	Title, Description, Accessibility                                                    translated.Text
}

// Normalized trims the input.
func (in Input) Normalized() Input {
	for _, f := range []*string{&in.Slug, &in.Format, &in.VenueName, &in.VenueAddress, &in.MapURL, &in.OnlineURL,
		&in.TimeZone, &in.StartsOn, &in.EndsOn} {
		*f = strings.TrimSpace(*f)
	}
	in.Title, in.Description, in.Accessibility = in.Title.Trimmed(), in.Description.Trimmed(), in.Accessibility.Trimmed()
	if in.Slug == "" {
		in.Slug = validate.SlugFrom(in.Title.In("es", "en")) // a title's own address, unless one is given
	}
	return in
}

// Validate checks a normalized input against the languages of its process.
func (in Input) Validate(langs []string) validate.Errors {
	var es validate.Errors
	es.Slug("slug", in.Slug)
	if in.Slug != "" && strings.Trim(in.Slug, "0123456789") == "" {
		es.Add("slug", CodeSlugDigits, nil) // /forums/7 is forum number 7
	}
	for _, l := range langs {
		if strings.TrimSpace(in.Title[l]) == "" {
			es.Add("title."+l, validate.Required, nil)
		}
	}
	checkTexts(&es, textField{"title", in.Title, 200}, textField{"description", in.Description, 20000},
		textField{"accessibility", in.Accessibility, 5000})
	if !slices.Contains(Formats(), in.Format) {
		es.Add("format", CodeFormat, nil)
	}
	physical, online := in.Format == FormatInPerson || in.Format == FormatHybrid, in.Format == FormatVirtual || in.Format == FormatHybrid
	if physical && in.VenueName == "" {
		es.Add("venue_name", CodeVenue, nil)
	} else if in.VenueName != "" {
		es.Text("venue_name", in.VenueName, 200)
	}
	if in.VenueAddress != "" {
		es.LongText("venue_address", in.VenueAddress, 500, false)
	}
	checkURL(&es, "map_url", in.MapURL)
	if online && in.OnlineURL == "" {
		es.Add("online_url", CodeOnline, nil)
	}
	checkURL(&es, "online_url", in.OnlineURL)
	es.TimeZone("time_zone", in.TimeZone, true)
	start, startOK := checkDate(&es, "starts_on", in.StartsOn)
	end, endOK := checkDate(&es, "ends_on", in.EndsOn)
	switch {
	case startOK && endOK && end.Before(start):
		es.Add("ends_on", CodeEndsBefore, nil)
	case startOK && endOK && end.Sub(start) >= maxForumDays*24*time.Hour:
		es.Add("ends_on", CodeTooLong, map[string]any{"Max": maxForumDays})
	}
	return es
}

// checkURL accepts an empty value or an absolute https (or http) URL.
func checkURL(es *validate.Errors, field, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(v) > 2000 || !validate.Printable(v, false) {
		es.Add(field, CodeURL, nil)
	}
}

// checkDate reads a required YYYY-MM-DD day.
func checkDate(es *validate.Errors, field, v string) (time.Time, bool) {
	if v == "" {
		es.Add(field, validate.Required, nil)
		return time.Time{}, false
	}
	d, err := time.Parse(dateLayout, v)
	if err != nil || !plausibleYear(d) {
		es.Add(field, CodeDate, nil)
		return time.Time{}, false
	}
	return d, true
}

// Input is what the forum holds now, as an organiser would write it: the starting point of a
// change.
func (f Forum) Input() Input {
	return Input{Slug: f.Slug, Format: f.Format, VenueName: f.VenueName, VenueAddress: f.VenueAddress, MapURL: f.MapURL,
		OnlineURL: f.OnlineURL, TimeZone: f.TimeZone, StartsOn: f.StartsOn, EndsOn: f.EndsOn,
		Title: f.Title, Description: f.Description, Accessibility: f.Accessibility}
}

// plausibleYear keeps dates where calendars, databases and people expect them.
func plausibleYear(t time.Time) bool { return t.Year() >= 1900 && t.Year() <= 2200 }
