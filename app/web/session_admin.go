package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/country"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// blankSpeakerRows is how many empty speaker rows the session form offers below the filled
// ones (without JavaScript a form cannot grow, and a session rarely has more).
const blankSpeakerRows = 3

// offeredLanguages are the languages the session form offers as boxes to tick (those of the
// region's processes and their guests); others are typed as codes.
var offeredLanguages = []string{"es", "en", "pt", "fr"}

// speakerKeys are the form fields of one speaker row, speakers.N.<key>.
var speakerKeys = []string{"name", "affiliation", "country", "group", "email"}

// sessionInputFromForm reads the session form. Values that are not what the form offers (a
// room or topic that is not a number) are refused naming their field, not read as none.
func sessionInputFromForm(c *fiber.Ctx) (forums.SessionInput, map[string]string, error) {
	f := form.Values(c, "kind", "start", "end", "room_id", "online_url", "qa_mode", "capacity", "languages_other", "moderators", "rapporteur", "confirm_clash")
	in := forums.SessionInput{Kind: f["kind"], Start: f["start"], End: f["end"], OnlineURL: f["online_url"], QAMode: f["qa_mode"],
		Rapporteur: f["rapporteur"], ConfirmClash: f["confirm_clash"] == "yes",
		Title: form.Translated(c, "title", f), Description: form.Translated(c, "description", f),
		Languages: append(form.Multi(c, "languages"), splitList(f["languages_other"])...), Moderators: splitList(f["moderators"])}
	for _, l := range form.Multi(c, "languages") {
		f["language."+l] = "yes"
	}
	var es validate.Errors
	if v := strings.TrimSpace(f["room_id"]); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 1 {
			es.Add("room_id", forums.CodeUnknownRoom, nil)
		}
		in.RoomID = id
	}
	if v := strings.TrimSpace(f["capacity"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			es.Add("capacity", forums.CodeCapacity, nil)
		}
		in.Capacity = n
	}
	for _, v := range form.Multi(c, "topics") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			es.Add("topics", forums.CodeUnknownTopic, nil)
			continue
		}
		in.TopicIDs = append(in.TopicIDs, id)
		f["topic."+v] = "yes"
	}
	// Rows are read by number, whichever are present: a row left out is not the end of the list.
	args := c.Request().PostArgs()
	keys := slices.Concat(speakerKeys, prefixed("bio.", locale.Supported()))
	for i := 0; i < 30; i++ {
		prefix := "speakers." + strconv.Itoa(i) + "."
		if !slices.ContainsFunc(keys, func(k string) bool { return args.Has(prefix + k) }) {
			continue
		}
		sf := form.Values(c, prefixed(prefix, speakerKeys)...)
		for k, v := range sf {
			f[k] = v
		}
		sp := forums.SpeakerInput{Name: sf[prefix+"name"], Affiliation: sf[prefix+"affiliation"], Country: sf[prefix+"country"],
			Group: sf[prefix+"group"], Email: sf[prefix+"email"], Bio: form.Translated(c, prefix+"bio", f)}
		for len(in.Speakers) < i { // keep row numbers, so errors name the row the form shows
			in.Speakers = append(in.Speakers, forums.SpeakerInput{})
		}
		in.Speakers = append(in.Speakers, sp)
	}
	return in, f, es.Err()
}

func prefixed(prefix string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = prefix + k
	}
	return out
}

// splitList reads "a@b.org, c@d.org" or "es en" as a list.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// sessionForm is what a session holds, as its form shows it.
func sessionForm(in forums.SessionInput) map[string]string {
	f := map[string]string{"kind": in.Kind, "start": in.Start, "end": in.End, "online_url": in.OnlineURL, "qa_mode": in.QAMode,
		"moderators": strings.Join(in.Moderators, ", "), "rapporteur": in.Rapporteur}
	var other []string
	for _, l := range in.Languages {
		if slices.Contains(offeredLanguages, l) {
			f["language."+l] = "yes"
		} else {
			other = append(other, l)
		}
	}
	f["languages_other"] = strings.Join(other, ", ")
	if in.RoomID != 0 {
		f["room_id"] = strconv.FormatInt(in.RoomID, 10)
	}
	if in.Capacity != 0 {
		f["capacity"] = strconv.Itoa(in.Capacity)
	}
	for _, l := range locale.Supported() {
		f["title."+l], f["description."+l] = in.Title[l], in.Description[l]
	}
	for _, id := range in.TopicIDs {
		f["topic."+strconv.FormatInt(id, 10)] = "yes"
	}
	for i, sp := range in.Speakers {
		p := "speakers." + strconv.Itoa(i) + "."
		f[p+"name"], f[p+"affiliation"], f[p+"country"], f[p+"group"], f[p+"email"] = sp.Name, sp.Affiliation, sp.Country, sp.Group, sp.Email
		for _, l := range locale.Supported() {
			f[p+"bio."+l] = sp.Bio[l]
		}
	}
	return f
}

