package web

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
	"github.com/convene/convene/app/web/openapi"
)

// apiQuestion is one of a forum's own questions.
type apiQuestion struct {
	ID       int64             `json:"id"`
	Kind     string            `json:"kind" enum:"short_text,long_text,single,multiple"`
	Label    translated.Text   `json:"label"`
	Options  []translated.Text `json:"options" doc:"Choices of single and multiple questions; an answer is the index of the option chosen, as a string."`
	Required bool              `json:"required"`
}

// apiRegistrationForm says what registering for a forum asks, so a client can build its form.
type apiRegistrationForm struct {
	ForumID           int64         `json:"forum_id"`
	Open              bool          `json:"open" doc:"Registration is open now."`
	Opens             *time.Time    `json:"opens,omitempty"`
	Closes            time.Time     `json:"closes"`
	Approval          bool          `json:"approval" doc:"Organisers approve each registration: it stays pending until then."`
	Modes             []string      `json:"modes" doc:"The attendance modes the forum offers (in_person, online)."`
	StakeholderGroups []string      `json:"stakeholder_groups" doc:"The groups of the forum's process; one is required."`
	Roles             []string      `json:"roles"`
	Genders           []string      `json:"genders" doc:"Optional; only ever reported in aggregate."`
	PrivacyVersion    string        `json:"privacy_version" doc:"The privacy notice's current version: a registration accepts it by sending it."`
	PrivacyURL        string        `json:"privacy_url"`
	Questions         []apiQuestion `json:"questions"`
}

// apiRegistrationInput registers the caller; it takes what the form asks.
type apiRegistrationInput struct {
	Mode             string              `json:"mode,omitempty" enum:"in_person,online" doc:"None for a place at a session."`
	StakeholderGroup string              `json:"stakeholder_group"`
	Organisation     string              `json:"organisation"`
	Country          string              `json:"country" doc:"ISO 3166-1 alpha-2, e.g. MX."`
	Role             string              `json:"role" enum:"participant,expert,speaker,press"`
	Languages        []string            `json:"languages" doc:"ISO 639-1 codes."`
	Accessibility    string              `json:"accessibility"`
	Gender           string              `json:"gender"`
	GenderSelf       string              `json:"gender_self,omitempty" doc:"With gender self_described: how the person describes it."`
	PrivacyVersion   string              `json:"privacy_version" doc:"The version of the privacy notice accepted; it must be the current one."`
	ConsentNamed     bool                `json:"consent_named" doc:"Agrees to be named in published minutes."`
	Answers          map[string][]string `json:"answers" doc:"Answers to the forum's questions, by question id."`
}

func (b apiRegistrationInput) form() (registration.Form, error) {
	f := registration.Form{Mode: b.Mode, Group: b.StakeholderGroup, Organisation: b.Organisation, Country: b.Country, Role: b.Role,
		Languages: b.Languages, Accessibility: b.Accessibility, Gender: b.Gender, GenderSelf: b.GenderSelf, PrivacyVersion: b.PrivacyVersion,
		ConsentNamed: b.ConsentNamed, Answers: map[int64][]string{}}
	for k, v := range b.Answers {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || id < 1 {
			return f, validate.Errors{{Field: "answers." + k, Code: registration.CodeChoice}}
		}
		f.Answers[id] = v
	}
	return f, nil
}

