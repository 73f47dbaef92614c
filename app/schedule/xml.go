package schedule

import (
	"encoding/xml"
	"io"
	"time"
)

// The XML document, element for element as schedule.xml.xsd defines it.
type xmlSchedule struct {
	XMLName    xml.Name      `xml:"schedule"`
	Generator  xmlGenerator  `xml:"generator"`
	URL        string        `xml:"url"`
	Version    string        `xml:"version"`
	Conference xmlConference `xml:"conference"`
	Days       []xmlDay      `xml:"day"`
}

type xmlGenerator struct {
	Name    string `xml:"name,attr"`
	Version string `xml:"version,attr"`
}

type xmlConference struct {
	Title            string     `xml:"title"`
	Acronym          string     `xml:"acronym"`
	Start            string     `xml:"start"`
	End              string     `xml:"end"`
	Days             int        `xml:"days"`
	TimeslotDuration string     `xml:"timeslot_duration"`
	BaseURL          string     `xml:"base_url"`
	URL              string     `xml:"url"`
	TimeZoneName     string     `xml:"time_zone_name"`
	Tracks           []xmlTrack `xml:"track"`
}

type xmlTrack struct {
	Name string `xml:"name,attr"`
	Slug string `xml:"slug,attr"`
}

type xmlDay struct {
	Index int       `xml:"index,attr"`
	Date  string    `xml:"date,attr"`
	Start string    `xml:"start,attr"`
	End   string    `xml:"end,attr"`
	Rooms []xmlRoom `xml:"room"`
}

type xmlRoom struct {
	Name   string     `xml:"name,attr"`
	GUID   string     `xml:"guid,attr"`
	Events []xmlEvent `xml:"event"`
}

type xmlEvent struct {
	ID          int64       `xml:"id,attr"`
	GUID        string      `xml:"guid,attr"`
	Room        string      `xml:"room"`
	Title       string      `xml:"title"`
	Subtitle    string      `xml:"subtitle"`
	Type        string      `xml:"type"`
	Date        string      `xml:"date"`
	Start       string      `xml:"start"`
	Duration    string      `xml:"duration"`
	Abstract    string      `xml:"abstract"`
	Slug        string      `xml:"slug"`
	Track       string      `xml:"track"`
	Persons     []xmlPerson `xml:"persons>person"`
	Language    string      `xml:"language"`
	Description string      `xml:"description"`
	Links       []xmlLink   `xml:"links>link"`
	URL         string      `xml:"url"`
}

type xmlPerson struct {
	ID   int64  `xml:"id,attr"`
	GUID string `xml:"guid,attr"`
	Name string `xml:",chardata"`
}

type xmlLink struct {
	Href  string `xml:"href,attr"`
	Type  string `xml:"type,attr"`
	Title string `xml:",chardata"`
}

// WriteXML writes the programme as schedule.xml.
func WriteXML(w io.Writer, p Programme, url string) error {
	days, parts := p.layout()
	s := xmlSchedule{Generator: xmlGenerator{Name: p.Generator, Version: p.GeneratorVersion}, URL: url, Version: p.Version,
		Conference: xmlConference{Title: p.Title, Acronym: Acronym(p.Acronym), Start: p.FirstDay, End: p.LastDay, Days: len(days),
			TimeslotDuration: "00:15", BaseURL: p.BaseURL, URL: p.URL, TimeZoneName: p.ZoneName}}
	for _, t := range p.Tracks {
		s.Conference.Tracks = append(s.Conference.Tracks, xmlTrack(t))
	}
	for i, d := range days {
		day := xmlDay{Index: i + 1, Date: d.Format(time.DateOnly), Start: p.dateTime(d), End: p.dateTime(p.dayEnd(d))}
		for _, r := range p.Rooms {
			room := xmlRoom{Name: r.Name, GUID: r.GUID}
			for _, pt := range parts[i] {
				if pt.Room != r.Name {
					continue
				}
				e := xmlEvent{ID: pt.id, GUID: pt.guid, Room: pt.Room, Title: pt.Title, Type: pt.Type, Date: p.dateTime(pt.start),
					Start: pt.start.In(p.Zone).Format("15:04"), Duration: duration(pt.end.Sub(pt.start)), Abstract: pt.Abstract,
					Slug: pt.slug, Track: pt.Track, Language: pt.Language, Description: pt.Description, URL: pt.URL}
				for _, ps := range pt.Persons {
					e.Persons = append(e.Persons, xmlPerson{ID: ps.id(), GUID: ps.GUID, Name: ps.Name})
				}
				for _, l := range pt.Links {
					e.Links = append(e.Links, xmlLink{Href: l.URL, Type: "web", Title: l.Title})
				}
				room.Events = append(room.Events, e)
			}
			if len(room.Events) > 0 {
				day.Rooms = append(day.Rooms, room)
			}
		}
		s.Days = append(s.Days, day)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
