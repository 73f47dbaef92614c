package web

import (
	"cmp"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/web/form"
	"github.com/convene/convene/app/web/openapi"
)

// apiVenue is where an in-person or hybrid forum takes place.
type apiVenue struct {
	Name          string          `json:"name"`
	Address       string          `json:"address,omitempty"`
	MapURL        string          `json:"map_url,omitempty"`
	Accessibility translated.Text `json:"accessibility,omitempty"`
}

type apiRoom struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity" doc:"Places in the room; 0 when not stated."`
}

// apiForum is a forum as the API shows it.
type apiForum struct {
	ID          int64           `json:"id"`
	Process     string          `json:"process" doc:"The slug of the forum's process."`
	Slug        string          `json:"slug"`
	Title       translated.Text `json:"title"`
	Description translated.Text `json:"description"`
	Format      string          `json:"format" enum:"in_person,virtual,hybrid"`
	Venue       *apiVenue       `json:"venue,omitempty"`
	Rooms       []apiRoom       `json:"rooms"`
	OnlineURL   string          `json:"online_url,omitempty" doc:"Left out, when the forum takes registrations, for all but its confirmed participants and organisers."`
	TimeZone    string          `json:"time_zone" doc:"IANA time zone the forum's days and times are in."`
	StartsOn    string          `json:"starts_on" doc:"First day, YYYY-MM-DD in the forum's time zone."`
	EndsOn      string          `json:"ends_on" doc:"Last day, YYYY-MM-DD in the forum's time zone."`
	Status      string          `json:"status" enum:"draft,published,cancelled"`
	Sequence    int             `json:"sequence" doc:"Grows with every change a calendar shows once published."`
	URL         string          `json:"url" doc:"The forum's public page."`
	Calendar    string          `json:"calendar_url" doc:"The forum's iCalendar feed."`
}

type apiForumList struct {
	Forums []apiForum `json:"forums"`
}

func (s *Server) toAPIForum(f forums.Forum, processSlug string, rooms []forums.Room) apiForum {
	out := apiForum{ID: f.ID, Process: processSlug, Slug: f.Slug, Title: f.Title, Description: f.Description, Format: f.Format,
		OnlineURL: f.OnlineURL, TimeZone: f.TimeZone, StartsOn: f.StartsOn, EndsOn: f.EndsOn, Status: f.Status, Sequence: f.Sequence,
		URL: s.Config.BaseURL + "/forums/" + f.Slug, Calendar: s.Config.BaseURL + "/forums/" + f.Slug + ".ics", Rooms: []apiRoom{}}
	if f.VenueName != "" {
		out.Venue = &apiVenue{Name: f.VenueName, Address: f.VenueAddress, MapURL: f.MapURL, Accessibility: f.Accessibility}
	}
	for _, r := range rooms {
		out.Rooms = append(out.Rooms, apiRoom{ID: r.ID, Name: r.Name, Capacity: r.Capacity})
	}
	return out
}

// apiForumInput is the JSON body of forum writes; omitted members keep their value.
type apiForumInput struct {
	Slug          *string          `json:"slug"`
	Title         *translated.Text `json:"title"`
	Description   *translated.Text `json:"description"`
	Format        *string          `json:"format" enum:"in_person,virtual,hybrid"`
	VenueName     *string          `json:"venue_name"`
	VenueAddress  *string          `json:"venue_address"`
	MapURL        *string          `json:"map_url"`
	Accessibility *translated.Text `json:"accessibility"`
	OnlineURL     *string          `json:"online_url"`
	TimeZone      *string          `json:"time_zone" doc:"IANA time zone, e.g. America/Mexico_City."`
	StartsOn      *string          `json:"starts_on" doc:"YYYY-MM-DD."`
	EndsOn        *string          `json:"ends_on" doc:"YYYY-MM-DD."`
}