// apiRegistration is a registration as its holder (or an organiser) sees it.
type apiRegistration struct {
	ID               int64               `json:"id"`
	ForumID          int64               `json:"forum_id"`
	SessionID        int64               `json:"session_id,omitempty" doc:"The session, for a place at a session with places of its own."`
	Status           string              `json:"status" enum:"pending,confirmed,waitlisted,offered,cancelled,declined,expired"`
	Position         int                 `json:"position,omitempty" doc:"Place on the waiting list (1 is next), while waitlisted."`
	OfferExpires     *time.Time          `json:"offer_expires,omitempty" doc:"Until when an offered place waits to be accepted."`
	Mode             string              `json:"mode,omitempty" enum:"in_person,online" doc:"None for a place at a session."`
	Name             string              `json:"name"`
	Email            string              `json:"email"`
	StakeholderGroup string              `json:"stakeholder_group"`
	Organisation     string              `json:"organisation"`
	Country          string              `json:"country"`
	Role             string              `json:"role"`
	Languages        []string            `json:"languages"`
	Accessibility    string              `json:"accessibility"`
	Gender           string              `json:"gender,omitempty" doc:"Only in the holder's own registration: organisers see genders in aggregate only."`
	GenderSelf       string              `json:"gender_self,omitempty" doc:"Only in the holder's own registration."`
	PrivacyVersion   string              `json:"privacy_version"`
	ConsentNamed     bool                `json:"consent_named"`
	Answers          map[string][]string `json:"answers"`
	Code             string              `json:"check_in_code,omitempty" doc:"The code on the badge, once confirmed."`
	CheckedIn        *time.Time          `json:"checked_in,omitempty"`
	Created          time.Time           `json:"created"`
	Updated          time.Time           `json:"updated"`
}

type apiRegistrationList struct {
	Registrations []apiRegistration `json:"registrations"`
	Total         int               `json:"total"`
}

// toAPIRegistration is r as its holder sees it; organisers' lists leave out the gender.
func toAPIRegistration(r registration.Registration) apiRegistration {
	out := apiRegistration{ID: r.ID, ForumID: r.ForumID, SessionID: r.SessionID, Status: r.Status, Position: r.Position, OfferExpires: r.OfferExpiresAt,
		Mode: r.Mode, Name: r.Name, Email: r.Email, StakeholderGroup: r.Group, Organisation: r.Organisation, Country: r.Country,
		Role: r.Role, Languages: r.Languages, Accessibility: r.Accessibility, Gender: r.Gender, GenderSelf: r.GenderSelf, PrivacyVersion: r.PrivacyVersion,
		ConsentNamed: r.ConsentNamed, Answers: map[string][]string{}, CheckedIn: r.CheckedInAt, Created: r.CreatedAt, Updated: r.UpdatedAt}
	if r.Holds() {
		out.Code = r.Code
	}
	if out.Languages == nil {
		out.Languages = []string{}
	}
	for id, v := range r.Answers {
		out.Answers[strconv.FormatInt(id, 10)] = v
	}
	return out
}

// apiRegistrationChange changes one's own registration.
type apiRegistrationChange struct {
	Mode string `json:"mode" enum:"in_person,online"`
}

// apiRegistrationSettings is a forum's registration policy, as organisers set it.
type apiRegistrationSettings struct {
	Opens      *time.Time       `json:"opens" doc:"When registration opens; null: as soon as the forum is published."`
	Closes     *time.Time       `json:"closes" doc:"When it closes; null: when the forum ends."`
	Approval   bool             `json:"approval"`
	OfferHours int              `json:"offer_hours" doc:"0: a freed place goes straight to the next in line; N: it is offered for N hours."`
	MinShare   int              `json:"min_share" doc:"Per cent: organisers are warned when a group's share of confirmed places falls below it."`
	InPerson   *int             `json:"capacity_in_person" doc:"Seats at the venue; null: unlimited."`
	Online     *int             `json:"capacity_online" doc:"Online places; null: unlimited."`
	Quotas     []apiQuota       `json:"quotas"`
	Questions  []apiQuestionSet `json:"questions"`
	ForumID    int64            `json:"forum_id" doc:"Output only."`
	Places     []apiPlaces      `json:"places" doc:"Output only: each row of places and how many are taken."`
}

type apiQuota struct {
	Group     string     `json:"stakeholder_group"`
	Mode      string     `json:"mode" enum:"in_person,online"`
	Seats     int        `json:"seats"`
	ReleaseAt *time.Time `json:"release_at" doc:"When unused reserved seats go to everyone; null: never."`
}

