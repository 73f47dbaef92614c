package web

import (
	"bytes"
	"cmp"
	"io"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/schedule"
)

// programmeOf is a forum's programme as the schedule formats carry it, in language l: its
// sessions (cancelled ones kept, their titles saying so, so apps that merge on reload show
// it), rooms in use (and one for online sessions), its objectives and axes as tracks.
func (s *Server) programmeOf(c *fiber.Ctx, l string, fc *forumContext) (schedule.Programme, error) {
	ctx := c.UserContext()
	f, langs := fc.Forum, fc.Process.Languages
	sessions, err := forums.Programme(ctx, s.DB, f.ID)
	if err != nil {
		return schedule.Programme{}, err
	}
	rooms, err := forums.Rooms(ctx, s.DB, f.ID)
	if err != nil {
		return schedule.Programme{}, err
	}
	site := s.Config.BaseURL
	page := site + "/forums/" + f.Slug
	online := s.Locale.T(l, "forum.online", nil)
	p := schedule.Programme{Title: f.Title.In(l, langs...), Description: f.Description.In(l, langs...), Acronym: f.Slug,
		URL: page, BaseURL: site + "/", Zone: fc.Zone, ZoneName: f.TimeZone, FirstDay: f.StartsOn, LastDay: f.EndsOn,
		Generator: "Convene", GeneratorVersion: s.Version}
	latest := f.UpdatedAt
	usedRooms, usedTopics, anyOnline := map[int64]bool{}, map[int64]bool{}, false
	for _, sv := range sessions {
		if sv.UpdatedAt.After(latest) {
			latest = sv.UpdatedAt
		}
		url := site + "/sessions/" + strconv.FormatInt(sv.ID, 10)
		title := sv.Title.In(l, langs...)
		if sv.Status == forums.SessionCancelled || f.Status == forums.StatusCancelled {
			title = s.Locale.T(l, "schedule.cancelled", map[string]any{"Title": title})
		}
		e := schedule.Event{ID: sv.ID, GUID: schedule.GUID(url), Room: sv.Room, Title: title, SlugTitle: sv.Title.In(l, langs...),
			Type: s.Locale.T(l, "session.kind."+sv.Kind, nil), Abstract: summary(sv.Description.In(l, langs...), 300),
			Description: sv.Description.In(l, langs...), Start: sv.StartsAt, End: sv.EndsAt, URL: url}
		if sv.Room == "" {
			e.Room, anyOnline = online, true
		}
		usedRooms[sv.RoomID] = true
		if len(sv.Languages) > 0 {
			e.Language = sv.Languages[0]
		}
		for i, id := range sv.TopicIDs {
			usedTopics[id] = true
			if i == 0 {
				t := fc.TopicBy[id]
				e.Track = t.Code + " " + t.Title.In(l, langs...)
			}
		}
		for _, sp := range sv.Speakers {
			e.Persons = append(e.Persons, schedule.Person{Name: sp.Name, Biography: sp.Bio.In(l, langs...),
				GUID: schedule.GUID(url + "#speaker-" + strconv.Itoa(sp.Position))})
		}
		if link := cmp.Or(fc.shown(sv).OnlineURL, f.OnlineURL); link != "" {
			e.Links = append(e.Links, schedule.Link{URL: link, Title: s.Locale.T(l, "forum.join_online", nil)})
		}
		p.Events = append(p.Events, e)
	}
	for _, r := range rooms {
		if usedRooms[r.ID] {
			p.Rooms = append(p.Rooms, schedule.Room{Name: r.Name, GUID: schedule.GUID(page + "#room-" + strconv.FormatInt(r.ID, 10)), Capacity: r.Capacity})
		}
	}
	if anyOnline {
		p.Rooms = append(p.Rooms, schedule.Room{Name: online, GUID: schedule.GUID(page + "#online")})
	}
	for _, t := range fc.Topics {
		if usedTopics[t.ID] {
			name := t.Code + " " + t.Title.In(l, langs...)
			p.Tracks = append(p.Tracks, schedule.Track{Name: name, Slug: schedule.Slugify(name)})
		}
	}
	p.Version = latest.UTC().Format(time.RFC3339)
	return p, nil
}

// scheduleExport answers a forum's programme in one of the schedule formats.
func (s *Server) scheduleExport(contentType string, write func(io.Writer, schedule.Programme, string) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		fc, err := s.forumOf(c)
		if err != nil {
			return err
		}
		p, err := s.programmeOf(c, feedLang(c), fc)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := write(&buf, p, s.Config.BaseURL+c.Path()); err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, contentType)
		return s.sendWithETag(c, buf.Bytes(), fc.Runs)
	}
}
