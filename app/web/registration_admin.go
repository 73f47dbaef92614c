package web

import (
	"encoding/csv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// The organisers' pages for registration: a forum's policy, its registrants with their counts,
// the actions on each (approve, decline, move, check in), the spreadsheet, and the door.

const (
	quotaRows    = 2 // empty quota rows the settings form offers
	questionRows = 3 // empty question rows: several questions are added in one save
	localLayout  = "2006-01-02T15:04"
)

// regAdminPath is where a forum's registration pages live.
func regAdminPath(fc *forumContext, rest string) string {
	return "/admin/forums/" + strconv.FormatInt(fc.Forum.ID, 10) + rest
}

// settingsForm writes a forum's policy as the settings form shows it.
func settingsForm(fc *forumContext, cur registration.Current) (map[string]string, int, int) {
	f := map[string]string{}
	wall := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(fc.Zone).Format(localLayout)
	}
	st := cur.Settings
	f["opens_at"], f["closes_at"] = wall(st.OpensAt), wall(st.ClosesAt)
	if st.Approval {
		f["approval"] = "yes"
	}
	f["offer_hours"], f["min_share"] = strconv.Itoa(st.OfferHours), strconv.Itoa(st.MinShare)
	for _, m := range registration.Modes() {
		if c := cur.Capacity[m]; c != nil {
			f["capacity_"+m] = strconv.Itoa(*c)
		}
	}
	for i, q := range cur.Quotas {
		p := "quotas." + strconv.Itoa(i) + "."
		f[p+"group"], f[p+"mode"], f[p+"seats"], f[p+"release_at"] = q.Group, q.Mode, strconv.Itoa(q.Seats), wall(q.ReleaseAt)
	}
	for i, q := range cur.Questions {
		p := "questions." + strconv.Itoa(i) + "."
		f[p+"id"], f[p+"kind"] = strconv.FormatInt(q.ID, 10), q.Kind
		if q.Required {
			f[p+"required"] = "yes"
		}
		for l, v := range q.Label {
			f[p+"label."+l] = v
		}
		for _, l := range fc.Process.Languages {
			var lines []string
			for _, o := range q.Options {
				lines = append(lines, o[l])
			}
			f[p+"options."+l] = strings.Join(lines, "\n")
		}
	}
	return f, len(cur.Quotas) + quotaRows, len(cur.Questions) + questionRows
}

// settingsFromForm reads the settings form. Wall-clock times are in the forum's zone; empty
// rows of quotas and questions are left out; a question whose labels are all cleared goes.
func settingsFromForm(c *fiber.Ctx, fc *forumContext) (registration.SettingsInput, map[string]string, int, int, error) {
	f := form.Values(c, "opens_at", "closes_at", "approval", "offer_hours", "min_share", "capacity_in_person", "capacity_online",
		"quota_rows", "question_rows")
	var in registration.SettingsInput
	var es validate.Errors
	at := func(field, v string) *time.Time {
		if strings.TrimSpace(v) == "" {
			return nil
		}
		t, ok := forums.LocalTime(&es, field, v, fc.Zone)
		if !ok {
			return nil
		}
		return &t
	}
	number := func(field, v string, empty *int) *int {
		v = strings.TrimSpace(v)
		if v == "" {
			return empty
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			es.Add(field, validate.Invalid, nil)
			return empty
		}
		return &n
	}
	in.OpensAt, in.ClosesAt = at("opens_at", f["opens_at"]), at("closes_at", f["closes_at"])
	in.Approval = f["approval"] == "yes"
	zero := 0
	in.OfferHours, in.MinShare = *number("offer_hours", f["offer_hours"], &zero), *number("min_share", f["min_share"], &zero)
	in.InPerson, in.Online = number("capacity_in_person", f["capacity_in_person"], nil), number("capacity_online", f["capacity_online"], nil)
	rows := func(name string, most int) int {
		n, err := strconv.Atoi(f[name])
		if err != nil || n < 0 {
			return 0
		}
		return min(n, most)
	}
	quotas, questions := rows("quota_rows", 50), rows("question_rows", 60)
	for i := range quotas {
		p := "quotas." + strconv.Itoa(i) + "."
		row := form.Values(c, p+"group", p+"mode", p+"seats", p+"release_at")
		for k, v := range row {
			f[k] = v
		}
		if row[p+"group"] == "" && strings.TrimSpace(row[p+"seats"]) == "" {
			continue
		}
		q := registration.Quota{Group: row[p+"group"], Mode: row[p+"mode"], ReleaseAt: at(p+"release_at", row[p+"release_at"])}
		if n := number(p+"seats", row[p+"seats"], &zero); n != nil {
			q.Seats = *n
		}
		in.Quotas = append(in.Quotas, q)
	}
	for i := range questions {
		p := "questions." + strconv.Itoa(i) + "."
		row := form.Values(c, p+"id", p+"kind", p+"required")
		for k, v := range row {
			f[k] = v
		}
		label := form.Translated(c, p+"label", f)
		if len(label) == 0 {
			continue // a new row left empty, or a question cleared to remove it
		}
		q := registration.QuestionInput{Kind: row[p+"kind"], Label: label, Required: row[p+"required"] == "yes"}
		q.ID, _ = strconv.ParseInt(row[p+"id"], 10, 64)
		opts := map[string][]string{}
		most := 0
		for _, l := range fc.Process.Languages {
			v := strings.Clone(c.FormValue(p + "options." + l))
			f[p+"options."+l] = v
			for line := range strings.SplitSeq(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					opts[l] = append(opts[l], line)
				}
			}
			most = max(most, len(opts[l]))
		}
		// Each language lists the same options, line for line: a list shorter than another is
		// named, with how many lines it lacks, and the options are not read until they agree.
		mismatch := false
		for _, l := range fc.Process.Languages {
			if n := len(opts[l]); n < most {
				es.Add(p+"options."+l, registration.CodeOptionLines, map[string]any{"Have": n, "Want": most})
				mismatch = true
			}
		}
		if mismatch {
			most = 0
		}
		for j := range most {
			o := translated.Text{}
			for _, l := range fc.Process.Languages {
				if j < len(opts[l]) {
					o[l] = opts[l][j]
				}
			}
			q.Options = append(q.Options, o)
		}
		in.Questions = append(in.Questions, q)
	}
	return in, f, quotas, questions, es.Err()
}

