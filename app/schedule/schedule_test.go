package schedule_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/app/schedule"
	"github.com/convene/convene/app/schedule/schedtest"
)

// sample is a two-day programme in Mexico City: a room, online sessions, a session spanning both
// days, accented titles, a speaker with a biography.
func sample(t *testing.T) schedule.Programme {
	t.Helper()
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, zone) }
	site := "https://convene.example"
	return schedule.Programme{Title: "Foro nacional", Description: "Dos días.", Acronym: "foro-cdmx", URL: site + "/forums/foro-cdmx",
		BaseURL: site + "/", Version: "2026-12-02T06:00:00Z", Zone: zone, ZoneName: "America/Mexico_City", FirstDay: "2026-12-17", LastDay: "2026-12-18",
		Generator: "Convene", GeneratorVersion: "test",
		Tracks: []schedule.Track{{Name: "O1 Sociedad y derechos", Slug: schedule.Slugify("O1 Sociedad y derechos")}},
		Rooms:  []schedule.Room{{Name: "Salón de Actos", GUID: schedule.GUID(site + "/r/1"), Capacity: 300}, {Name: "En línea", GUID: schedule.GUID(site + "/online")}},
		Events: []schedule.Event{
			{ID: 1, GUID: schedule.GUID(site + "/sessions/1"), Room: "Salón de Actos", Title: "Inauguración", Type: "Plenaria", Track: "O1 Sociedad y derechos",
				Language: "es", Abstract: "Apertura.", Description: "Apertura del foro.", Start: at(17, 9, 30), End: at(17, 10, 30), URL: site + "/sessions/1",
				Persons: []schedule.Person{{Name: "Ana Pérez", GUID: schedule.GUID(site + "/sessions/1#speaker-0"), Biography: "Investigadora."}},
				Links:   []schedule.Link{{URL: "https://meet.example.org/x", Title: "Conectarse"}}},
			{ID: 2, GUID: schedule.GUID(site + "/sessions/2"), Room: "En línea", Title: "Sala de preguntas abierta", Type: "Foro abierto",
				Language: "es", Start: at(17, 0, 0), End: at(18, 23, 59), URL: site + "/sessions/2"},
		}}
}

func encode(t *testing.T, p schedule.Programme) (js, xml []byte) {
	t.Helper()
	var a, b bytes.Buffer
	if err := schedule.WriteJSON(&a, p, p.URL+"/schedule.json"); err != nil {
		t.Fatal(err)
	}
	if err := schedule.WriteXML(&b, p, p.URL+"/schedule.xml"); err != nil {
		t.Fatal(err)
	}
	return a.Bytes(), b.Bytes()
}

