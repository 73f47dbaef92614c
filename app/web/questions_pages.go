package web

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/yeqown/go-qrcode/v2"
	"github.com/yeqown/go-qrcode/writer/standard"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/web/form"
)

// The Q&A pages of a session: the attendees' (ask, vote, see what was answered and one's own
// questions with the reasons they were declined), the moderators' (the queue and its actions,
// the settings, who asked and whose questions were taken) and the projector's. Each works
// with forms alone; the page's script follows the live socket.

// questionsPage is what the three pages show.
type questionsPage struct {
	F         *forumContext
	S         forums.SessionView
	Title     string
	State     qa.Settings
	Moderator bool
	Pinned    *qa.Question
	Open      []qa.Question // shown, not answered, in the order asked for
	Answered  []qa.Question
	Pending   []qa.Question // moderators: waiting for them
	Hidden    []qa.Question // moderators: declined
	Mine      []qa.Question // the viewer's own, not shown (pending, declined)
	Voted     map[int64]bool
	Sort      string
	Fairness  qa.Fairness
	Listeners int
	Reasons   []string
	WhoAsks   []string
	Groups    []string
	MayAsk    bool
	Live      string // the socket's path
	Join      string // the attendees' short link, without its scheme, for the projector
	ShowCount bool   // the projector shows how many follow, when asked to (?count=1)
	// ReasonNames are the reasons' names in the viewer's language, as JSON, for the script
	// that shows one's own declined question live.
	ReasonNames string
}

// questionsOf reads a session's Q&A for the viewer; the session must take questions.
func (s *Server) questionsOf(c *fiber.Ctx, give bool) (*questionsPage, qa.Who, error) {
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return nil, qa.Who{}, err
	}
	if sv.QAMode == forums.QAOff || sv.QAMode == "" {
		return nil, qa.Who{}, errNotFound
	}
	noCache(c) // the viewer's own questions and votes
	ctx := c.UserContext()
	who := s.qaWho(c, give)
	mod, err := qa.Moderates(ctx, s.DB, who, fc.Process.ID, sv.ID)
	if err != nil {
		return nil, who, err
	}
	st, err := qa.SettingsOf(ctx, s.DB, sv.ID)
	if err != nil {
		return nil, who, err
	}
	list, err := qa.List(ctx, s.DB, sv.ID, who, mod)
	if err != nil {
		return nil, who, err
	}
	voted, err := qa.VotedBy(ctx, s.DB, sv.ID, who)
	if err != nil {
		return nil, who, err
	}
	l := lang(c)
	p := &questionsPage{F: fc, S: sv, Title: sv.Title.In(l, fc.Process.Languages...), State: st, Moderator: mod, Voted: map[int64]bool{},
		Sort: "popular", Reasons: qa.Reasons(), WhoAsks: qa.WhoAsks(), Groups: fc.Process.StakeholderGroups,
		MayAsk: !st.Closed && (st.WhoAsks == qa.AskAnyone || who.AccountID != 0), Live: fmt.Sprintf("/sessions/%d/live", sv.ID),
		Join: strings.TrimPrefix(strings.TrimPrefix(s.joinURL(sv.ID), "https://"), "http://")}
	names := map[string]string{}
	for _, r := range qa.Reasons() {
		names[r] = s.Locale.T(l, "qa.reason."+r, nil)
	}
	b, _ := json.Marshal(names)
	p.ReasonNames = string(b)
	if c.Query("sort") == "recent" {
		p.Sort = "recent"
	}
	for _, id := range voted {
		p.Voted[id] = true
	}
	keys := who.Keys()
	for _, q := range list {
		switch {
		case q.Pinned && q.Shown():
			p.Pinned = &q
		case q.Status == qa.Visible:
			p.Open = append(p.Open, q)
		case q.Status == qa.Answered:
			p.Answered = append(p.Answered, q)
		case mod && q.Status == qa.Pending:
			p.Pending = append(p.Pending, q)
		case mod && q.Status == qa.Hidden:
			p.Hidden = append(p.Hidden, q)
		}
		if !q.Shown() && q.OwnedBy(keys) {
			p.Mine = append(p.Mine, q)
		}
	}
	if p.Sort == "popular" {
		slices.SortStableFunc(p.Open, func(a, b qa.Question) int { return cmp.Compare(b.Votes, a.Votes) })
	} else {
		slices.Reverse(p.Open)
	}
	// Moderators see whose questions are taken as they go; everyone, once questions close.
	if mod || st.Closed {
		if p.Fairness, err = qa.FairnessOf(ctx, s.DB, sv.ID); err != nil {
			return nil, who, err
		}
	}
	if mod {
		p.Listeners = s.Hub.Listeners(qa.Room(sv.ID))
	}
	return p, who, nil
}