type apiQuestionSet struct {
	ID       int64             `json:"id" doc:"An existing question's id keeps its answers; 0 adds one."`
	Kind     string            `json:"kind" enum:"short_text,long_text,single,multiple"`
	Label    translated.Text   `json:"label"`
	Options  []translated.Text `json:"options"`
	Required bool              `json:"required"`
}

type apiPlaces struct {
	Mode     string `json:"mode"`
	Group    string `json:"stakeholder_group,omitempty"`
	Capacity *int   `json:"capacity"`
	Taken    int    `json:"taken"`
}

func (b apiRegistrationSettings) input() registration.SettingsInput {
	in := registration.SettingsInput{OpensAt: b.Opens, ClosesAt: b.Closes, Approval: b.Approval, OfferHours: b.OfferHours,
		MinShare: b.MinShare, InPerson: b.InPerson, Online: b.Online}
	for _, q := range b.Quotas {
		in.Quotas = append(in.Quotas, registration.Quota{Group: q.Group, Mode: q.Mode, Seats: q.Seats, ReleaseAt: q.ReleaseAt})
	}
	for _, q := range b.Questions {
		in.Questions = append(in.Questions, registration.QuestionInput{ID: q.ID, Kind: q.Kind, Label: q.Label, Options: q.Options, Required: q.Required})
	}
	return in
}

func toAPISettings(forumID int64, c registration.Current) apiRegistrationSettings {
	out := apiRegistrationSettings{ForumID: forumID, Opens: c.Settings.OpensAt, Closes: c.Settings.ClosesAt, Approval: c.Settings.Approval,
		OfferHours: c.Settings.OfferHours, MinShare: c.Settings.MinShare, InPerson: c.Capacity[registration.ModeInPerson],
		Online: c.Capacity[registration.ModeOnline], Quotas: []apiQuota{}, Questions: []apiQuestionSet{}, Places: []apiPlaces{}}
	for _, q := range c.Quotas {
		out.Quotas = append(out.Quotas, apiQuota{Group: q.Group, Mode: q.Mode, Seats: q.Seats, ReleaseAt: q.ReleaseAt})
	}
	for _, q := range c.Questions {
		out.Questions = append(out.Questions, apiQuestionSet{ID: q.ID, Kind: q.Kind, Label: q.Label, Options: q.Options, Required: q.Required})
	}
	for _, p := range c.Places {
		if p.SessionID == 0 {
			out.Places = append(out.Places, apiPlaces{Mode: p.Mode, Group: p.Group, Capacity: p.Capacity, Taken: p.Taken})
		}
	}
	return out
}