// TestFormats: both files validate against the official schemas; a session spanning two days
// is written once per day, each part at most a day long with an identity of its own.
func TestFormats(t *testing.T) {
	t.Parallel()
	js, xml := encode(t, sample(t))
	schedtest.CheckJSON(t, "schedule.json", js)
	t.Run("schedule.xml against the XSD", func(t *testing.T) { schedtest.CheckXML(t, "schedule.xml", xml) })
	var doc struct {
		Schedule struct {
			Conference struct {
				Acronym string `json:"acronym"`
				Days    []struct {
					Index int                         `json:"index"`
					Rooms map[string][]map[string]any `json:"rooms"`
				} `json:"days"`
			} `json:"conference"`
		} `json:"schedule"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Schedule.Conference
	if c.Acronym != "foro_cdmx" || len(c.Days) != 2 || c.Days[0].Index != 1 {
		t.Fatalf("conference %+v", c)
	}
	first, second := c.Days[0].Rooms["En línea"], c.Days[1].Rooms["En línea"]
	if len(first) != 1 || len(second) != 1 || first[0]["duration"] != "23:59" || second[0]["duration"] != "23:59" ||
		first[0]["guid"] == second[0]["guid"] || first[0]["id"] == second[0]["id"] || first[0]["slug"] == second[0]["slug"] {
		t.Fatalf("the two-day session: %v / %v", first, second)
	}
	if first[0]["date"] != "2026-12-17T00:00:00-06:00" {
		t.Errorf("date %v, want the offset", first[0]["date"])
	}
	if s := schedule.Slugify("Sesión híbrida: ¿Infraestructuras críticas?"); s != "sesion-hibrida-infraestructuras-criticas" {
		t.Errorf("slug %q", s)
	}
}

// TestWhatConfClerkNeeds: what ConfClerk refuses or drops though the schemas allow it. Ids fit
// 32 bits (it refused a whole file over the id of a session's third day, 3000000002), speakers
// carry an id (it drops those without), no duration reads 24:00 (it takes that as none), and a
// day ends at 23:59 on its own clock, a day the clocks change too.
func TestWhatConfClerkNeeds(t *testing.T) {
	t.Parallel()
	zone, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	site := "https://convene.example"
	p := schedule.Programme{Title: "Forum", Acronym: "forum", URL: site + "/forums/forum", BaseURL: site + "/", Version: "1",
		Zone: zone, ZoneName: "Europe/Zurich", FirstDay: "2027-03-27", LastDay: "2027-03-30", Generator: "Convene", GeneratorVersion: "test",
		Rooms: []schedule.Room{{Name: "Online", GUID: schedule.GUID(site + "/online")}},
		Events: []schedule.Event{{ID: 1234567, GUID: schedule.GUID(site + "/sessions/1234567"), Room: "Online", Title: "Open all days", Type: "Open forum",
			Start: time.Date(2027, 3, 27, 0, 0, 0, 0, zone), End: time.Date(2027, 3, 31, 0, 0, 0, 0, zone), URL: site + "/sessions/1234567",
			Persons: []schedule.Person{{Name: "Ana Pérez", GUID: schedule.GUID(site + "/p/1")}}}}}
	js, xml := encode(t, p)
	schedtest.CheckJSON(t, "schedule.json", js)
	t.Run("schedule.xml against the XSD", func(t *testing.T) { schedtest.CheckXML(t, "schedule.xml", xml) })
	var doc struct {
		Schedule struct {
			Conference struct {
				Days []struct {
					Date   string                      `json:"date"`
					DayEnd string                      `json:"day_end"`
					Rooms  map[string][]map[string]any `json:"rooms"`
				} `json:"days"`
			} `json:"conference"`
		} `json:"schedule"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	days := doc.Schedule.Conference.Days
	if len(days) != 4 {
		t.Fatalf("%d days", len(days))
	}
	ids := map[float64]bool{}
	for _, d := range days {
		if !strings.HasPrefix(d.DayEnd, d.Date+"T23:59:00") {
			t.Errorf("day %s ends %s, want 23:59 that day", d.Date, d.DayEnd)
		}
		for _, e := range d.Rooms["Online"] {
			id := e["id"].(float64)
			if id >= 1<<31 || ids[id] {
				t.Errorf("day %s: event id %.0f does not fit 31 bits or is taken", d.Date, id)
			}
			ids[id] = true
			if e["duration"] == "24:00" {
				t.Errorf("day %s: a duration of 24:00", d.Date)
			}
			for _, ps := range e["persons"].([]any) {
				if _, ok := ps.(map[string]any)["id"]; !ok {
					t.Errorf("day %s: a speaker without an id", d.Date)
				}
			}
		}
	}
	if !bytes.Contains(xml, []byte(`<person id="`)) {
		t.Error("schedule.xml: a speaker without an id")
	}
	if !bytes.Contains(xml, []byte(`end="2027-03-28T23:59:00+02:00"`)) {
		t.Error("schedule.xml: the day the clocks change does not end at 23:59 on its clock")
	}
}

// TestChecksRefuse: the checks catch what the schemas forbid, so a passing export means
// something: a member the schema does not name, a missing guid, a relative URL, a time without
// its offset, a number given as a string.
func TestChecksRefuse(t *testing.T) {
	t.Parallel()
	js, xml := encode(t, sample(t))
	cases := []struct{ name, from, to string }{
		{"a member the schema does not name", `"title": "Inauguración",`, `"title": "Inauguración", "colour": "red",`},
		{"no guid", `"guid": "` + schedule.GUID("https://convene.example/sessions/1") + `",`, ``},
		{"a relative URL", `"url": "https://convene.example/sessions/1"`, `"url": "/sessions/1"`},
		{"a number as a string", `"daysCount": 2`, `"daysCount": "2"`},
		{"an acronym with hyphens", `"acronym": "foro_cdmx"`, `"acronym": "foro-cdmx"`},
	}
	for _, tc := range cases {
		bad := strings.Replace(string(js), tc.from, tc.to, 1)
		if bad == string(js) {
			t.Fatalf("%s: %q is not in the file", tc.name, tc.from)
		}
		ft := &fakeT{TB: t}
		schedtest.CheckJSON(ft, tc.name, []byte(bad))
		if !ft.failed {
			t.Errorf("JSON with %s passed", tc.name)
		}
	}
	if why := schedtest.SkipXML(); why != "" {
		t.Skip(why) // the JSON cases above ran
	}
	xcases := []struct{ name, from, to string }{
		{"an element the schema does not name", "<title>Inauguración</title>", "<title>Inauguración</title><colour>red</colour>"},
		{"a time without its offset", "<date>2026-12-17T09:30:00-06:00</date>", "<date>2026-12-17T09:30:00</date>"},
		{"a duration over 99 hours", "<duration>01:00</duration>", "<duration>167:59</duration>"},
	}
	for _, tc := range xcases {
		bad := strings.Replace(string(xml), tc.from, tc.to, 1)
		if bad == string(xml) {
			t.Fatalf("%s: %q is not in the file", tc.name, tc.from)
		}
		ft := &fakeT{TB: t}
		schedtest.CheckXML(ft, tc.name, []byte(bad))
		if !ft.failed {
			t.Errorf("XML with %s passed", tc.name)
		}
	}
}

// fakeT records a failure instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Fatal(...any)          { f.failed = true }
