package schedule

import (
	"encoding/json"
	"io"
	"time"
)

// The JSON document, member for member as schedule.schema.json allows (additionalProperties
// false almost everywhere): a member added here must be in the schema first.
type jsonFile struct {
	Schema    string        `json:"$schema"`
	Generator jsonGenerator `json:"generator"`
	Schedule  jsonSchedule  `json:"schedule"`
}

type jsonGenerator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonSchedule struct {
	Version    string         `json:"version"`
	BaseURL    string         `json:"base_url"`
	Conference jsonConference `json:"conference"`
}

type jsonConference struct {
	Acronym          string      `json:"acronym"`
	Title            string      `json:"title"`
	Description      string      `json:"description,omitempty"`
	Start            string      `json:"start"`
	End              string      `json:"end"`
	DaysCount        int         `json:"daysCount"`
	TimeslotDuration string      `json:"timeslot_duration"`
	TimeZoneName     string      `json:"time_zone_name"`
	URL              string      `json:"url"`
	Tracks           []jsonTrack `json:"tracks"`
	Rooms            []jsonRoom  `json:"rooms"`
	Days             []jsonDay   `json:"days"`
}

type jsonTrack struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type jsonRoom struct {
	Name     string `json:"name"`
	GUID     string `json:"guid"`
	Capacity *int   `json:"capacity"`
}

type jsonDay struct {
	Index    int                    `json:"index"`
	Date     string                 `json:"date"`
	DayStart string                 `json:"day_start"`
	DayEnd   string                 `json:"day_end"`
	Rooms    map[string][]jsonEvent `json:"rooms"`
}

type jsonEvent struct {
	GUID        string       `json:"guid"`
	ID          int64        `json:"id"`
	Date        string       `json:"date"`
	Start       string       `json:"start"`
	End         string       `json:"end"`
	Duration    string       `json:"duration"`
	Room        string       `json:"room"`
	Slug        string       `json:"slug"`
	URL         string       `json:"url"`
	Title       string       `json:"title"`
	Subtitle    string       `json:"subtitle"`
	Track       *string      `json:"track"`
	Type        string       `json:"type"`
	Language    string       `json:"language"`
	Abstract    string       `json:"abstract"`
	Description string       `json:"description"`
	Persons     []jsonPerson `json:"persons"`
	Links       []jsonLink   `json:"links"`
}

type jsonPerson struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	GUID      string `json:"guid"`
	Biography string `json:"biography"`
}

type jsonLink struct {
	Type  string `json:"type"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// schemaID is the schema's own address, which files name as their $schema.
const schemaID = "https://c3voc.de/schedule/schema.json"

// WriteJSON writes the programme as schedule.json (url, where it is served, is not part of it).
func WriteJSON(w io.Writer, p Programme, _ string) error {
	days, parts := p.layout()
	c := jsonConference{Acronym: Acronym(p.Acronym), Title: p.Title, Description: p.Description, Start: p.FirstDay, End: p.LastDay,
		DaysCount: len(days), TimeslotDuration: "00:15", TimeZoneName: p.ZoneName, URL: p.URL,
		Tracks: []jsonTrack{}, Rooms: []jsonRoom{}, Days: []jsonDay{}}
	for _, t := range p.Tracks {
		c.Tracks = append(c.Tracks, jsonTrack(t))
	}
	for _, r := range p.Rooms {
		room := jsonRoom{Name: r.Name, GUID: r.GUID}
		if r.Capacity > 0 {
			room.Capacity = &r.Capacity
		}
		c.Rooms = append(c.Rooms, room)
	}
	for i, d := range days {
		day := jsonDay{Index: i + 1, Date: d.Format(time.DateOnly), DayStart: p.dateTime(d),
			DayEnd: p.dateTime(p.dayEnd(d)), Rooms: map[string][]jsonEvent{}}
		for _, pt := range parts[i] {
			e := jsonEvent{GUID: pt.guid, ID: pt.id, Date: p.dateTime(pt.start), Start: pt.start.In(p.Zone).Format("15:04"),
				End: p.dateTime(pt.end), Duration: duration(pt.end.Sub(pt.start)), Room: pt.Room, Slug: pt.slug, URL: pt.URL,
				Title: pt.Title, Type: pt.Type, Language: pt.Language, Abstract: pt.Abstract, Description: pt.Description,
				Persons: []jsonPerson{}, Links: []jsonLink{}}
			if pt.Track != "" {
				e.Track = &pt.Track
			}
			for _, ps := range pt.Persons {
				e.Persons = append(e.Persons, jsonPerson{ID: ps.id(), Name: ps.Name, GUID: ps.GUID, Biography: ps.Biography})
			}
			for _, l := range pt.Links {
				e.Links = append(e.Links, jsonLink{Type: "web", URL: l.URL, Title: l.Title})
			}
			day.Rooms[pt.Room] = append(day.Rooms[pt.Room], e)
		}
		c.Days = append(c.Days, day)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(jsonFile{Schema: schemaID, Generator: jsonGenerator{Name: p.Generator, Version: p.GeneratorVersion},
		Schedule: jsonSchedule{Version: p.Version, BaseURL: p.BaseURL, Conference: c}})
}
