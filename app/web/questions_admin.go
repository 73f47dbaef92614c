package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/validate"
)

// The live Q&A tab of a process's admin pages: the words and phrases that send a question to
// the moderators first, even where questions go straight to the list.

func (s *Server) questionWordsData(p processes.Process) map[string]any {
	return map[string]any{"Process": p, "Max": qa.MaxWords}
}

func (s *Server) processQuestionWords(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	words, err := qa.Words(c.UserContext(), s.DB, p.ID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/process_questions", "admin.qa_words",
		&Page{Form: map[string]string{"words": strings.Join(words, "\n")}, Data: s.questionWordsData(p)})
}

func (s *Server) setQuestionWords(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	raw := c.FormValue("words")
	if _, err := s.QA.SetWords(c.UserContext(), s.actor(c), p.ID, strings.Split(raw, "\n")); err != nil {
		if _, ok := validate.As(err); !ok {
			return err
		}
		return s.formError(c, err, "admin/process_questions", "admin.qa_words", map[string]string{"words": raw}, s.questionWordsData(p))
	}
	return s.flash(c, "admin.qa_words_saved", "/admin/processes/"+p.Slug+"/questions")
}
