package web

import (
	"crypto/rand"
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// The minutes of a session: the public page (published versions and the diff between two),
// the rapporteur's workspace (the editor while a draft, the proposals while in review, the
// organisers' publish, send back and correct), and the review page where those who were
// there propose corrections. Unpublished minutes are read only by their writers, organisers
// and, in review, the session's participants and speakers.

// minutesPage is what the minutes pages show.
type minutesPage struct {
	F     *forumContext
	S     forums.SessionView
	Title string
	Code  string // the process's, the prefix of the inputs' public ids
	M     minutes.Minutes
	Begun bool
	// What the viewer may do.
	Writer, Organiser, WasThere bool
	Kinds, Groups               []string
	Candidates                  []minutes.Candidate
	Rows                        []editRow
	Blank                       editRow
	// Speakers are the editor's speaker rows (one more, blank, is drawn after them); Door is
	// who came, as the door counts them now.
	Speakers  []minutes.Speaker
	Door      minutes.Attendance
	Proposals []proposalView
	Comments  []minutes.Comment
	// Theirs is what someone else saved meanwhile, shown beside the rapporteur's text on a
	// conflict.
	Theirs   *minutes.Minutes
	Versions []minutes.Version
	Shown    *minutes.Version
	Diff     *minutes.Diff
	// Correcting: an organiser's correction of published minutes (the editor, with a reason).
	Correcting bool
	// Editor is this opened editor's token (see minutes.DraftInput).
	Editor string
}

// proposalView is a proposed correction with the input it would change.
type proposalView struct {
	minutes.Proposal
	PublicID string
	Current  string
	Mine     bool
}

// minutesOf reads the path's session and who views its minutes.
func (s *Server) minutesOf(c *fiber.Ctx) (*minutesPage, minutes.Who, error) {
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return nil, minutes.Who{}, err
	}
	who := minutesWho(c)
	p := &minutesPage{F: fc, S: sv, Title: sv.Title.In(lang(c), fc.Process.Languages...), Code: fc.Process.Code,
		Kinds: minutes.Kinds(), Groups: fc.Process.StakeholderGroups}
	return p, who, nil
}

// begunMinutes reads the path's session and its minutes, which must have been begun.
func (s *Server) begunMinutes(c *fiber.Ctx) (*minutesPage, minutes.Who, minutes.Minutes, error) {
	p, who, err := s.minutesOf(c)
	if err != nil {
		return nil, who, minutes.Minutes{}, err
	}
	m, err := minutes.OfSession(c.UserContext(), s.DB, p.S.ID)
	return p, who, m, err
}

func minutesWho(c *fiber.Ctx) minutes.Who {
	if a := account(c); a != nil {
		return minutes.Who{AccountID: a.ID, IsAdmin: a.IsAdmin}
	}
	return minutes.Who{}
}

// workspace fills p with the minutes as they stand and what the viewer may do with them; the
// viewer must write them, organise the process or (in review) have been at the session.
func (s *Server) workspace(c *fiber.Ctx, p *minutesPage, who minutes.Who) error {
	ctx := c.UserContext()
	noCache(c)
	p.Writer = minutes.MayWrite(ctx, s.DB, who, p.F.Process.ID, p.S.ID) == nil
	p.Organiser = minutes.MayOrganise(ctx, s.DB, who, p.F.Process.ID) == nil
	m, err := minutes.OfSession(ctx, s.DB, p.S.ID)
	switch {
	case errors.Is(err, problem.ErrNotFound):
		m = minutes.Minutes{SessionID: p.S.ID, ProcessID: p.F.Process.ID, Status: minutes.Draft}
		if m.Report.Speakers, err = minutes.ProgrammeSpeakers(ctx, s.DB, p.S.ID); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		p.Begun = true
	}
	p.M = m
	if !p.Writer {
		if m.Status != minutes.Review {
			return minutes.ErrNotRapporteur
		}
		if err := minutes.MayPropose(ctx, s.DB, who, p.S.ID); err != nil {
			return err
		}
		p.WasThere = true
	}
	if p.Candidates, err = minutes.Candidates(ctx, s.DB, m); err != nil {
		return err
	}
	p.Rows = rowsOf(m.Inputs, p.Code, p.Candidates)
	p.Speakers = m.Report.Speakers
	if p.Writer {
		if p.Door.Counted, err = minutes.Counted(ctx, s.DB, p.S.ID); err != nil {
			return err
		}
	}
	p.Editor = rand.Text() // names this editor's saves; no secret
	p.Blank = blankRow(p.Editor, len(p.Rows))
	if !p.Begun {
		return nil
	}
	if p.Comments, err = minutes.Comments(ctx, s.DB, m.ID); err != nil {
		return err
	}
	ps, err := minutes.Proposals(ctx, s.DB, m.ID)
	if err != nil {
		return err
	}
	byID := map[int64]minutes.Input{}
	for _, x := range m.Inputs {
		byID[x.ID] = x
	}
	for _, pr := range ps {
		x := byID[pr.InputID]
		mine := pr.ProposerID != nil && *pr.ProposerID == who.AccountID
		if p.Writer || p.Organiser || mine {
			p.Proposals = append(p.Proposals, proposalView{Proposal: pr, PublicID: minutes.PublicID(p.Code, x.Number), Current: x.Body, Mine: mine})
		}
	}
	if m.Version > 0 {
		p.Versions, err = minutes.Versions(ctx, s.DB, m.ID)
	}
	return err
}

