package web

import (
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// Formal submissions on a draft: the list of public ones, the form (text and files, sent as
// multipart), a submission's page with its files and points, the files' download, and the
// organisers' form splitting a submission into points on paragraphs.

// maxUploadBody is the most a submission's request may carry: its files' total and the form.
const maxUploadBody = consultation.MaxFiles*consultation.MaxFileSize/2 + 1<<20

// smallBody is the most any other request may carry.
const smallBody = 2 << 20

// smallBodies refuses a body over smallBody (413) on every route but the one that takes files:
// Fiber's limit is sized for that one.
func smallBodies(c *fiber.Ctx) error {
	if c.Request().Header.ContentLength() > smallBody && !(c.Method() == fiber.MethodPost && strings.HasSuffix(c.Path(), "/submissions")) {
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// submissionsPage lists a draft's submissions.
type submissionsPage struct {
	*draftView
	Submissions []consultation.Submission
}

// submissionsOf reads the path's published draft and the submissions the viewer may read: the
// public ones, and for moderators all.
func (s *Server) submissionsOf(c *fiber.Ctx) (*draftView, []consultation.Submission, error) {
	v, err := s.draftOf(c)
	if err != nil {
		return nil, nil, err
	}
	if v.Draft.Version == 0 {
		return nil, nil, errNotFound
	}
	ss, err := consultation.Submissions(c.UserContext(), s.DB, v.Draft.ID, v.Moderator)
	return v, ss, err
}

func (s *Server) listSubmissions(c *fiber.Ctx) error {
	v, ss, err := s.submissionsOf(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "drafts/submissions", "", &Page{Title: s.Locale.T(lang(c), "submission.list_title", map[string]any{"Draft": v.Title}),
		Data: &submissionsPage{draftView: v, Submissions: ss}})
}

func (s *Server) submissionForm(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	if v.Draft.Version == 0 {
		return errNotFound
	}
	noCache(c)
	return s.page(c, fiber.StatusOK, "drafts/submit", "", &Page{Title: s.Locale.T(lang(c), "submission.form_title", map[string]any{"Draft": v.Title}),
		Form: map[string]string{"public": "yes"}, Data: v})
}

func (s *Server) submit(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "organisation", "group", "signatory_role", "on_behalf_of", "body", "public")
	in := consultation.SubmissionInput{Organisation: f["organisation"], Group: f["group"], Role: f["signatory_role"], OnBehalfOf: f["on_behalf_of"],
		Body: f["body"], Public: f["public"] == "yes"}
	if mf, err := c.MultipartForm(); err == nil {
		for _, fh := range mf.File["files"] {
			if fh.Size == 0 && fh.Filename == "" {
				continue // the browser's empty file field
			}
			data, err := readUpload(fh.Open, consultation.MaxFileSize)
			if err != nil {
				return err
			}
			in.Files = append(in.Files, consultation.Upload{Name: fh.Filename, Data: data})
		}
	}
	sub, err := s.Consultation.Submit(c.UserContext(), draftWho(c), v.Draft.ID, in)
	if err != nil {
		return s.formPage(c, errAt(err, "body"), "drafts/submit", "", &Page{Title: s.Locale.T(lang(c), "submission.form_title", map[string]any{"Draft": v.Title}),
			Form: f, Data: v})
	}
	return s.flash(c, "submission.received", "/submissions/"+strconv.FormatInt(sub.ID, 10))
}

// submissionRefused is the submission form's rate-limit refusal, on the form.
func (s *Server) submissionRefused(c *fiber.Ctx, cause error) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "organisation", "group", "signatory_role", "on_behalf_of", "body", "public")
	return s.formPage(c, errAt(cause, "body"), "drafts/submit", "", &Page{Title: s.Locale.T(lang(c), "submission.form_title", map[string]any{"Draft": v.Title}),
		Form: f, Data: v})
}

// readUpload reads an uploaded file, at most max bytes and one more (so that an oversize file
// is seen to be one without holding more of it).
func readUpload[R io.ReadCloser](open func() (R, error), max int) ([]byte, error) {
	r, err := open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, int64(max)+1))
}

// submissionPage is a submission with its points.
type submissionPage struct {
	*draftView
	S        consultation.Submission
	Tracking string
	Points   []consultation.Comment
	Mine     bool
}

// submissionOf reads the path's submission, for those who may read it.
func (s *Server) submissionOf(c *fiber.Ctx) (*submissionPage, error) {
	id, err := form.ID(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.UserContext()
	sub, err := consultation.SubmissionByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	v, err := s.draftAt(c, sub.DraftID)
	if err != nil {
		return nil, err
	}
	viewer := v.viewer(c)
	if !sub.MayRead(viewer) {
		return nil, errNotFound
	}
	p := &submissionPage{draftView: v, S: sub, Tracking: consultation.Tracking(v.Process.Code, sub.Number), Mine: viewer.AccountID != 0 && sub.AuthorID != nil && *sub.AuthorID == viewer.AccountID}
	if !sub.Public || p.Mine {
		noCache(c)
	}
	if p.Points, err = consultation.Points(ctx, s.DB, sub.ID); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) showSubmission(c *fiber.Ctx) error {
	p, err := s.submissionOf(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "drafts/submission", "", &Page{Title: s.Locale.T(lang(c), "submission.title", map[string]any{"Tracking": p.Tracking,
		"Organisation": p.S.Organisation}), Form: map[string]string{}, Data: p})
}

// submissionFile sends a submission's file as an attachment of its checked type.
func (s *Server) submissionFile(c *fiber.Ctx) error {
	p, err := s.submissionOf(c)
	if err != nil {
		return err
	}
	fid, err := form.ID(c, "fid")
	if err != nil {
		return err
	}
	f, err := consultation.FileOf(c.UserContext(), s.DB, p.S.ID, fid)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	return c.Send(f.Data)
}

// addPoint records a point of a submission on a paragraph; refused, the submission's page comes
// back with the form as it was sent.
func (s *Server) addPoint(c *fiber.Ctx) error {
	p, err := s.submissionOf(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "paragraph", "quote", "body")
	n, perr := strconv.Atoi(strings.TrimSpace(f["paragraph"]))
	if perr != nil {
		n = -1
	}
	if _, err := s.Consultation.AddPoint(c.UserContext(), draftWho(c), p.S.ID, n, f["quote"], f["body"]); err != nil {
		if _, ok := validate.As(err); !ok {
			return err
		}
		return s.formPage(c, err, "drafts/submission", "", &Page{Title: s.Locale.T(lang(c), "submission.title", map[string]any{"Tracking": p.Tracking,
			"Organisation": p.S.Organisation}), Form: f, Data: p})
	}
	return s.flash(c, "submission.point_added", "/submissions/"+strconv.FormatInt(p.S.ID, 10)+"#points")
}
