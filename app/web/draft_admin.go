package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// The organisers' side of a consultation: a process's drafts, a draft's settings (title,
// summary, comment period in the process's zone), publishing a new version, the comments
// whose place in it is fuzzy, and the moderators' queue of flagged comments.

// requireDraftOrganiser lets through the organisers of the process of the draft :id, and
// admins.
func (s *Server) requireDraftOrganiser(c *fiber.Ctx) error {
	if account(c) == nil {
		return s.requireAccount(c)
	}
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	if !v.Organiser {
		return errForbidden
	}
	return c.Next()
}

// requireDraftModerator lets through the moderators and organisers of the process of the
// draft :id, and admins.
func (s *Server) requireDraftModerator(c *fiber.Ctx) error {
	if account(c) == nil {
		return s.requireAccount(c)
	}
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	if !v.Moderator {
		return errForbidden
	}
	return c.Next()
}

// processDrafts lists a process's drafts with the form to begin one.
func (s *Server) processDrafts(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	return s.draftsTab(c, p, fiber.StatusOK, nil, map[string]string{})
}

func (s *Server) draftsTab(c *fiber.Ctx, p processes.Process, status int, cause error, f map[string]string) error {
	ds, err := consultation.OfProcess(c.UserContext(), s.DB, p.ID, true)
	if err != nil {
		return err
	}
	pg := &Page{Title: s.Locale.T(lang(c), "admin.drafts_title", nil), Form: f, Data: map[string]any{"Process": p, "Drafts": ds}}
	if cause != nil {
		return s.formPage(c, cause, "admin/process_drafts", "", pg)
	}
	return s.page(c, status, "admin/process_drafts", "", pg)
}

func (s *Server) createDraft(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	in, f, err := draftFromForm(c, p)
	if err == nil {
		var d consultation.Draft
		if d, err = s.Consultation.CreateDraft(c.UserContext(), draftWho(c), p.ID, in); err == nil {
			return s.flash(c, "draft.created", "/admin/drafts/"+strconv.FormatInt(d.ID, 10))
		}
	}
	return s.draftsTab(c, p, fiber.StatusOK, err, f)
}

// draftFromForm reads a draft's settings; times are wall-clock in the process's zone.
func draftFromForm(c *fiber.Ctx, p processes.Process) (consultation.DraftInput, map[string]string, error) {
	names := []string{"opens_at", "closes_at"}
	for _, l := range p.Languages {
		names = append(names, "title."+l, "summary."+l)
	}
	f := form.Values(c, names...)
	in := consultation.DraftInput{Title: translated.Text{}, Summary: translated.Text{}}
	for _, l := range p.Languages {
		in.Title[l], in.Summary[l] = f["title."+l], f["summary."+l]
	}
	zone, err := clock.Zone(p.TimeZone)
	if err != nil {
		return in, f, err
	}
	var es validate.Errors
	at := func(field string) *time.Time {
		if strings.TrimSpace(f[field]) == "" {
			return nil
		}
		t, ok := forums.LocalTime(&es, field, f[field], zone)
		if !ok {
			return nil
		}
		return &t
	}
	in.OpensAt, in.ClosesAt = at("opens_at"), at("closes_at")
	return in, f, es.Err()
}

// draftAdminPage is a draft's page for its organisers.
type draftAdminPage struct {
	*draftView
	ToPlace   []placeView
	Flagged   []consultation.Comment
	Campaigns []consultation.Campaign
	Next      int // the number the next version takes
}

// placeView is a comment whose place in the newest version is fuzzy: where it was, and where
// it was put.
type placeView struct {
	consultation.Comment
	Was, Now string
}

func (s *Server) manageDraft(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	return s.draftAdmin(c, v, nil, draftSettingsForm(v))
}

func draftSettingsForm(v *draftView) map[string]string {
	f := map[string]string{"body": v.Version.Body}
	for _, l := range v.Process.Languages {
		f["title."+l], f["summary."+l] = v.Draft.Title[l], v.Draft.Summary[l]
	}
	if zone, err := clock.Zone(v.Process.TimeZone); err == nil {
		if v.Draft.OpensAt != nil {
			f["opens_at"] = v.Draft.OpensAt.In(zone).Format(localLayout)
		}
		if v.Draft.ClosesAt != nil {
			f["closes_at"] = v.Draft.ClosesAt.In(zone).Format(localLayout)
		}
	}
	return f
}

func (s *Server) draftAdmin(c *fiber.Ctx, v *draftView, cause error, f map[string]string) error {
	ctx := c.UserContext()
	noCache(c)
	p := &draftAdminPage{draftView: v, Next: v.Draft.Version + 1}
	var err error
	if p.Flagged, err = consultation.Flagged(ctx, s.DB, v.Draft.ID); err != nil {
		return err
	}
	if p.Campaigns, err = consultation.Campaigns(ctx, s.DB, v.Draft.ID); err != nil {
		return err
	}
	if v.Draft.Version > 0 {
		fuzzy, err := consultation.ToPlace(ctx, s.DB, v.Draft)
		if err != nil {
			return err
		}
		newest := consultation.Paragraphs(v.Version.Body)
		texts := map[int][]consultation.Paragraph{}
		for _, cm := range fuzzy {
			old, ok := texts[cm.Version]
			if !ok {
				ov, err := consultation.VersionOf(ctx, s.DB, v.Draft.ID, cm.Version)
				if err != nil {
					return err
				}
				old = consultation.Paragraphs(ov.Body)
				texts[cm.Version] = old
			}
			pv := placeView{Comment: cm}
			if cm.Paragraph <= len(old) {
				pv.Was = old[cm.Paragraph-1].Text
			}
			if cm.AtParagraph >= 1 && cm.AtParagraph <= len(newest) {
				pv.Now = newest[cm.AtParagraph-1].Text
			}
			p.ToPlace = append(p.ToPlace, pv)
		}
	}
	pg := &Page{Title: s.Locale.T(lang(c), "admin.draft_title", map[string]any{"Draft": v.Title}), Form: f, Data: p}
	if cause != nil {
		return s.formPage(c, cause, "admin/draft", "", pg)
	}
	return s.page(c, fiber.StatusOK, "admin/draft", "", pg)
}

func (s *Server) updateDraft(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	in, f, err := draftFromForm(c, v.Process)
	if err == nil {
		if _, err = s.Consultation.UpdateDraft(c.UserContext(), draftWho(c), v.Draft.ID, in); err == nil {
			return s.flash(c, "draft.saved", "/admin/drafts/"+strconv.FormatInt(v.Draft.ID, 10))
		}
	}
	f["body"] = v.Version.Body
	return s.draftAdmin(c, v, err, f)
}

func (s *Server) publishDraftVersion(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "body", "note")
	if _, err := s.Consultation.PublishVersion(c.UserContext(), draftWho(c), v.Draft.ID, f["body"], f["note"]); err != nil {
		for k, val := range draftSettingsForm(v) {
			if _, ok := f[k]; !ok {
				f[k] = val
			}
		}
		return s.draftAdmin(c, v, err, f)
	}
	return s.flash(c, "draft.published", "/admin/drafts/"+strconv.FormatInt(v.Draft.ID, 10))
}

// moderateDraft is the moderators' queue: the comments flagged since they last looked.
func (s *Server) moderateDraft(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	flagged, err := consultation.Flagged(c.UserContext(), s.DB, v.Draft.ID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "drafts/moderate", "", &Page{Title: s.Locale.T(lang(c), "draft.moderate_title", map[string]any{"Draft": v.Title}),
		Data: map[string]any{"View": v, "Flagged": flagged, "Reasons": consultation.Reasons()}})
}