func (b apiForumInput) apply(in forums.Input) forums.Input {
	for _, p := range []struct {
		dst *string
		src *string
	}{{&in.Slug, b.Slug}, {&in.Format, b.Format}, {&in.VenueName, b.VenueName}, {&in.VenueAddress, b.VenueAddress},
		{&in.MapURL, b.MapURL}, {&in.OnlineURL, b.OnlineURL}, {&in.TimeZone, b.TimeZone}, {&in.StartsOn, b.StartsOn}, {&in.EndsOn, b.EndsOn}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	for _, p := range []struct {
		dst *translated.Text
		src *translated.Text
	}{{&in.Title, b.Title}, {&in.Description, b.Description}, {&in.Accessibility, b.Accessibility}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	return in
}

// apiRoomInput adds a room.
type apiRoomInput struct {
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
}

// apiSpeaker is a speaker as the API shows and takes one.
type apiSpeaker struct {
	Name        string          `json:"name"`
	Affiliation string          `json:"affiliation,omitempty"`
	Country     string          `json:"country,omitempty" doc:"ISO 3166-1 alpha-2, e.g. MX."`
	Group       string          `json:"stakeholder_group,omitempty"`
	Bio         translated.Text `json:"bio,omitempty"`
	Email       string          `json:"email,omitempty" doc:"Input only: links the speaker to the account with this email."`
}

type apiTopicRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
}

// apiSession is a session as the API shows it.
type apiSession struct {
	ID          int64           `json:"id"`
	ForumID     int64           `json:"forum_id"`
	Kind        string          `json:"kind" enum:"workshop,panel,plenary,roundtable,open_forum"`
	Title       translated.Text `json:"title"`
	Description translated.Text `json:"description"`
	Start       string          `json:"start" doc:"The start, with the forum's UTC offset (RFC 3339)."`
	End         string          `json:"end" doc:"The end, with the forum's UTC offset (RFC 3339)."`
	TimeZone    string          `json:"time_zone"`
	Room        *apiRoom        `json:"room,omitempty"`
	OnlineURL   string          `json:"online_url,omitempty" doc:"The session's own link, else the forum's; left out, when the forum takes registrations, for all but its confirmed participants and organisers."`
	Languages   []string        `json:"languages"`
	QAMode      string          `json:"qa_mode" enum:"off,open,premoderated"`
	Capacity    int             `json:"capacity" doc:"Places of a capped session; 0 when it has no cap of its own."`
	Status      string          `json:"status" enum:"scheduled,cancelled"`
	Sequence    int             `json:"sequence" doc:"The SEQUENCE calendars show for it."`
	Topics      []apiTopicRef   `json:"topics"`
	Speakers    []apiSpeaker    `json:"speakers"`
	Moderators  []string        `json:"moderators" doc:"Names of its moderators."`
	Rapporteurs []string        `json:"rapporteurs" doc:"Names of its rapporteurs."`
	URL         string          `json:"url"`
	Calendar    string          `json:"calendar_url"`
}

type apiSessionList struct {
	Sessions []apiSession `json:"sessions"`
}

func (s *Server) toAPISession(fc *forumContext, sv forums.SessionView) apiSession {
	f := fc.Forum
	out := apiSession{ID: sv.ID, ForumID: sv.ForumID, Kind: sv.Kind, Title: sv.Title, Description: sv.Description,
		Start: sv.StartsAt.In(fc.Zone).Format(time.RFC3339), End: sv.EndsAt.In(fc.Zone).Format(time.RFC3339), TimeZone: f.TimeZone,
		OnlineURL: cmp.Or(fc.shown(sv).OnlineURL, f.OnlineURL), Languages: sv.Languages, QAMode: sv.QAMode, Capacity: sv.Capacity,
		Status: sv.Status, Sequence: sv.CalendarSequence(f), Topics: []apiTopicRef{}, Speakers: []apiSpeaker{},
		Moderators: []string{}, Rapporteurs: []string{},
		URL:      s.Config.BaseURL + "/sessions/" + strconv.FormatInt(sv.ID, 10),
		Calendar: s.Config.BaseURL + "/sessions/" + strconv.FormatInt(sv.ID, 10) + ".ics"}
	if sv.RoomID != 0 {
		out.Room = &apiRoom{ID: sv.RoomID, Name: sv.Room}
	}
	for _, id := range sv.TopicIDs {
		out.Topics = append(out.Topics, apiTopicRef{ID: id, Code: fc.TopicBy[id].Code})
	}
	for _, sp := range sv.Speakers {
		out.Speakers = append(out.Speakers, apiSpeaker{Name: sp.Name, Affiliation: sp.Affiliation, Country: sp.Country, Group: sp.Group, Bio: sp.Bio})
	}
	for _, m := range sv.Moderators {
		out.Moderators = append(out.Moderators, m.Name)
	}
	for _, m := range sv.Rapporteurs {
		out.Rapporteurs = append(out.Rapporteurs, m.Name)
	}
	return out
}

// apiSessionInput is the JSON body of session writes; omitted members keep their value.
type apiSessionInput struct {
	Kind         *string          `json:"kind" enum:"workshop,panel,plenary,roundtable,open_forum"`
	Title        *translated.Text `json:"title"`
	Description  *translated.Text `json:"description"`
	Start        *string          `json:"start" doc:"Wall-clock time in the forum's zone: 2026-12-17T10:00."`
	End          *string          `json:"end" doc:"Wall-clock time in the forum's zone: 2026-12-17T11:30."`
	RoomID       *int64           `json:"room_id" doc:"A room of the forum; 0 for none (online)."`
	OnlineURL    *string          `json:"online_url"`
	Languages    *[]string        `json:"languages" doc:"ISO 639-1 codes."`
	QAMode       *string          `json:"qa_mode" enum:"off,open,premoderated"`
	Capacity     *int             `json:"capacity"`
	TopicIDs     *[]int64         `json:"topic_ids" doc:"Objectives and axes of the forum's process."`
	Speakers     *[]apiSpeaker    `json:"speakers"`
	Moderators   *[]string        `json:"moderators" doc:"Addresses of the moderators: each is invited by mail, and holds the role (and is named) once they accept. Omitted: those holding or invited keep it."`
	Rapporteur   *string          `json:"rapporteur" doc:"Address of the rapporteur, invited as the moderators are, or empty for none."`
	ConfirmClash bool             `json:"confirm_clash" doc:"Keep the session although a speaker is elsewhere then (409 speaker_clash otherwise)."`
}

func (b apiSessionInput) apply(in forums.SessionInput) forums.SessionInput {
	for _, p := range []struct {
		dst *string
		src *string
	}{{&in.Kind, b.Kind}, {&in.Start, b.Start}, {&in.End, b.End}, {&in.OnlineURL, b.OnlineURL}, {&in.QAMode, b.QAMode}, {&in.Rapporteur, b.Rapporteur}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	if b.Title != nil {
		in.Title = *b.Title
	}
	if b.Description != nil {
		in.Description = *b.Description
	}
	if b.RoomID != nil {
		in.RoomID = *b.RoomID
	}
	if b.Languages != nil {
		in.Languages = *b.Languages
	}
	if b.Capacity != nil {
		in.Capacity = *b.Capacity
	}
	if b.TopicIDs != nil {
		in.TopicIDs = *b.TopicIDs
	}
	if b.Moderators != nil {
		in.Moderators = *b.Moderators
	}
	if b.Speakers != nil {
		in.Speakers = nil
		for _, sp := range *b.Speakers {
			in.Speakers = append(in.Speakers, forums.SpeakerInput{Name: sp.Name, Affiliation: sp.Affiliation, Country: sp.Country,
				Group: sp.Group, Email: sp.Email, Bio: sp.Bio})
		}
	}
	in.ConfirmClash = b.ConfirmClash
	return in
}

// forumAPIDocs describes the forum and session routes for the OpenAPI document.
func forumAPIDocs() []openapi.Op {
	slug := map[string]string{"slug": "The process's slug."}
	forumID := map[string]string{"id": "The forum's id."}
	sessionID := map[string]string{"id": "The session's id."}
	writeErrors := []int{400, 401, 403, 404, 409, 422, 429}
	return []openapi.Op{
		{Method: "GET", Path: "/processes/:slug/forums", ID: "listForums", Params: slug,
			Summary: "A process's forums by their first day (drafts only for those who run the process).",
			Status:  200, Response: apiForumList{}, Errors: []int{404}},
		{Method: "POST", Path: "/processes/:slug/forums", ID: "createForum", Params: slug, Auth: true,
			Summary: "Add a draft forum to a process (admin or its organiser).", Body: apiForumInput{},
			Status: 201, Response: apiForum{}, Errors: writeErrors},
		{Method: "GET", Path: "/forums/:id", ID: "getForum", Params: forumID,
			Summary: "One forum with its rooms.", Status: 200, Response: apiForum{}, Errors: []int{404}},
		{Method: "PATCH", Path: "/forums/:id", ID: "updateForum", Params: forumID, Auth: true,
			Summary: "Change a forum (admin or the organiser). Omitted members keep their value; once published, changes a calendar shows are recorded.",
			Body:    apiForumInput{}, Status: 200, Response: apiForum{}, Errors: writeErrors},
		{Method: "POST", Path: "/forums/:id/publish", ID: "publishForum", Params: forumID, Auth: true,
			Summary: "Publish a draft forum.", Status: 200, Response: apiForum{}, Errors: []int{401, 403, 404, 409, 429}},
		{Method: "POST", Path: "/forums/:id/cancel", ID: "cancelForum", Params: forumID, Auth: true,
			Summary: "Cancel a forum: it stays public, marked, and calendars remove its sessions.", Status: 200, Response: apiForum{},
			Errors: []int{401, 403, 404, 409, 429}},
		{Method: "POST", Path: "/forums/:id/rooms", ID: "addRoom", Params: forumID, Auth: true,
			Summary: "Add a room to a forum's venue.", Body: apiRoomInput{}, Status: 201, Response: apiRoom{}, Errors: writeErrors},
		{Method: "GET", Path: "/forums/:id/sessions", ID: "listSessions", Params: forumID,
			Summary: "A forum's sessions by start, cancelled ones included (marked).", Status: 200, Response: apiSessionList{}, Errors: []int{404}},
		{Method: "POST", Path: "/forums/:id/sessions", ID: "createSession", Params: forumID, Auth: true,
			Summary: "Add a session (admin or the organiser). A room taken then is refused (422 naming the other session); a speaker elsewhere then asks for confirm_clash (409).",
			Body:    apiSessionInput{}, Status: 201, Response: apiSession{}, Errors: writeErrors},
		{Method: "GET", Path: "/sessions/:id", ID: "getSession", Params: sessionID,
			Summary: "One session.", Status: 200, Response: apiSession{}, Errors: []int{404}},
		{Method: "PATCH", Path: "/sessions/:id", ID: "updateSession", Params: sessionID, Auth: true,
			Summary: "Change a session. Omitted members keep their value; once published, moves are recorded and grow its SEQUENCE.",
			Body:    apiSessionInput{}, Status: 200, Response: apiSession{}, Errors: writeErrors},
		{Method: "POST", Path: "/sessions/:id/cancel", ID: "cancelSession", Params: sessionID, Auth: true,
			Summary: "Cancel a session: it stays in the programme, marked, and calendars remove it.", Status: 200, Response: apiSession{},
			Errors: []int{401, 403, 404, 409, 429}},
	}
}

func (s *Server) apiListForums(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	runs, err := s.runs(c, p)
	if err != nil {
		return err
	}
	list, err := forums.List(c.UserContext(), s.DB, p.ID, !runs)
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, f := range list {
		ids[i] = f.ID
	}
	rooms, err := forums.RoomsOf(c.UserContext(), s.DB, ids)
	if err != nil {
		return err
	}
	open, err := registration.LinksOpen(c.UserContext(), s.DB, viewerID(c), ids...)
	if err != nil {
		return err
	}
	out := apiForumList{Forums: make([]apiForum, len(list))}
	for i, f := range list {
		if !runs && !open[f.ID] {
			f.OnlineURL = ""
		}
		out.Forums[i] = s.toAPIForum(f, p.Slug, rooms[f.ID])
	}
	return c.JSON(out)
}

func (s *Server) apiCreateForum(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	var body apiForumInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	f, err := s.Forums.Create(c.UserContext(), s.actor(c), p.ID, body.apply(forums.Input{}))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.toAPIForum(f, p.Slug, nil))
}

// apiForumOf finds the forum of the path (by id) if the viewer may see it.
func (s *Server) apiForumOf(c *fiber.Ctx) (*forumContext, error) {
	fc, err := s.forumOf(c)
	if err != nil {
		return nil, err
	}
	return s.withViewerLinks(c, fc)
}

func (s *Server) sendForum(c *fiber.Ctx, status int, fc *forumContext, f forums.Forum) error {
	rooms, err := forums.Rooms(c.UserContext(), s.DB, f.ID)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(s.toAPIForum(f, fc.Process.Slug, rooms))
}

// apiGetForum answers one forum; a draft is not there for those who do not run its process.
func (s *Server) apiGetForum(c *fiber.Ctx) error {
	fc, err := s.apiForumOf(c)
	if err != nil {
		return err
	}
	return s.sendForum(c, fiber.StatusOK, fc, fc.Forum)
}

func (s *Server) apiUpdateForum(c *fiber.Ctx) error {
	fc := adminForum(c)
	var body apiForumInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	f, err := s.Forums.Update(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, body.apply(fc.Forum.Input()))
	if err != nil {
		return err
	}
	return s.sendForum(c, fiber.StatusOK, fc, f)
}

func (s *Server) apiPublishForum(c *fiber.Ctx) error {
	fc := adminForum(c)
	f, err := s.Forums.Publish(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID)
	if err != nil {
		return err
	}
	return s.sendForum(c, fiber.StatusOK, fc, f)
}

func (s *Server) apiCancelForum(c *fiber.Ctx) error {
	fc := adminForum(c)
	f, err := s.Forums.Cancel(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID)
	if err != nil {
		return err
	}
	return s.sendForum(c, fiber.StatusOK, fc, f)
}

func (s *Server) apiAddRoom(c *fiber.Ctx) error {
	fc := adminForum(c)
	var body apiRoomInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	r, err := s.Forums.AddRoom(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, body.Name, body.Capacity)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(apiRoom{ID: r.ID, Name: r.Name, Capacity: r.Capacity})
}

func (s *Server) apiListSessions(c *fiber.Ctx) error {
	fc, err := s.apiForumOf(c)
	if err != nil {
		return err
	}
	list, err := forums.Programme(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	out := apiSessionList{Sessions: make([]apiSession, len(list))}
	for i, sv := range list {
		out.Sessions[i] = s.toAPISession(fc, sv)
	}
	return c.JSON(out)
}

func (s *Server) apiCreateSession(c *fiber.Ctx) error {
	fc := adminForum(c)
	var body apiSessionInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	created, err := s.Forums.CreateSession(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, body.apply(forums.SessionInput{}))
	if err != nil {
		return err
	}
	return s.sendSession(c, fiber.StatusCreated, fc, created.ID)
}

func (s *Server) sendSession(c *fiber.Ctx, status int, fc *forumContext, id int64) error {
	sv, err := forums.SessionByID(c.UserContext(), s.DB, id)
	if err != nil {
		return err
	}
	f, err := forums.Get(c.UserContext(), s.DB, sv.ForumID)
	if err != nil {
		return err
	}
	fc.Forum = f
	return c.Status(status).JSON(s.toAPISession(fc, sv))
}

func (s *Server) apiGetSession(c *fiber.Ctx) error {
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	if fc, err = s.withViewerLinks(c, fc); err != nil {
		return err
	}
	return c.JSON(s.toAPISession(fc, sv))
}

func (s *Server) apiUpdateSession(c *fiber.Ctx) error {
	sv, fc := adminSession(c)
	var body apiSessionInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	held, err := s.sessionHeld(c, fc, sv)
	if err != nil {
		return err
	}
	if _, err := s.Forums.UpdateSession(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, sv.ID, body.apply(held)); err != nil {
		return err
	}
	return s.sendSession(c, fiber.StatusOK, fc, sv.ID)
}

func (s *Server) apiCancelSession(c *fiber.Ctx) error {
	sv, fc := adminSession(c)
	if _, err := s.Forums.CancelSession(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, sv.ID); err != nil {
		return err
	}
	return s.sendSession(c, fiber.StatusOK, fc, sv.ID)
}

// sessionHeld is what a session holds now, as an organiser would write it: the starting point
// of a change. The people it names are those holding its roles and those invited to them
// (saving it again must not withdraw a pending invitation).
func (s *Server) sessionHeld(c *fiber.Ctx, fc *forumContext, sv forums.SessionView) (forums.SessionInput, error) {
	pending, err := access.PendingFor(c.UserContext(), s.DB, s.Clock.Now(), sv.ID)
	if err != nil {
		return forums.SessionInput{}, err
	}
	in := sessionInput(sv, fc.Zone)
	for _, inv := range pending {
		switch {
		case inv.Role == access.Moderator:
			in.Moderators = append(in.Moderators, inv.Email)
		case in.Rapporteur == "":
			in.Rapporteur = inv.Email
		}
	}
	return in, nil
}

func sessionInput(sv forums.SessionView, zone *time.Location) forums.SessionInput {
	in := forums.SessionInput{Kind: sv.Kind, Start: sv.StartsAt.In(zone).Format("2006-01-02T15:04"), End: sv.EndsAt.In(zone).Format("2006-01-02T15:04"),
		QAMode: sv.QAMode, OnlineURL: sv.OnlineURL, RoomID: sv.RoomID, Capacity: sv.Capacity, Title: sv.Title, Description: sv.Description,
		Languages: sv.Languages, TopicIDs: sv.TopicIDs}
	for _, sp := range sv.Speakers {
		in.Speakers = append(in.Speakers, forums.SpeakerInput{Name: sp.Name, Affiliation: sp.Affiliation, Country: sp.Country, Group: sp.Group,
			Bio: sp.Bio, AccountID: sp.AccountID})
	}
	for _, m := range sv.Moderators {
		in.Moderators = append(in.Moderators, m.Email)
	}
	if len(sv.Rapporteurs) > 0 {
		in.Rapporteur = sv.Rapporteurs[0].Email
	}
	return in
}