type regSettingsData struct {
	F            *forumContext
	Modes        []string
	Kinds        []string
	QuotaRows    []int
	QuestionRows []int
	Offered      bool
}

func (s *Server) regSettingsPage(c *fiber.Ctx, status int, fc *forumContext, f map[string]string, quotas, questions int, errs validate.Errors, offered bool) error {
	d := regSettingsData{F: fc, Modes: registration.ModesOf(fc.Forum), Kinds: registration.QuestionKinds(), Offered: offered}
	for i := range quotas {
		d.QuotaRows = append(d.QuotaRows, i)
	}
	for i := range questions {
		d.QuestionRows = append(d.QuestionRows, i)
	}
	title := s.Locale.T(lang(c), "registration.settings_title", map[string]any{"Forum": fc.Forum.Title.In(lang(c), fc.Process.Languages...)})
	return s.page(c, status, "admin/registration_settings", "", &Page{Title: title, Form: f, Errors: errs, Data: d})
}

func (s *Server) registrationSettings(c *fiber.Ctx) error {
	fc := adminForum(c)
	cur, err := registration.ReadCurrent(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	f, quotas, questions := settingsForm(fc, cur)
	return s.regSettingsPage(c, fiber.StatusOK, fc, f, quotas, questions, nil, cur.Offered)
}

func (s *Server) saveRegistrationSettings(c *fiber.Ctx) error {
	fc := adminForum(c)
	in, f, quotas, questions, err := settingsFromForm(c, fc)
	if err == nil {
		_, err = s.Registration.Configure(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, in)
	}
	if err != nil {
		fail := classify(err)
		if len(fail.fields) == 0 {
			return err
		}
		return s.regSettingsPage(c, fail.status, fc, f, quotas, questions, fail.fields, fc.Registers)
	}
	return s.flash(c, "registration.settings_saved", regAdminPath(fc, "/registrants"))
}

// registrantsData is what the registrants page shows.
type registrantsData struct {
	F        *forumContext
	Settings registration.Settings
	Counts   registration.Counts
	List     []registration.Registration
	Total    int
	Filter   registration.Filter
	Filtered bool
	Modes    []string
	Page     int
	Pages    int
	Query    string // the filters as a query string, for the spreadsheet and the pages
	// Answers are each registrant's answers to the forum's own questions, as the list shows them.
	Answers map[int64][]answerLine
}

// answerLine is one answer to a forum's question, labelled.
type answerLine struct{ Label, Text string }

const registrantsPerPage = 50

func (s *Server) registrants(c *fiber.Ctx) error {
	fc := adminForum(c)
	ctx := c.UserContext()
	st, err := registration.SettingsOf(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	filter, err := registrantFilter(c)
	if err != nil {
		return err
	}
	page := 1
	if p, err := strconv.Atoi(c.Query("page")); err == nil && p > 1 {
		page = p
	}
	filter.Limit, filter.Offset = registrantsPerPage, (page-1)*registrantsPerPage
	list, total, err := registration.List(ctx, s.DB, fc.Forum.ID, filter)
	if err != nil {
		return err
	}
	if err := registration.WithPositions(ctx, s.DB, list); err != nil {
		return err
	}
	counts, err := registration.CountsOf(ctx, s.DB, fc.Forum.ID, fc.Process.StakeholderGroups, st.MinShare)
	if err != nil {
		return err
	}
	q := url0(map[string]string{"status": filter.Status, "mode": filter.Mode, "stakeholder_group": filter.Group,
		"country": filter.Country, "q": filter.Search})
	qs, err := registration.Questions(ctx, s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	l := lang(c)
	answers := map[int64][]answerLine{}
	for _, r := range list {
		for _, q := range qs {
			if text := answerText(q, r.Answers[q.ID], l, fc.Process.Languages); text != "" {
				label := q.Label.In(l, fc.Process.Languages...)
				if !strings.HasSuffix(label, "?") && !strings.HasSuffix(label, ":") {
					label += ":" // a question that asks ends in its own mark
				}
				answers[r.ID] = append(answers[r.ID], answerLine{Label: label, Text: text})
			}
		}
	}
	d := registrantsData{F: fc, Settings: st, Counts: counts, List: list, Total: total, Filter: filter, Modes: registration.ModesOf(fc.Forum),
		Filtered: q != "", Page: page, Pages: max((total+registrantsPerPage-1)/registrantsPerPage, 1), Query: q, Answers: answers}
	title := s.Locale.T(lang(c), "registration.registrants_title", map[string]any{"Forum": fc.Forum.Title.In(lang(c), fc.Process.Languages...)})
	return s.page(c, fiber.StatusOK, "admin/registrants", "", &Page{Title: title, Data: d})
}

// url0 writes the non-empty values as a query string, in a fixed order.
func url0(values map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		if v := values[k]; v != "" {
			parts = append(parts, k+"="+url.QueryEscape(v))
		}
	}
	return strings.Join(parts, "&")
}

// registrantAction runs an organiser's action on one registrant and goes back to the list.
func (s *Server) registrantAction(c *fiber.Ctx) error {
	fc := adminForum(c)
	id, err := form.ID(c, "rid")
	if err != nil {
		return err
	}
	ctx, actor := c.UserContext(), s.actor(c)
	var done string
	switch strings.Clone(c.Params("action")) {
	case "approve":
		_, err = s.Registration.Approve(ctx, actor, fc.Forum.ID, id)
		done = "registration.flash_approved"
	case "admit":
		_, err = s.Registration.Admit(ctx, actor, fc.Forum.ID, id)
		done = "registration.flash_admitted"
	case "decline":
		ok, cerr := s.confirmed(c, confirmation{TitleID: "registration.decline_title", BodyID: "registration.decline_body",
			ButtonID: "registration.decline_button", DangerOK: true, Hidden: map[string]string{}, CancelURL: regAdminPath(fc, "/registrants")})
		if !ok || cerr != nil {
			return cerr
		}
		_, err = s.Registration.Decline(ctx, actor, fc.Forum.ID, id)
		done = "registration.flash_declined"
	case "mode":
		_, err = s.Registration.MoveMode(ctx, actor, fc.Forum.ID, id, strings.Clone(c.FormValue("mode")))
		done = "registration.flash_moved"
	case "checkin":
		_, err = s.Registration.CheckIn(ctx, actor, fc.Forum.ID, id)
		done = "registration.flash_checked_in"
	default:
		return errNotFound
	}
	if err != nil {
		return err
	}
	back := regAdminPath(fc, "/registrants")
	if c.FormValue("back") == "checkin" {
		back = regAdminPath(fc, "/checkin")
	}
	return s.flash(c, done, back)
}

func (s *Server) registrantsCSV(c *fiber.Ctx) error {
	fc := adminForum(c)
	list, err := s.Registration.Export(c.UserContext(), s.actor(c), fc.Forum.ID)
	if err != nil {
		return err
	}
	qs, err := registration.Questions(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return err
	}
	l := lang(c)
	t := func(id string) string { return s.Locale.T(l, id, nil) }
	var b strings.Builder
	w := csv.NewWriter(&b)
	head := []string{t("registration.col_id"), t("field.name"), t("field.email"), t("field.organisation"), t("field.country"),
		t("registration.col_group"), t("registration.col_role"), t("registration.col_mode"), t("registration.col_status"),
		t("registration.col_position"), t("field.languages_spoken"), t("field.accessibility_needs"), t("registration.col_named"),
		t("registration.col_registered"), t("registration.col_checked_in"), t("registration.col_code")}
	for _, q := range qs {
		head = append(head, q.Label.In(l, fc.Process.Languages...))
	}
	// Every cell is neutralised, labels too: an organiser's question or a participant's answer
	// must never become a spreadsheet formula.
	write := func(row []string) {
		for i, v := range row {
			row[i] = csvSafe(v)
		}
		_ = w.Write(row)
	}
	write(head)
	position := map[string]int{}
	stamp := func(at *time.Time) string {
		if at == nil {
			return ""
		}
		return at.In(fc.Zone).Format("2006-01-02 15:04")
	}
	// Gender is left out: it is only ever reported in aggregate.
	for _, r := range list {
		pos := ""
		if r.Status == registration.StatusWaitlisted {
			position[r.Mode]++
			pos = strconv.Itoa(position[r.Mode])
		}
		named := t("registration.no")
		if r.ConsentNamed {
			named = t("registration.yes")
		}
		name := r.Name
		if name == "" && r.Email == "" {
			name = t("registration.erased")
		}
		row := []string{strconv.FormatInt(r.ID, 10), name, r.Email, r.Organisation, r.Country,
			t("stakeholder." + r.Group), t("registration.role." + r.Role), t("registration.mode." + r.Mode),
			t("registration.org_status." + r.Status), pos, strings.Join(r.Languages, " "), r.Accessibility, named,
			stamp(&r.CreatedAt), stamp(r.CheckedInAt), r.Code}
		for _, q := range qs {
			row = append(row, answerText(q, r.Answers[q.ID], l, fc.Process.Languages))
		}
		write(row)
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+fc.Forum.Slug+`-registrants.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	// A byte order mark, so spreadsheet programs read the accents right.
	return c.SendString("\ufeff" + b.String())
}

// csvSafe keeps a spreadsheet from reading a typed value as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// answerText is an answer as a person reads it: the text, or the options chosen.
func answerText(q registration.Question, vs []string, l string, langs []string) string {
	if q.Kind == registration.KindShortText || q.Kind == registration.KindLongText {
		return strings.Join(vs, " ")
	}
	var out []string
	for _, v := range vs {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(q.Options) {
			out = append(out, q.Options[i].In(l, langs...))
		}
	}
	return strings.Join(out, "; ")
}

// checkInDesk is the door: search by name, email or code, and check in with one tap.
func (s *Server) checkInDesk(c *fiber.Ctx) error {
	fc := adminForum(c)
	ctx := c.UserContext()
	d := &deskPage{F: fc, Query: strings.TrimSpace(strings.Clone(c.Query("q")))}
	if d.Query != "" {
		f := registration.Filter{Search: d.Query, Limit: 20}
		if code := registration.NormalizeCode(d.Query); len(code) == 10 {
			f.Search = code
		}
		var err error
		if d.List, _, err = registration.List(ctx, s.DB, fc.Forum.ID, f); err != nil {
			return err
		}
	}
	// After a check-in without the page's script: who came, in large type.
	if id, err := strconv.ParseInt(c.Query("done"), 10, 64); err == nil {
		list, _, err := registration.List(ctx, s.DB, fc.Forum.ID, registration.Filter{ID: id, Limit: 1})
		if err != nil {
			return err
		}
		if len(list) == 1 && list[0].CheckedInAt != nil {
			d.Done = &list[0]
		}
	}
	return s.deskPage(c, fiber.StatusOK, d, nil, map[string]string{"q": d.Query})
}

// deskPage is the check-in desk: the code field (focused, for scanners that type the code and
// Enter), the camera, who just came, the search, and walk-ins. Only this page may use the camera.
type deskPage struct {
	F       *forumContext
	Query   string
	List    []registration.Registration
	Done    *registration.Registration
	Refusal string
	Counts  registration.Counts
	Modes   []string
}

func (s *Server) deskPage(c *fiber.Ctx, status int, d *deskPage, fields validate.Errors, form map[string]string) error {
	var err error
	if d.Counts, err = registration.CountsOf(c.UserContext(), s.DB, d.F.Forum.ID, nil, 0); err != nil {
		return err
	}
	d.Modes = registration.ModesOf(d.F.Forum)
	c.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()")
	title := s.Locale.T(lang(c), "registration.checkin_title", map[string]any{"Forum": d.F.Forum.Title.In(lang(c), d.F.Process.Languages...)})
	return s.page(c, status, "admin/checkin", "", &Page{Title: title, Errors: fields, Form: form, Data: d})
}

// deskAnswer is the desk's answer to its script: who came, or why not, and the counts.
type deskAnswer struct {
	OK        bool   `json:"ok"`
	Message   string `json:"message"`
	Name      string `json:"name,omitempty"`
	Detail    string `json:"detail,omitempty"`
	CheckedIn int    `json:"checked_in"`
	Confirmed int    `json:"confirmed"`
}

// checkInCode checks in the registrant whose code was typed or scanned. The page's script asks
// for JSON and stays on the page (the camera keeps running); without it, the page comes back
// with who came, or why not, and the field focused for the next code.
func (s *Server) checkInCode(c *fiber.Ctx) error {
	fc := adminForum(c)
	code := strings.Clone(c.FormValue("code"))
	r, err := s.Registration.CheckInByCode(c.UserContext(), s.actor(c), fc.Forum.ID, code)
	l := lang(c)
	if err != nil {
		fail := classify(err)
		if len(fail.fields) == 0 && fail.status != fiber.StatusConflict && fail.status != fiber.StatusNotFound {
			return err
		}
		msg := s.Locale.T(l, fail.message, nil)
		if p, ok := problem.As(err); ok {
			data := map[string]any{}
			for k, v := range p.Data {
				if at, ok := v.(time.Time); ok {
					v = at.In(fc.Zone).Format("15:04")
				}
				data[k] = v
			}
			msg = s.Locale.T(l, p.Code, data)
		}
		if wantsJSON(c) {
			counts, cerr := registration.CountsOf(c.UserContext(), s.DB, fc.Forum.ID, nil, 0)
			if cerr != nil {
				return cerr
			}
			return c.Status(fail.status).JSON(deskAnswer{Message: msg, CheckedIn: counts.CheckedIn, Confirmed: counts.Confirmed})
		}
		return s.deskPage(c, fail.status, &deskPage{F: fc, Refusal: msg}, fail.fields, map[string]string{})
	}
	if wantsJSON(c) {
		counts, err := registration.CountsOf(c.UserContext(), s.DB, fc.Forum.ID, nil, 0)
		if err != nil {
			return err
		}
		return c.JSON(deskAnswer{OK: true, Message: s.Locale.T(l, "registration.flash_checked_in", nil), Name: r.Name,
			Detail: s.deskDetail(l, fc, r), CheckedIn: counts.CheckedIn, Confirmed: counts.Confirmed})
	}
	return s.flash(c, "registration.flash_checked_in", regAdminPath(fc, "/checkin")+"?done="+strconv.FormatInt(r.ID, 10))
}

// deskDetail is what the desk says of who came beside their name: group, organisation, mode.
func (s *Server) deskDetail(l string, fc *forumContext, r registration.Registration) string {
	parts := []string{s.Locale.T(l, "stakeholder."+r.Group, nil)}
	if r.Organisation != "" {
		parts = append(parts, r.Organisation)
	}
	if len(registration.ModesOf(fc.Forum)) > 1 {
		parts = append(parts, s.Locale.T(l, "registration.mode."+r.Mode, nil))
	}
	return strings.Join(parts, " · ")
}

// walkIn registers and checks in someone who came without registering.
func (s *Server) walkIn(c *fiber.Ctx) error {
	fc := adminForum(c)
	f := form.Values(c, "walkin_name", "walkin_email", "walkin_group", "walkin_organisation")
	r, err := s.Registration.WalkIn(c.UserContext(), s.actor(c), fc.Forum.ID, registration.WalkInInput{Name: f["walkin_name"],
		Email: f["walkin_email"], Group: f["walkin_group"], Organisation: f["walkin_organisation"]})
	if err != nil {
		fail := classify(err)
		if len(fail.fields) == 0 {
			return err
		}
		return s.deskPage(c, fail.status, &deskPage{F: fc}, fail.fields, f)
	}
	return s.flash(c, "registration.flash_walked_in", regAdminPath(fc, "/checkin")+"?done="+strconv.FormatInt(r.ID, 10))
}