// sessionFormData is what the session form needs besides the values: the forum's rooms, the
// process's topics and groups, the countries, and as many speaker rows as filled plus blanks.
func (s *Server) sessionFormData(c *fiber.Ctx, fc *forumContext, session *forums.SessionView, fields map[string]string) (map[string]any, error) {
	rooms, err := forums.Rooms(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	filled := 0 // rows with something typed in them
	for i := 0; i < 30; i++ {
		p := fmt.Sprintf("speakers.%d.", i)
		for _, k := range append(prefixed(p, speakerKeys), p+"bio.es", p+"bio.en") {
			if strings.TrimSpace(fields[k]) != "" {
				filled = i + 1
			}
		}
	}
	rows := make([]int, filled+blankSpeakerRows)
	for i := range rows {
		rows[i] = i
	}
	var invited []access.Invitation
	if session != nil {
		if invited, err = access.PendingFor(c.UserContext(), s.DB, s.Clock.Now(), session.ID); err != nil {
			return nil, err
		}
	}
	return map[string]any{"F": fc, "Session": session, "Invited": invited, "Rooms": rooms, "Kinds": forums.SessionKinds(), "QAModes": forums.QAModes(),
		"Countries": country.List(lang(c)), "Groups": fc.Process.StakeholderGroups, "SpeakerRows": rows, "Filled": filled, "Languages": fc.Process.Languages, "Spoken": offeredLanguages}, nil
}

func (s *Server) newSessionForm(c *fiber.Ctx) error {
	fc := adminForum(c)
	f := map[string]string{"kind": forums.KindPanel, "qa_mode": forums.QAOpen, "language." + fc.Process.Languages[0]: "yes",
		"start": fc.Forum.StartsOn + "T10:00", "end": fc.Forum.StartsOn + "T11:00"}
	d, err := s.sessionFormData(c, fc, nil, f)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/session_form", "admin.session_new", &Page{Form: f, Data: d})
}

func (s *Server) createSession(c *fiber.Ctx) error {
	fc := adminForum(c)
	in, f, err := sessionInputFromForm(c)
	var created forums.Session
	if err == nil {
		created, err = s.Forums.CreateSession(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, in)
	}
	if err != nil {
		d, derr := s.sessionFormData(c, fc, nil, f)
		if derr != nil {
			return derr
		}
		return s.formError(c, err, "admin/session_form", "admin.session_new", f, d)
	}
	return s.flash(c, "admin.session_created", "/admin/forums/"+strconv.FormatInt(fc.Forum.ID, 10)+"#session-"+strconv.FormatInt(created.ID, 10))
}

// adminSession finds the session of the path (:sid) within the forum the guard checked.
func (s *Server) adminSession(c *fiber.Ctx) (*forumContext, forums.SessionView, error) {
	fc := adminForum(c)
	id, err := form.ID(c, "sid")
	if err != nil {
		return fc, forums.SessionView{}, err
	}
	sv, err := forums.SessionByID(c.UserContext(), s.DB, id)
	if err != nil {
		return fc, sv, err
	}
	if sv.ForumID != fc.Forum.ID {
		return fc, sv, errNotFound
	}
	return fc, sv, nil
}

func (s *Server) editSessionForm(c *fiber.Ctx) error {
	fc, sv, err := s.adminSession(c)
	if err != nil {
		return err
	}
	held, err := s.sessionHeld(c, fc, sv)
	if err != nil {
		return err
	}
	f := sessionForm(held)
	d, err := s.sessionFormData(c, fc, &sv, f)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/session_form", "admin.session_edit", &Page{Form: f, Data: d})
}

func (s *Server) updateSession(c *fiber.Ctx) error {
	fc, sv, err := s.adminSession(c)
	if err != nil {
		return err
	}
	in, f, err := sessionInputFromForm(c)
	// A speaker row keeps the account it was linked to unless the form names another.
	held := sessionInput(sv, fc.Zone)
	for i := range in.Speakers {
		if i < len(held.Speakers) && in.Speakers[i].Email == "" && in.Speakers[i].Name == held.Speakers[i].Name {
			in.Speakers[i].AccountID = held.Speakers[i].AccountID
		}
	}
	if err == nil {
		_, err = s.Forums.UpdateSession(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, sv.ID, in)
	}
	if err != nil {
		d, derr := s.sessionFormData(c, fc, &sv, f)
		if derr != nil {
			return derr
		}
		return s.formError(c, err, "admin/session_form", "admin.session_edit", f, d)
	}
	return s.flash(c, "admin.session_saved", "/admin/forums/"+strconv.FormatInt(fc.Forum.ID, 10)+"#session-"+strconv.FormatInt(sv.ID, 10))
}

func (s *Server) cancelSessionAction(c *fiber.Ctx) error {
	fc, sv, err := s.adminSession(c)
	if err != nil {
		return err
	}
	back := "/admin/forums/" + strconv.FormatInt(fc.Forum.ID, 10)
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.session_cancel.title", BodyID: "confirm.session_cancel.body",
		ButtonID: "confirm.session_cancel.button", DangerOK: true, Hidden: map[string]string{},
		Data:      map[string]any{"Session": sv.Title.In(lang(c), fc.Process.Languages...)},
		CancelURL: back + "#session-" + strconv.FormatInt(sv.ID, 10)}); !ok {
		return err
	}
	if _, err := s.Forums.CancelSession(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, sv.ID); err != nil {
		return err
	}
	return s.flash(c, "admin.session_cancelled", back+"#sessions")
}
