package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/web/form"
	"github.com/convene/convene/app/web/openapi"
)

// The live Q&A under /api/v1: the same actions as the socket and the forms, for a client with a
// token (or a signed-in browser). Events still reach listeners through the session's room.

// apiQuestionList is a session's questions as the caller sees them.
type apiQuestionList struct {
	Questions []qa.View    `json:"questions"`
	Voted     []int64      `json:"voted" doc:"The questions the caller voted for."`
	State     qa.State     `json:"state"`
	Fairness  *qa.Fairness `json:"fairness,omitempty" doc:"Who asked and whose questions were taken: for moderators, and for everyone once questions are closed."`
}

// apiAskInput is a question.
type apiAskInput struct {
	Body      string `json:"body" doc:"Up to 300 characters."`
	Anonymous bool   `json:"anonymous" doc:"Ask without a name, when the session allows it."`
	Group     string `json:"group" doc:"A stakeholder group of the process; empty: not said."`
	Channel   string `json:"channel" enum:"online,room" doc:"room: a moderator adds a question asked in the room."`
}

// apiModeration is a moderator's action on a question.
type apiModeration struct {
	Action string   `json:"action" enum:"approve,hide,answer,pin,unpin,reply,label,merge"`
	Reason string   `json:"reason" enum:"off_topic,duplicate,offensive,personal_data,already_answered" doc:"hide: why."`
	Note   string   `json:"note" doc:"hide: a word to the asker."`
	Reply  string   `json:"reply" doc:"reply: the written answer (empty takes it back)."`
	Labels []string `json:"labels" doc:"label: up to five."`
	Into   int64    `json:"into" doc:"merge: the question of the same session it repeats."`
}

// questionsAPIDocs describes the routes for the OpenAPI document.
func questionsAPIDocs() []openapi.Op {
	sessionID := map[string]string{"id": "The session's id."}
	questionID := map[string]string{"id": "The question's id."}
	writeErrors := []int{400, 401, 403, 404, 409, 422, 429}
	return []openapi.Op{
		{Method: "GET", Path: "/sessions/:id/questions", ID: "listQuestions", Params: sessionID,
			Summary: "A session's questions as the caller sees them: those on the list, and the caller's own; all of them for its moderators.",
			Status:  200, Response: apiQuestionList{}, Errors: []int{404}},
		{Method: "POST", Path: "/sessions/:id/questions", ID: "askQuestion", Params: sessionID, Auth: true,
			Summary: "Ask a question (premoderated sessions and flagged words hold it for the moderators).", Body: apiAskInput{},
			Status: 201, Response: qa.View{}, Errors: writeErrors},
		{Method: "POST", Path: "/questions/:id/votes", ID: "voteQuestion", Params: questionID, Auth: true,
			Summary: "Vote for a question on the list: once per person.", Status: 200, Response: qa.View{}, Errors: writeErrors},
		{Method: "DELETE", Path: "/questions/:id/votes", ID: "unvoteQuestion", Params: questionID, Auth: true,
			Summary: "Withdraw one's vote.", Status: 200, Response: qa.View{}, Errors: writeErrors},
		{Method: "POST", Path: "/questions/:id/moderation", ID: "moderateQuestion", Params: questionID, Auth: true,
			Summary: "A moderator's action: approve, hide with a reason, answer, pin, unpin, reply, label, merge.", Body: apiModeration{},
			Status: 200, Response: qa.View{}, Errors: writeErrors},
	}
}

func (s *Server) apiListQuestions(c *fiber.Ctx) error {
	p, _, err := s.questionsOf(c, false)
	if err != nil {
		return err
	}
	out := apiQuestionList{Questions: []qa.View{}, Voted: []int64{}, State: qa.State{Mode: p.S.QAMode, WhoAsks: p.State.WhoAsks,
		Anonymous: p.State.Anonymous, Closed: p.State.Closed}}
	all := append(append(append(append([]qa.Question{}, p.Pending...), p.Open...), p.Answered...), p.Hidden...)
	if p.Pinned != nil {
		all = append(all, *p.Pinned)
	}
	who := s.qaWho(c, false)
	for _, q := range append(all, p.Mine...) {
		out.Questions = append(out.Questions, qa.ViewOf(q, p.Moderator || q.OwnedBy(who.Keys())))
	}
	for id := range p.Voted {
		out.Voted = append(out.Voted, id)
	}
	if p.Moderator || p.State.Closed {
		f, err := qa.FairnessOf(c.UserContext(), s.DB, p.S.ID)
		if err != nil {
			return err
		}
		out.Fairness = &f
	}
	return c.JSON(out)
}

func (s *Server) apiAskQuestion(c *fiber.Ctx) error {
	sv, _, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	if sv.QAMode == forums.QAOff {
		return qa.ErrOff
	}
	var body apiAskInput
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	who := s.qaWho(c, false)
	q, err := s.QA.Ask(c.UserContext(), who, sv.ID, qa.AskInput{Body: body.Body, Anonymous: body.Anonymous, Group: body.Group, Channel: body.Channel})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(qa.ViewOf(q, true))
}

// apiQuestion reads the question of the path; its session must be one the caller may see.
func (s *Server) apiQuestion(c *fiber.Ctx) (qa.Question, error) {
	id, err := form.ID(c, "id")
	if err != nil {
		return qa.Question{}, err
	}
	ctx := c.UserContext()
	var q qa.Question
	if err := s.DB.NewSelect().Model(&q).Where("q.id = ?", id).Scan(ctx); err != nil {
		return q, errNotFound
	}
	sv, err := forums.SessionByID(ctx, s.DB, q.SessionID)
	if err != nil {
		return q, err
	}
	f, err := forums.Get(ctx, s.DB, sv.ForumID)
	if err != nil {
		return q, err
	}
	// A draft's questions are not there for anyone who does not run its process.
	_, err = s.forumContextOf(c, f)
	return q, err
}

func (s *Server) apiVote(c *fiber.Ctx) error {
	q, err := s.apiQuestion(c)
	if err != nil {
		return err
	}
	who := s.qaWho(c, false)
	if c.Method() == fiber.MethodDelete {
		q, err = s.QA.Unvote(c.UserContext(), who, q.ID)
	} else {
		q, err = s.QA.Vote(c.UserContext(), who, q.ID)
	}
	if err != nil {
		return err
	}
	return c.JSON(qa.ViewOf(q, false))
}

func (s *Server) apiModerate(c *fiber.Ctx) error {
	q, err := s.apiQuestion(c)
	if err != nil {
		return err
	}
	var body apiModeration
	if err := form.JSON(c, &body); err != nil {
		return err
	}
	q, err = s.QA.Moderate(c.UserContext(), s.qaWho(c, false), q.ID, qa.Moderation{Kind: body.Action, Reason: body.Reason, Note: body.Note,
		Reply: body.Reply, Labels: body.Labels, Into: body.Into})
	if err != nil {
		return err
	}
	return c.JSON(qa.ViewOf(q, true))
}