// editMinutes is the workspace: what the viewer may do depends on where the minutes stand.
func (s *Server) editMinutes(c *fiber.Ctx) error {
	p, who, err := s.minutesOf(c)
	if err != nil {
		return err
	}
	if err := s.workspace(c, p, who); err != nil {
		return err
	}
	if !p.Writer {
		return c.Redirect(minutesPath(p.S.ID)+"/review", fiber.StatusSeeOther)
	}
	p.Correcting = p.M.Status == minutes.Published && p.Organiser
	f := reportForm(p.M.Report)
	f["summary"], f["takeaways"], f["calls_to_action"] = p.M.Summary, p.M.Takeaways, p.M.CallsToAction
	f["revision"], f["editor"] = strconv.FormatInt(p.M.Revision, 10), p.Editor
	return s.page(c, fiber.StatusOK, "minutes/edit", "", &Page{Title: s.Locale.T(lang(c), "minutes.edit_title", nil) + ": " + p.Title,
		Form: f, Data: p})
}

// reviewMinutes is the page of minutes in review for those who were at the session: each
// input with a form to propose its correction, and their proposals with the answers.
func (s *Server) reviewMinutes(c *fiber.Ctx) error {
	p, who, err := s.minutesOf(c)
	if err != nil {
		return err
	}
	if err := s.workspace(c, p, who); err != nil {
		return err
	}
	if p.M.Status != minutes.Review {
		return c.Redirect(minutesPath(p.S.ID)+"/edit", fiber.StatusSeeOther)
	}
	if !p.WasThere {
		p.WasThere = minutes.MayPropose(c.UserContext(), s.DB, who, p.S.ID) == nil
	}
	return s.page(c, fiber.StatusOK, "minutes/review", "", &Page{Title: s.Locale.T(lang(c), "minutes.review_title", nil) + ": " + p.Title, Data: p})
}

// saveMinutes saves the draft (and sends it to review when asked), or publishes an organiser's
// correction. The page's script sends the same form as the rapporteur types, asking for JSON.
func (s *Server) saveMinutes(c *fiber.Ctx) error {
	p, who, err := s.minutesOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	current, err := minutes.OfSession(ctx, s.DB, p.S.ID)
	if err != nil && !errors.Is(err, problem.ErrNotFound) {
		return err
	}
	candidates, err := minutes.Candidates(ctx, s.DB, minutes.Minutes{ID: current.ID, SessionID: p.S.ID})
	if err != nil {
		return err
	}
	d := readDraft(c, p.Code, candidates)
	action := c.FormValue("action")
	var m minutes.Minutes
	if action == "correct" {
		m, err = s.Minutes.Correct(ctx, who, current.ID, d.Draft, d.Fields["reason"])
	} else {
		m, err = s.Minutes.Write(ctx, who, p.S.ID, d.Draft, action == "submit")
	}
	autosave := c.Get("X-Convene-Autosave") == "1"
	if err != nil {
		if autosave || wantsJSON(c) {
			return err
		}
		return s.redrawEditor(c, p, who, d, err)
	}
	if autosave || wantsJSON(c) {
		saved, err := minutes.OfSession(ctx, s.DB, p.S.ID)
		if err != nil {
			return err
		}
		ids := make([]map[string]any, len(saved.Inputs))
		for i, x := range saved.Inputs {
			ids[i] = map[string]any{"id": x.ID, "number": x.Number, "public_id": minutes.PublicID(p.Code, x.Number)}
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(map[string]any{"revision": saved.Revision, "status": saved.Status, "inputs": ids,
			"saved_at": saved.UpdatedAt.UTC()})
	}
	msg := "minutes.saved"
	switch {
	case action == "correct":
		msg = "minutes.corrected"
	case m.Status == minutes.Review:
		msg = "minutes.submitted"
	}
	return s.flash(c, msg, minutesPath(p.S.ID)+"/edit")
}

// redrawEditor shows the editor again with what was sent and why it was refused; on a conflict,
// with what the other person saved beside it, and their revision, so that saving again is a
// choice made having seen it.
func (s *Server) redrawEditor(c *fiber.Ctx, p *minutesPage, who minutes.Who, d draftForm, cause error) error {
	if err := s.workspace(c, p, who); err != nil {
		return err
	}
	if d.Draft.Editor != "" {
		p.Editor = d.Draft.Editor
	}
	p.Rows, p.Blank, p.Speakers = d.Rows, blankRow(p.Editor, len(d.Rows)), d.Speakers
	p.Correcting = p.M.Status == minutes.Published && p.Organiser
	f := d.Fields
	pg := &Page{Title: s.Locale.T(lang(c), "minutes.edit_title", nil) + ": " + p.Title, Form: f, Data: p}
	if errors.Is(cause, minutes.ErrConflict) {
		theirs := p.M
		p.Theirs = &theirs
		f["revision"] = strconv.FormatInt(theirs.Revision, 10)
		// Said as the form's one error: the summary leads to their text, beside the editor.
		pg.Errors = validate.Errors{{Field: "conflict", Code: "error.minutes_conflict", Data: map[string]any{"Revision": theirs.Revision}}}
		return s.page(c, fiber.StatusConflict, "minutes/edit", "", pg)
	}
	return s.formPage(c, cause, "minutes/edit", "", pg)
}

func (s *Server) publishMinutes(c *fiber.Ctx) error {
	p, who, m, err := s.begunMinutes(c)
	if err != nil {
		return err
	}
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.publish_minutes.title", BodyID: "confirm.publish_minutes.body",
		ButtonID: "confirm.publish_minutes.button", Hidden: map[string]string{}, Data: map[string]any{"Session": p.Title},
		CancelURL: minutesPath(p.S.ID) + "/edit"}); !ok {
		return err
	}
	if _, err := s.Minutes.Publish(c.UserContext(), who, m.ID); err != nil {
		return err
	}
	return s.flash(c, "minutes.published", minutesPath(p.S.ID))
}