func (s *Server) showQuestions(c *fiber.Ctx) error {
	p, _, err := s.questionsOf(c, true)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "questions/show", "", &Page{Title: p.Title, Data: p})
}

func (s *Server) moderateQuestions(c *fiber.Ctx) error {
	p, _, err := s.questionsOf(c, false)
	if err != nil {
		return err
	}
	if !p.Moderator {
		return errForbidden
	}
	return s.page(c, fiber.StatusOK, "questions/moderate", "", &Page{Title: p.Title, Data: p})
}

func (s *Server) presentQuestions(c *fiber.Ctx) error {
	p, _, err := s.questionsOf(c, false)
	if err != nil {
		return err
	}
	if len(p.Open) > 5 {
		p.Open = p.Open[:5]
	}
	// The room's size is the organisers' to show: a small count on a big screen discourages.
	if p.ShowCount = c.Query("count") == "1"; p.ShowCount {
		p.Listeners = s.Hub.Listeners(qa.Room(p.S.ID))
	}
	return s.page(c, fiber.StatusOK, "questions/present", "", &Page{Title: p.Title, Data: p})
}

// joinURL is the short link to a session's questions that the projector shows and its QR code
// holds: short enough to type from the back of a hall.
func (s *Server) joinURL(sessionID int64) string {
	return s.Config.BaseURL + "/q/" + strconv.FormatInt(sessionID, 10)
}

// joinQuestions sends the short link on to the session's questions.
func (s *Server) joinQuestions(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	return c.Redirect(questionsPath(id), fiber.StatusSeeOther)
}

// questionsQR is the attendees' page address as a QR code, for the projector.
func (s *Server) questionsQR(c *fiber.Ctx) error {
	sv, _, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	qr, err := qrcode.NewWith(s.joinURL(sv.ID), qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := standard.NewWithWriter(nopCloser{&buf}, standard.WithQRWidth(12), standard.WithBorderWidth(16),
		standard.WithBuiltinImageEncoder(standard.PNG_FORMAT))
	if err := qr.Save(w); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(buf.Bytes())
}

// questionsPath is the attendees' page of a session, where forms come back to.
func questionsPath(sessionID int64) string {
	return "/sessions/" + strconv.FormatInt(sessionID, 10) + "/questions"
}

// back is where a question's form returns: the page it came from when that is one of the
// session's Q&A pages, else the attendees' page.
func back(c *fiber.Ctx, sessionID int64) string {
	if b := c.FormValue("back"); strings.HasPrefix(b, questionsPath(sessionID)) && !strings.ContainsAny(b, "\r\n\\") {
		return strings.Clone(b)
	}
	return questionsPath(sessionID)
}

func (s *Server) askQuestion(c *fiber.Ctx) error {
	sv, _, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "body", "group", "anonymous", "channel")
	q, err := s.QA.Ask(c.UserContext(), s.qaWho(c, true), sv.ID, qa.AskInput{Body: f["body"], Anonymous: f["anonymous"] == "yes",
		Channel: f["channel"], Group: f["group"]})
	if err != nil {
		p, _, perr := s.questionsOf(c, true)
		if perr != nil {
			return perr
		}
		return s.formError(c, err, "questions/show", "", f, p)
	}
	msg := "qa.asked"
	if q.Status == qa.Pending {
		msg = "qa.asked_pending"
	}
	return s.flash(c, msg, back(c, sv.ID)+"#question-"+strconv.FormatInt(q.ID, 10))
}