// registrationAPIDocs describes the registration routes for the OpenAPI document.
func registrationAPIDocs() []openapi.Op {
	forumID := map[string]string{"id": "The forum's id."}
	regID := map[string]string{"id": "The registration's id."}
	writeErrors := []int{400, 401, 403, 404, 409, 422, 429}
	return []openapi.Op{
		{Method: "GET", Path: "/forums/:id/registration", ID: "getRegistrationForm", Params: forumID,
			Summary: "What registering for a forum asks: modes, groups, roles, the privacy notice's version and the forum's own questions.",
			Status:  200, Response: apiRegistrationForm{}, Errors: []int{404, 409}},
		{Method: "PUT", Path: "/forums/:id/registration/settings", ID: "setRegistrationSettings", Params: forumID, Auth: true,
			Summary: "Open registration or change its policy (the forum's organisers): capacities, quotas, approval, offers, questions. Added places go to those in line at once.",
			Body:    apiRegistrationSettings{}, Status: 200, Response: apiRegistrationSettings{}, Errors: writeErrors},
		{Method: "GET", Path: "/forums/:id/registration/settings", ID: "getRegistrationSettings", Params: forumID, Auth: true,
			Summary: "A forum's registration policy and its places taken (the forum's organisers).",
			Status:  200, Response: apiRegistrationSettings{}, Errors: []int{401, 403, 404}},
		{Method: "POST", Path: "/forums/:id/registrations", ID: "register", Params: forumID, Auth: true,
			Summary: "Register the caller: confirmed when a place is free, else waitlisted with a position (or pending when the forum approves registrations).",
			Body:    apiRegistrationInput{}, Status: 201, Response: apiRegistration{}, Errors: writeErrors},
		{Method: "POST", Path: "/sessions/:id/registrations", ID: "registerForSession", Params: map[string]string{"id": "The session's id."}, Auth: true,
			Summary: "Take a place at a session with places of its own, for a caller confirmed at its forum: confirmed while places last, else waitlisted with a position.",
			Status:  201, Response: apiRegistration{}, Errors: writeErrors},
		{Method: "GET", Path: "/forums/:id/registrations", ID: "listForumRegistrations", Params: forumID, Auth: true,
			Summary: "A forum's registrants (its organisers), filtered by status, mode, stakeholder_group, country and q (name, email, organisation or code); limit and offset page.",
			Status:  200, Response: apiRegistrationList{}, Errors: []int{401, 403, 404, 422}},
		{Method: "GET", Path: "/registrations", ID: "listMyRegistrations", Auth: true,
			Summary: "The caller's registrations, newest first.", Status: 200, Response: apiRegistrationList{}, Errors: []int{401}},
		{Method: "GET", Path: "/registrations/:id", ID: "getRegistration", Params: regID, Auth: true,
			Summary: "One of the caller's registrations.", Status: 200, Response: apiRegistration{}, Errors: []int{401, 404}},
		{Method: "PATCH", Path: "/registrations/:id", ID: "changeRegistration", Params: regID, Auth: true,
			Summary: "Move one of the caller's registrations to another attendance mode: a seat moves only to a free one.",
			Body:    apiRegistrationChange{}, Status: 200, Response: apiRegistration{}, Errors: writeErrors},
		{Method: "POST", Path: "/registrations/:id/accept", ID: "acceptOffer", Params: regID, Auth: true,
			Summary: "Accept a place offered from the waiting list, before it expires.", Status: 200, Response: apiRegistration{},
			Errors: []int{401, 404, 409, 410, 429}},
		{Method: "DELETE", Path: "/registrations/:id", ID: "cancelRegistration", Params: regID, Auth: true,
			Summary: "Cancel one of the caller's registrations: a place it held goes to the next in line.", Status: 200,
			Response: apiRegistration{}, Errors: []int{401, 404, 409, 429}},
	}
}

