package forums

import (
	"cmp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/convene/convene/app/calendar"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/processes"
)

// Events writes forums and sessions as calendar events, alike in feeds and in invites by mail,
// so an invite and a feed name the same event with the same UID.
type Events struct {
	BaseURL string
	// Organizer is who the events name as their ORGANIZER: the address that answers for the
	// site.
	Organizer calendar.Person
	Text      interface {
		T(lang, id string, data map[string]any) string
	}
}

// Host is the domain part of the UIDs: stable for the life of the site.
func (e Events) Host() string {
	if u, err := url.Parse(e.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "convene.invalid"
}

// SessionUID and ForumUID are the UIDs of a session's and a forum's events.
func (e Events) SessionUID(id int64) string {
	return "session-" + strconv.FormatInt(id, 10) + "@" + e.Host()
}

// ForumUID is the UID of a forum's own all-day event.
func (e Events) ForumUID(id int64) string {
	return "forum-" + strconv.FormatInt(id, 10) + "@" + e.Host()
}

// OrganizerOf is who the events of process p name as their ORGANIZER, in language l: its
// contact address when it has one (replies reach its organisers), else the site's.
func (e Events) OrganizerOf(p processes.Process, l string) calendar.Person {
	if p.ContactEmail == "" {
		return e.Organizer
	}
	return calendar.Person{Name: p.Title.In(l, p.Languages...), Email: p.ContactEmail}
}

// Session is a session as a calendar shows it, in language l.
func (e Events) Session(l string, f Forum, langs []string, topicBy map[int64]processes.Topic, sv SessionView) calendar.Event {
	page := e.BaseURL + "/sessions/" + strconv.FormatInt(sv.ID, 10)
	var desc []string
	if d := sv.Description.In(l, langs...); d != "" {
		desc = append(desc, d)
	}
	if len(sv.Speakers) > 0 {
		names := make([]string, len(sv.Speakers))
		for i, sp := range sv.Speakers {
			names[i] = sp.Name
			if sp.Affiliation != "" {
				names[i] += " (" + sp.Affiliation + ")"
			}
		}
		desc = append(desc, e.Text.T(l, "field.speakers", nil)+": "+strings.Join(names, "; "))
	}
	if link := cmp.Or(sv.OnlineURL, f.OnlineURL); link != "" {
		desc = append(desc, e.Text.T(l, "forum.join_online", nil)+": "+link)
	}
	desc = append(desc, page)
	var cats []string
	for _, id := range sv.TopicIDs {
		if t, ok := topicBy[id]; ok {
			cats = append(cats, t.Code+" "+t.Title.In(l, langs...))
		}
	}
	modified := sv.UpdatedAt
	if f.UpdatedAt.After(modified) {
		modified = f.UpdatedAt
	}
	return calendar.Event{
		UID: e.SessionUID(sv.ID), Sequence: sv.CalendarSequence(f),
		Start: sv.StartsAt, End: sv.EndsAt, Zone: f.TimeZone,
		Summary: sv.Title.In(l, langs...), Description: strings.Join(desc, "\n\n"),
		Location: e.Location(l, f, sv), URL: page, Categories: cats,
		Cancelled: sv.Status == SessionCancelled || f.Status == StatusCancelled, Modified: modified,
		Organizer: e.Organizer, Transparent: sv.EndsAt.Sub(sv.StartsAt) >= 24*time.Hour,
	}
}

// Forum is a forum as one all-day event over its days.
func (e Events) Forum(l string, f Forum, langs []string) calendar.Event {
	zone, err := clock.Zone(f.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	page := e.BaseURL + "/forums/" + f.Slug
	start, _ := time.ParseInLocation(time.DateOnly, f.StartsOn, zone)
	end, _ := time.ParseInLocation(time.DateOnly, f.EndsOn, zone)
	where := f.VenueName
	if f.VenueAddress != "" && where != "" {
		where += ", " + f.VenueAddress
	}
	if f.Format != FormatInPerson {
		where = strings.TrimPrefix(where+" · "+e.Text.T(l, "forum.online", nil), " · ")
	}
	return calendar.Event{UID: e.ForumUID(f.ID), Sequence: f.Sequence,
		Start: start, End: end, Zone: f.TimeZone, AllDay: true, Summary: f.Title.In(l, langs...),
		Description: strings.TrimSpace(f.Description.In(l, langs...) + "\n\n" + page), Location: where, URL: page,
		Cancelled: f.Status == StatusCancelled, Modified: f.UpdatedAt, Organizer: e.Organizer, Transparent: true}
}

// Location says where a session happens, as a calendar shows it: venue and room, "Online", or
// both for a hybrid forum.
func (e Events) Location(l string, f Forum, sv SessionView) string {
	var parts []string
	if f.Format != FormatVirtual && f.VenueName != "" {
		place := f.VenueName
		if sv.Room != "" {
			place = sv.Room + ", " + place
		}
		if f.VenueAddress != "" {
			place += ", " + f.VenueAddress
		}
		parts = append(parts, place)
	}
	if f.Format != FormatInPerson || sv.OnlineURL != "" {
		parts = append(parts, e.Text.T(l, "forum.online", nil))
	}
	return strings.Join(parts, " · ")
}