// questionAction is a form's action on one question of the path's session.
func (s *Server) questionAction(c *fiber.Ctx) error {
	sv, _, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	id, err := form.ID(c, "qid")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := s.questionOfSession(ctx, id, sv.ID); err != nil {
		return err
	}
	who := s.qaWho(c, true)
	f := form.Values(c, "reason", "note", "reply", "labels", "into")
	var msg string
	switch action := c.Params("action"); action {
	case "vote":
		_, err = s.QA.Vote(ctx, who, id)
		msg = "qa.voted"
	case "unvote":
		_, err = s.QA.Unvote(ctx, who, id)
		msg = "qa.unvoted"
	case "report":
		_, err = s.QA.Report(ctx, who, id)
		msg = "qa.reported"
	case qa.Approve, qa.Hide, qa.Answer, qa.Pin, qa.Unpin, qa.Reply, qa.Label, qa.Merge:
		into, _ := strconv.ParseInt(f["into"], 10, 64)
		_, err = s.QA.Moderate(ctx, who, id, qa.Moderation{Kind: action, Reason: f["reason"], Note: f["note"], Reply: f["reply"],
			Labels: strings.FieldsFunc(f["labels"], func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }), Into: into})
		msg = "qa.moderated"
	default:
		return errNotFound
	}
	if err != nil {
		return err
	}
	return s.flash(c, msg, back(c, sv.ID)+"#question-"+strconv.FormatInt(id, 10))
}

func (s *Server) configureQuestions(c *fiber.Ctx) error {
	sv, _, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "who_asks", "anonymous", "closed")
	if _, err := s.QA.Configure(c.UserContext(), s.qaWho(c, false), sv.ID, qa.SettingsInput{WhoAsks: f["who_asks"],
		Anonymous: f["anonymous"] == "yes", Closed: f["closed"] == "yes"}); err != nil {
		return err
	}
	return s.flash(c, "qa.configured", questionsPath(sv.ID)+"/moderate")
}

// exportQuestions is a session's questions with their votes, status, reasons and replies, as CSV
// or JSON, for its moderators (the minutes take them from here).
func (s *Server) exportQuestions(c *fiber.Ctx) error {
	p, _, err := s.questionsOf(c, false)
	if err != nil {
		return err
	}
	if !p.Moderator {
		return errForbidden
	}
	list, err := qa.List(c.UserContext(), s.DB, p.S.ID, qa.Who{}, true)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("session-%d-questions", p.S.ID)
	c.Set(fiber.HeaderCacheControl, "no-store")
	if strings.HasSuffix(c.Path(), ".json") {
		views := make([]qa.View, len(list))
		for i, q := range list {
			views[i] = qa.ViewOf(q, true)
		}
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.json"`)
		return c.JSON(map[string]any{"session": p.S.ID, "questions": views})
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"id", "asked_at", "body", "author", "group", "channel", "status", "votes", "reason", "note", "reply", "reply_by",
		"answered_at", "merged_into"})
	for _, q := range list {
		v := qa.ViewOf(q, true)
		answered, merged := "", ""
		if v.AnsweredAt != nil {
			answered = v.AnsweredAt.UTC().Format(time.RFC3339)
		}
		if v.MergedInto != nil {
			merged = strconv.FormatInt(*v.MergedInto, 10)
		}
		row := []string{strconv.FormatInt(v.ID, 10), v.CreatedAt.UTC().Format(time.RFC3339), v.Body, v.Author, v.Group, v.Channel, v.Status,
			strconv.Itoa(v.Votes), v.Reason, v.Note, v.Reply, v.ReplyBy, answered, merged}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
	return c.Send(b.Bytes())
}