func (s *Server) apiRegistrationForm(c *fiber.Ctx) error {
	fc, err := s.apiForumOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	st, err := registration.SettingsOf(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	qs, err := registration.Questions(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	opens, closes := registration.Window(fc.Forum, st)
	now := s.Clock.Now()
	out := apiRegistrationForm{ForumID: fc.Forum.ID, Open: !now.Before(opens) && now.Before(closes) && fc.Forum.Status == "published",
		Closes: closes, Approval: st.Approval, Modes: registration.ModesOf(fc.Forum), StakeholderGroups: fc.Process.StakeholderGroups,
		Roles: registration.Roles(), Genders: registration.Genders(), PrivacyVersion: privacy.Version,
		PrivacyURL: s.Config.BaseURL + "/privacy", Questions: []apiQuestion{}}
	if st.OpensAt != nil {
		out.Opens = st.OpensAt
	}
	for _, q := range qs {
		out.Questions = append(out.Questions, apiQuestion{ID: q.ID, Kind: q.Kind, Label: q.Label, Options: q.Options, Required: q.Required})
	}
	return c.JSON(out)
}

func (s *Server) apiRegistrationSettings(c *fiber.Ctx) error {
	fc := adminForum(c)
	cur, err := registration.ReadCurrent(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	return c.JSON(toAPISettings(fc.Forum.ID, cur))
}

func (s *Server) apiSetRegistrationSettings(c *fiber.Ctx) error {
	fc := adminForum(c)
	var body apiRegistrationSettings
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	cur, err := s.Registration.Configure(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, body.input())
	if err != nil {
		return err
	}
	return c.JSON(toAPISettings(fc.Forum.ID, cur))
}

// apiRegister registers the caller. It reads only what the domain needs, so a room full of
// people registering at once costs one transaction each.
func (s *Server) apiRegister(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	var body apiRegistrationInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	in, err := body.form()
	if err != nil {
		return err
	}
	r, _, err := s.Registration.Register(c.UserContext(), id, s.owner(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIRegistration(r))
}

func (s *Server) apiRegisterSession(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	r, _, err := s.Registration.RegisterSession(c.UserContext(), id, registration.Holder{AccountID: account(c).ID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIRegistration(r))
}

func (s *Server) apiMyRegistrations(c *fiber.Ctx) error {
	rs, err := registration.Mine(c.UserContext(), s.DB, account(c).ID)
	if err != nil {
		return err
	}
	out := apiRegistrationList{Registrations: make([]apiRegistration, len(rs)), Total: len(rs)}
	for i, r := range rs {
		out.Registrations[i] = toAPIRegistration(r)
	}
	return c.JSON(out)
}

func (s *Server) apiGetRegistration(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	r, err := registration.OneOf(c.UserContext(), s.DB, account(c).ID, id)
	if err != nil {
		return err
	}
	return c.JSON(toAPIRegistration(r))
}

func (s *Server) apiChangeRegistration(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	var body apiRegistrationChange
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	r, err := s.Registration.ChangeMode(c.UserContext(), id, registration.Holder{AccountID: account(c).ID}, body.Mode)
	if err != nil {
		return err
	}
	return c.JSON(toAPIRegistration(r))
}

func (s *Server) apiAcceptOffer(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.Registration.Accept(c.UserContext(), id, registration.Holder{AccountID: account(c).ID})
	if err != nil {
		return err
	}
	return c.JSON(toAPIRegistration(r))
}

func (s *Server) apiCancelRegistration(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	r, err := s.Registration.Cancel(c.UserContext(), id, registration.Holder{AccountID: account(c).ID})
	if err != nil {
		return err
	}
	return c.JSON(toAPIRegistration(r))
}

// apiForumRegistrations lists a forum's registrants for its organisers.
func (s *Server) apiForumRegistrations(c *fiber.Ctx) error {
	fc := adminForum(c)
	f, err := registrantFilter(c)
	if err != nil {
		return err
	}
	rs, n, err := registration.List(c.UserContext(), s.DB, fc.Forum.ID, f)
	if err != nil {
		return err
	}
	if err := registration.WithPositions(c.UserContext(), s.DB, rs); err != nil {
		return err
	}
	out := apiRegistrationList{Registrations: make([]apiRegistration, len(rs)), Total: n}
	for i, r := range rs {
		out.Registrations[i] = toAPIRegistration(r)
		out.Registrations[i].Gender, out.Registrations[i].GenderSelf = "", "" // in aggregate only, as the form promises
	}
	return c.JSON(out)
}

// registrantFilter reads an organiser's filters, refusing values that cannot match.
func registrantFilter(c *fiber.Ctx) (registration.Filter, error) {
	f := registration.Filter{Status: strings.Clone(c.Query("status")), Mode: strings.Clone(c.Query("mode")),
		Group: strings.Clone(c.Query("stakeholder_group")), Country: strings.ToUpper(strings.Clone(c.Query("country"))),
		Search: strings.Clone(c.Query("q")), Limit: 100}
	var es validate.Errors
	if f.Status != "" && !slices.Contains(registration.Statuses(), f.Status) {
		es.Add("status", validate.Invalid, nil)
	}
	if f.Mode != "" && !slices.Contains(registration.Modes(), f.Mode) {
		es.Add("mode", registration.CodeMode, nil)
	}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &f.Limit, 1000}, {"offset", &f.Offset, 1 << 30}} {
		if v := c.Query(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > p.max || (p.name == "limit" && n == 0) {
				es.Add(p.name, validate.Invalid, nil)
				continue
			}
			*p.dst = n
		}
	}
	if len(f.Search) > 200 {
		es.Add("q", validate.TooLong, map[string]any{"Max": 200})
	}
	return f, es.Err()
}
