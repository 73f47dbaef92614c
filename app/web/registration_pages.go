package web

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/country"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/spoken"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// The participant's pages: a forum's registration form, "My registrations" with what can be
// done to each, and a guest's page reached by the link mailed to them.

// regForm is what a forum's registration form needs.
type regForm struct {
	F         *forumContext
	Settings  registration.Settings
	Questions []registration.Question
	Modes     []string
	Opens     time.Time
	Closes    time.Time
	Open      bool
	NotYet    bool
	Existing  *registration.Registration
	Countries []country.Country
	Languages []string
	Privacy   string
	Guest     bool
	// Places is what each mode has left, as the forum's page says it.
	Places map[string]registration.Availability
	// OtherLanguages are the languages to choose from beyond those ticked.
	OtherLanguages []spoken.Language
}

// spokenLanguages are the languages the form offers to tick; another is chosen by its name.
var spokenLanguages = []string{"es", "en", "pt", "fr"}

func (s *Server) regFormData(c *fiber.Ctx, fc *forumContext) (*regForm, error) {
	ctx := c.UserContext()
	st, err := registration.SettingsOf(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	qs, err := registration.Questions(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	opens, closes := registration.Window(fc.Forum, st)
	d := &regForm{F: fc, Settings: st, Questions: qs, Modes: registration.ModesOf(fc.Forum), Opens: opens, Closes: closes,
		NotYet: now.Before(opens), Countries: country.List(lang(c)), Languages: spokenLanguages, Privacy: privacy.Version,
		OtherLanguages: spoken.List(lang(c), spokenLanguages...),
		Guest:          account(c) == nil}
	d.Open = fc.Forum.Status == forums.StatusPublished && !d.NotYet && now.Before(closes)
	places, err := registration.AvailabilityOf(ctx, s.DB, fc.Forum)
	if err != nil {
		return nil, err
	}
	d.Places = map[string]registration.Availability{}
	for _, a := range places {
		d.Places[a.Mode] = a
	}
	if a := account(c); a != nil {
		if d.Existing, err = registration.ForAccount(ctx, s.DB, a.ID, fc.Forum.ID); err != nil {
			return nil, err
		}
		if d.Existing != nil && !registration.Active(d.Existing.Status) && d.Existing.Status != registration.StatusDeclined {
			d.Existing = nil // cancelled or expired: they may register again
		}
	}
	return d, nil
}

// registrationOf is the forum of the path as the public sees it (drafts are not found), with
// what its registration form needs.
func (s *Server) registrationOf(c *fiber.Ctx) (*forumContext, *regForm, error) {
	fc, err := s.forumOf(c)
	if err != nil {
		return nil, nil, err
	}
	noCache(c)
	d, err := s.regFormData(c, fc)
	return fc, d, err
}

func (s *Server) registerForm(c *fiber.Ctx) error {
	fc, d, err := s.registrationOf(c)
	if err != nil {
		return err
	}
	f := map[string]string{"role": "participant", "mode": d.Modes[0]}
	if a := account(c); a != nil {
		f["languages."+a.Language] = "on"
		// What they said last time, where it still fits this forum's process.
		last, ok, err := registration.LastDetails(c.UserContext(), s.DB, a.ID)
		if err != nil {
			return err
		}
		if ok {
			if slices.Contains(fc.Process.StakeholderGroups, last.Group) {
				f["stakeholder_group"] = last.Group
			}
			f["organisation"], f["country"] = last.Organisation, last.Country
		}
	} else {
		f["languages."+lang(c)] = "on"
	}
	return s.page(c, fiber.StatusOK, "registrations/form", "", &Page{Title: s.regTitle(c, fc), Form: f, Data: d})
}

func (s *Server) regTitle(c *fiber.Ctx, fc *forumContext) string {
	return s.Locale.T(lang(c), "registration.form_title", map[string]any{"Forum": fc.Forum.Title.In(lang(c), fc.Process.Languages...)})
}

// regFromForm reads the registration form; answers come as answers.<question id>.
func regFromForm(c *fiber.Ctx, qs []registration.Question) (registration.Form, map[string]string) {
	f := form.Values(c, "name", "email", "mode", "stakeholder_group", "organisation", "country", "role", "accessibility", "gender", "gender_self",
		"privacy", "consent_named", "languages_other")
	in := registration.Form{Name: f["name"], Email: f["email"], Mode: f["mode"], Group: f["stakeholder_group"],
		Organisation: f["organisation"], Country: f["country"], Role: f["role"], Accessibility: f["accessibility"],
		Gender: f["gender"], GenderSelf: f["gender_self"], PrivacyVersion: f["privacy"], ConsentNamed: f["consent_named"] == "yes", Answers: map[int64][]string{}}
	for _, l := range form.Multi(c, "languages") {
		in.Languages = append(in.Languages, l)
		f["languages."+l] = "on"
	}
	for o := range strings.FieldsFuncSeq(f["languages_other"], func(r rune) bool { return r == ',' || r == ' ' }) {
		in.Languages = append(in.Languages, o)
	}
	for _, q := range qs {
		name := "answers." + strconv.FormatInt(q.ID, 10)
		vs := form.Multi(c, name)
		if q.Kind == registration.KindShortText || q.Kind == registration.KindLongText {
			vs = []string{strings.Clone(c.FormValue(name))}
		}
		in.Answers[q.ID] = vs
		for _, v := range vs {
			f[name+"."+v] = "on"
		}
		if len(vs) == 1 {
			f[name] = vs[0]
		}
	}
	return in, f
}

func (s *Server) register(c *fiber.Ctx) error {
	fc, d, err := s.registrationOf(c)
	if err != nil {
		return err
	}
	in, f := regFromForm(c, d.Questions)
	owner := s.owner(c)
	r, _, err := s.Registration.Register(c.UserContext(), fc.Forum.ID, owner, in)
	if err != nil {
		return s.regFormError(c, fc, err, f, d)
	}
	if owner.AccountID == 0 {
		// Whatever the address already holds, a guest is told the same: look in your mail.
		return s.page(c, fiber.StatusOK, "registrations/check_email", "registration.check_email_title",
			&Page{Data: map[string]any{"Email": in.Normalized().Email, "F": fc}})
	}
	return s.flash(c, "registration.flash_"+r.Status, "/registrations#registration-"+strconv.FormatInt(r.ID, 10))
}

// registerRefused shows the registration form again with a rate limit's refusal beside field.
func (s *Server) registerRefused(field string) refusal {
	return func(c *fiber.Ctx, err error) error {
		fc, d, ferr := s.registrationOf(c)
		if ferr != nil {
			return ferr
		}
		_, f := regFromForm(c, d.Questions)
		return s.regFormError(c, fc, errAt(err, field), f, d)
	}
}

// regFormError shows the form again with its errors; a refusal that names no field (closed,
// already registered) is the error page.
func (s *Server) regFormError(c *fiber.Ctx, fc *forumContext, err error, f map[string]string, d *regForm) error {
	return s.formPage(c, labelAnswers(err, d.Questions, lang(c), fc.Process.Languages), "registrations/form", "",
		&Page{Title: s.regTitle(c, fc), Form: f, Data: d})
}

// labelAnswers names each custom question an error is about (answers.<id>) by its label, as
// the form shows it, so the message says which question to answer.
func labelAnswers(err error, qs []registration.Question, l string, langs []string) error {
	es, ok := validate.As(err)
	if !ok {
		return err
	}
	out := make(validate.Errors, len(es))
	for i, e := range es {
		for _, q := range qs {
			if e.Field == "answers."+strconv.FormatInt(q.ID, 10) {
				e.Data = maps.Clone(e.Data)
				if e.Data == nil {
					e.Data = map[string]any{}
				}
				e.Data["Label"] = q.Label.In(l, langs...)
			}
		}
		out[i] = e
	}
	return out
}

// owner is who registers: the signed-in account, or a guest in the page's language.
func (s *Server) owner(c *fiber.Ctx) registration.Owner {
	if a := account(c); a != nil {
		return registration.Owner{AccountID: a.ID, Name: a.Name, Email: a.Email, Language: a.Language}
	}
	return registration.Owner{Language: lang(c)}
}

// regView is one registration as the participant's pages show it.
type regView struct {
	R       registration.Registration
	Forum   forums.Forum
	Process processes.Process
	Modes   []string
	Ended   bool
	Base    string              // where its actions post: /registrations/ID or /registrations/guest/TOKEN
	Session *forums.SessionView // the capped session it is for, if any
	// Held are, for a forum's registration, the places its holder has at the forum's capped
	// sessions: one badge and one code cover them all.
	Held []heldPlace
}

// heldPlace is a place at a capped session, as the forum's card and badge list it.
type heldPlace struct {
	Session forums.SessionView
	Status  string
}

func (s *Server) regViews(c *fiber.Ctx, rs []registration.Registration, base func(registration.Registration) string) ([]regView, error) {
	ctx := c.UserContext()
	fr := s.forumReader(ctx)
	// The sessions of places at sessions, read in one query for all.
	var withSessions []int64
	for _, r := range rs {
		if !slices.Contains(withSessions, r.ForumID) {
			withSessions = append(withSessions, r.ForumID)
		}
	}
	sessions := map[int64]forums.SessionView{}
	if len(withSessions) > 0 {
		list, err := forums.Programme(ctx, s.DB, withSessions...)
		if err != nil {
			return nil, err
		}
		for _, sv := range list {
			sessions[sv.ID] = sv
		}
	}
	out := make([]regView, 0, len(rs))
	for _, r := range rs {
		f, err := fr.forum(r.ForumID)
		if err != nil {
			return nil, err
		}
		p, err := fr.process(f.ProcessID)
		if err != nil {
			return nil, err
		}
		v := regView{R: r, Forum: f, Process: p, Modes: registration.ModesOf(f), Ended: f.Ended(s.Clock.Now()), Base: base(r)}
		if r.SessionID != 0 {
			sv, ok := sessions[r.SessionID]
			if !ok {
				return nil, fmt.Errorf("registration %d: session %d: %w", r.ID, r.SessionID, errNotFound)
			}
			v.Session, v.Modes, v.Ended = &sv, nil, !s.Clock.Now().Before(sv.EndsAt)
		} else {
			held, err := registration.SessionPlacesOf(ctx, s.DB, r)
			if err != nil {
				return nil, err
			}
			for id, h := range held {
				if sv, ok := sessions[id]; ok && registration.Active(h.Status) {
					v.Held = append(v.Held, heldPlace{Session: sv, Status: h.Status})
				}
			}
			slices.SortFunc(v.Held, func(a, b heldPlace) int { return a.Session.StartsAt.Compare(b.Session.StartsAt) })
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) myRegistrations(c *fiber.Ctx) error {
	rs, err := registration.Mine(c.UserContext(), s.DB, account(c).ID)
	if err != nil {
		return err
	}
	views, err := s.regViews(c, rs, func(r registration.Registration) string { return "/registrations/" + strconv.FormatInt(r.ID, 10) })
	if err != nil {
		return err
	}
	feed, err := s.feedPath(c, account(c).ID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "registrations/mine", "registration.mine_title", &Page{Data: map[string]any{"List": views,
		"Feed": s.feedLinks(feed, s.Locale.T(lang(c), "registration.feed_name", nil))}})
}

// guestHolder reads the guest link of the path.
func (s *Server) guestHolder(c *fiber.Ctx) (registration.Holder, error) {
	return s.Registration.Links.Holder(strings.Clone(c.Params("token")))
}

// guestReg is the registration the guest link of the path opens.
func (s *Server) guestReg(c *fiber.Ctx) (registration.Registration, error) {
	who, err := s.guestHolder(c)
	if err != nil {
		return registration.Registration{}, err
	}
	return registration.ByLink(c.UserContext(), s.DB, s.Clock.Now(), who)
}

func (s *Server) guestRegistration(c *fiber.Ctx) error {
	r, err := s.guestReg(c)
	if err != nil {
		return err
	}
	noCache(c)
	views, err := s.regViews(c, []registration.Registration{r}, func(registration.Registration) string {
		return "/registrations/guest/" + strings.Clone(c.Params("token"))
	})
	if err != nil {
		return err
	}
	places, err := s.sessionsToReserve(c, r)
	if err != nil {
		return err
	}
	c.Set("Referrer-Policy", "no-referrer") // the address is the key to the registration
	return s.page(c, fiber.StatusOK, "registrations/guest", "registration.guest_title", &Page{Data: map[string]any{"V": views[0], "Sessions": places}})
}

// sessionPlace is a session with places of its own, and the place a person holds there.
type sessionPlace struct {
	S    forums.SessionView
	Mine *registration.Registration
}

// sessionsToReserve are, for someone confirmed at a forum, its sessions with places of their
// own that have not ended, with the places they hold there.
func (s *Server) sessionsToReserve(c *fiber.Ctx, r registration.Registration) ([]sessionPlace, error) {
	if r.SessionID != 0 || r.Status != registration.StatusConfirmed {
		return nil, nil
	}
	ctx := c.UserContext()
	list, err := forums.Programme(ctx, s.DB, r.ForumID)
	if err != nil {
		return nil, err
	}
	held, err := registration.SessionPlacesOf(ctx, s.DB, r)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var out []sessionPlace
	for _, sv := range list {
		if sv.Capacity == 0 || sv.Status == forums.SessionCancelled || !now.Before(sv.EndsAt) {
			continue
		}
		p := sessionPlace{S: sv}
		if h, ok := held[sv.ID]; ok && registration.Active(h.Status) {
			p.Mine = &h
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Server) guestConfirm(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	if _, err := s.Registration.ConfirmGuest(c.UserContext(), token); err != nil {
		return err
	}
	return s.flash(c, "registration.flash_email_confirmed", "/registrations/guest/"+token)
}

// guestErase erases what Convene keeps of a guest's address (every registration made with it
// without an account, and the mail sent to it), at the holder of its link's wish, once confirmed.
func (s *Server) guestErase(c *fiber.Ctx) error {
	r, err := s.guestReg(c)
	if err != nil {
		return err
	}
	back := "/registrations/guest/" + strings.Clone(c.Params("token"))
	ok, err := s.confirmed(c, confirmation{TitleID: "registration.erase_title", BodyID: "registration.erase_body",
		ButtonID: "registration.erase_button", DangerOK: true, Hidden: map[string]string{}, CancelURL: back})
	if !ok || err != nil {
		return err
	}
	if err := s.Accounts.EraseAddress(c.UserContext(), s.actor(c), r.Email); err != nil {
		return err
	}
	return s.flash(c, "registration.flash_erased", "/")
}

// regTarget is the registration an action of the path is on, and who acts: the account's own
// (/registrations/:id) or a guest's by their link (/registrations/guest/:token).
func (s *Server) regTarget(c *fiber.Ctx) (int64, registration.Holder, string, error) {
	if c.Params("token") != "" {
		who, err := s.guestHolder(c)
		if err != nil {
			return 0, who, "", err
		}
		r, err := registration.ByLink(c.UserContext(), s.DB, s.Clock.Now(), who)
		if err != nil {
			return 0, who, "", err
		}
		return r.ID, who, "/registrations/guest/" + strings.Clone(c.Params("token")), nil
	}
	id, err := form.ID(c, "id")
	if err != nil {
		return 0, registration.Holder{}, "", err
	}
	return id, registration.Holder{AccountID: account(c).ID}, "/registrations#registration-" + strconv.FormatInt(id, 10), nil
}

func (s *Server) cancelRegistration(c *fiber.Ctx) error {
	id, who, back, err := s.regTarget(c)
	if err != nil {
		return err
	}
	// The question names what goes: the forum, a session's place, or a place in a line.
	var r registration.Registration
	if who.Salt != "" {
		r, err = registration.ByLink(c.UserContext(), s.DB, s.Clock.Now(), who)
	} else {
		r, err = registration.OneOf(c.UserContext(), s.DB, who.AccountID, id)
	}
	if err != nil {
		return err
	}
	what := "forum"
	if r.SessionID != 0 {
		what = "session"
	}
	if r.Status == registration.StatusWaitlisted {
		what += "_waitlist"
	}
	ok, err := s.confirmed(c, confirmation{TitleID: "registration.cancel_title." + what, BodyID: "registration.cancel_body." + what,
		ButtonID: "registration.cancel_button." + what, DangerOK: true, Hidden: map[string]string{}, CancelURL: back})
	if !ok || err != nil {
		return err
	}
	if _, err := s.Registration.Cancel(c.UserContext(), id, who); err != nil {
		return err
	}
	return s.flash(c, "registration.flash_cancelled", back)
}

func (s *Server) changeRegistrationMode(c *fiber.Ctx) error {
	id, who, back, err := s.regTarget(c)
	if err != nil {
		return err
	}
	if _, err := s.Registration.ChangeMode(c.UserContext(), id, who, strings.Clone(c.FormValue("mode"))); err != nil {
		return err
	}
	return s.flash(c, "registration.flash_mode", back)
}

func (s *Server) acceptOffer(c *fiber.Ctx) error {
	id, who, back, err := s.regTarget(c)
	if err != nil {
		return err
	}
	if _, err := s.Registration.Accept(c.UserContext(), id, who); err != nil {
		return err
	}
	return s.flash(c, "registration.flash_accepted", back)
}

// sessionPlaceData is what the page of a capped session's places shows.
type sessionPlaceData struct {
	F        *forumContext
	S        forums.SessionView
	Places   *registration.Place
	Mine     *registration.Registration // the viewer's place at the session
	HasForum bool                       // the viewer holds a confirmed place at the forum
}

// sessionPlaces is where a participant reserves a place at a capped session.
func (s *Server) sessionPlaces(c *fiber.Ctx) error {
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	noCache(c)
	ctx := c.UserContext()
	d := sessionPlaceData{F: fc, S: sv}
	places, err := registration.Places(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	for i := range places {
		if places[i].SessionID == sv.ID {
			d.Places = &places[i]
		}
	}
	if a := account(c); a != nil {
		mine, err := registration.Mine(ctx, s.DB, a.ID)
		if err != nil {
			return err
		}
		for i, r := range mine {
			switch {
			case r.SessionID == sv.ID && registration.Active(r.Status):
				d.Mine = &mine[i]
			case r.ForumID == fc.Forum.ID && r.SessionID == 0 && r.Status == registration.StatusConfirmed:
				d.HasForum = true
			}
		}
	}
	title := s.Locale.T(lang(c), "registration.session_title", map[string]any{"Session": sv.Title.In(lang(c), fc.Process.Languages...)})
	return s.page(c, fiber.StatusOK, "registrations/session", "", &Page{Title: title, Data: d})
}

func (s *Server) reserveSession(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	r, _, err := s.Registration.RegisterSession(c.UserContext(), id, registration.Holder{AccountID: account(c).ID})
	if err != nil {
		return err
	}
	return s.flash(c, "registration.flash_session_"+r.Status, "/registrations#registration-"+strconv.FormatInt(r.ID, 10))
}

// guestReserveSession gives a guest confirmed at a forum a place at one of its sessions with
// places of their own; the place has a link of its own, where the guest lands.
func (s *Server) guestReserveSession(c *fiber.Ctx) error {
	who, err := s.guestHolder(c)
	if err != nil {
		return err
	}
	id, err := form.ID(c, "sid")
	if err != nil {
		return err
	}
	r, token, err := s.Registration.RegisterSession(c.UserContext(), id, who)
	if err != nil {
		return err
	}
	return s.flash(c, "registration.flash_session_"+r.Status, "/registrations/guest/"+token)
}