func (s *Server) sendBackMinutes(c *fiber.Ctx) error {
	p, who, m, err := s.begunMinutes(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "request")
	if _, err := s.Minutes.SendBack(c.UserContext(), who, m.ID, f["request"]); err != nil {
		if werr := s.workspace(c, p, who); werr != nil {
			return werr
		}
		return s.formError(c, err, "minutes/edit", "minutes.edit_title", f, p)
	}
	return s.flash(c, "minutes.sent_back", minutesPath(p.S.ID)+"/edit")
}

func (s *Server) proposeCorrection(c *fiber.Ctx) error {
	p, who, m, err := s.begunMinutes(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	id, _ := strconv.ParseInt(c.FormValue("input"), 10, 64)
	at := -1
	for i := range m.Inputs {
		if m.Inputs[i].ID == id {
			at = i
		}
	}
	if at < 0 {
		return errNotFound
	}
	x := m.Inputs[at]
	// Each input has a form of its own on the page: its fields are named for its row.
	pre := "inputs." + strconv.Itoa(at) + "."
	f := form.Values(c, pre+"body", pre+"note")
	if _, err := s.Minutes.Propose(ctx, who, id, f[pre+"body"], f[pre+"note"]); err != nil {
		if werr := s.workspace(c, p, who); werr != nil {
			return werr
		}
		p.WasThere = true
		return s.formError(c, form.Prefix(err, pre), "minutes/review", "minutes.review_title", f, p)
	}
	return s.flash(c, "minutes.proposed", minutesPath(p.S.ID)+"/review#input-"+strconv.FormatInt(x.Number, 10))
}

func (s *Server) answerProposal(c *fiber.Ctx) error {
	id, err := form.ID(c, "pid")
	if err != nil {
		return err
	}
	p, who, m, err := s.begunMinutes(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ps, err := minutes.Proposals(ctx, s.DB, m.ID)
	if err != nil {
		return err
	}
	at := -1
	for i, pr := range ps {
		if pr.ID == id {
			at = i
		}
	}
	if at < 0 {
		return errNotFound
	}
	pre := "proposals." + strconv.Itoa(at) + "."
	f := form.Values(c, "decision", pre+"answer")
	if _, err := s.Minutes.Answer(ctx, who, id, f["decision"] == "accept", f[pre+"answer"]); err != nil {
		if werr := s.workspace(c, p, who); werr != nil {
			return werr
		}
		return s.formError(c, form.Prefix(err, pre), "minutes/edit", "minutes.edit_title", f, p)
	}
	return s.flash(c, "minutes.answered_flash", minutesPath(p.S.ID)+"/edit#proposals")
}

func minutesPath(sessionID int64) string {
	return "/sessions/" + strconv.FormatInt(sessionID, 10) + "/minutes"
}
