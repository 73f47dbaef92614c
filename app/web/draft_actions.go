package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// What readers do on a comment (support, withdraw it, flag) and what moderators and
// organisers do (hide with a reason, restore, dismiss flags, place it in the newest version),
// as plain form posts that come back to the comment; and the marks on a paragraph.

func (s *Server) commentAction(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cm, err := consultation.CommentByID(ctx, s.DB, id)
	if err != nil {
		return err
	}
	who := draftWho(c)
	f := form.Values(c, "reason", "note", "paragraph")
	msg := "draft.moderated"
	switch action := c.Params("action"); action {
	case "support", "unsupport":
		_, err = s.Consultation.Support(ctx, who, id, action == "support")
		msg = "draft.supported"
		if action == "unsupport" {
			msg = "draft.unsupported"
		}
	case "flag":
		_, err = s.Consultation.Flag(ctx, who, id)
		msg = "draft.flagged"
	case consultation.ActHide, consultation.ActRestore, consultation.ActDismiss:
		_, err = s.Consultation.Moderate(ctx, who, id, action, f["reason"], f["note"])
	case "input":
		return s.commentToInput(c, cm)
	case "place":
		n, _ := strconv.Atoi(f["paragraph"])
		if cm, err = s.Consultation.Place(ctx, who, id, n); err == nil {
			return s.flash(c, "draft.placed", "/admin/drafts/"+strconv.FormatInt(cm.DraftID, 10)+"#places")
		}
	default:
		return errNotFound
	}
	if err != nil {
		return err
	}
	to := cm.AtParagraph
	if cm.Paragraph == 0 {
		to = 0
	}
	path := paragraphPath(cm.DraftID, to)
	if cm.AtParagraph == 0 && cm.Paragraph > 0 { // orphaned: shown on the draft's page
		path = "/drafts/" + strconv.FormatInt(cm.DraftID, 10) + "#orphans"
	}
	anchor := id
	if cm.ParentID != nil {
		anchor = *cm.ParentID
	}
	return s.flash(c, msg, path+"#c-"+strconv.FormatInt(anchor, 10))
}

// commentToInput records a comment (or its group of copies) as an input, or joins it to one;
// refused, the paragraph's page comes back with the comment's form open and what was typed.
func (s *Server) commentToInput(c *fiber.Ctx, cm consultation.Comment) error {
	pre := "input-" + strconv.FormatInt(cm.ID, 10) + "-"
	f := form.Values(c, "kind", "body", "ref", "campaign")
	var topics []int64
	for _, v := range form.Multi(c, "topics") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			topics = append(topics, id)
		}
	}
	groups := form.Multi(c, "groups")
	in := consultation.InputInput{Heard: minutes.Heard{Kind: f["kind"], Body: f["body"], Topics: topics, Groups: groups}, Ref: f["ref"], Campaign: f["campaign"] == "yes"}
	_, err := s.Consultation.ToInput(c.UserContext(), draftWho(c), cm.ID, in)
	if err != nil {
		if _, ok := validate.As(err); !ok {
			return err
		}
		p, perr := s.paragraphAt(c, cm.DraftID, cm.AtParagraph)
		if perr != nil {
			return perr
		}
		typed := map[string]string{}
		for k, v := range f {
			typed[pre+k] = v
		}
		p.Typed = &typedInput{Comment: cm.ID, Topics: topics, Groups: groups}
		return s.formPage(c, form.Prefix(err, pre), "drafts/paragraph", "", &Page{Title: s.paragraphTitle(c, p), Form: typed, Data: p})
	}
	return s.flash(c, "draft.recorded", paragraphPath(cm.DraftID, cm.AtParagraph)+"#c-"+strconv.FormatInt(cm.ID, 10))
}

// markParagraph records the reader's agree, disagree or pass on a paragraph.
func (s *Server) markParagraph(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	f := form.Values(c, "version", "paragraph", "mark", "mark_group")
	version, _ := strconv.Atoi(f["version"])
	n, _ := strconv.Atoi(f["paragraph"])
	if err := s.Consultation.Mark(c.UserContext(), draftWho(c), id, version, n, f["mark"], f["mark_group"]); err != nil {
		p, perr := s.paragraphAt(c, id, n)
		if perr != nil {
			return perr
		}
		// The group's error is the mark form's: its field is mark_group.
		return s.formPage(c, markFields(errAt(err, "mark")), "drafts/paragraph", "", &Page{Title: s.paragraphTitle(c, p), Form: f, Data: p})
	}
	return s.flash(c, "draft.marked", paragraphPath(id, n)+"#marks")
}

// markFields names the mark form's group field as the form does.
func markFields(err error) error {
	es, ok := validate.As(err)
	if !ok {
		return err
	}
	out := make(validate.Errors, len(es))
	for i, e := range es {
		if e.Field == "group" {
			e.Field = "mark_group"
		}
		out[i] = e
	}
	return out
}

// diffPage compares two versions of a draft, paragraph by paragraph, with the comments on each
// changed paragraph of the older one.
type diffPage struct {
	*draftView
	From, To int
	Changes  []consultation.Change
	Answered map[int][]consultation.Thread // older paragraph → its comments
}

func (s *Server) draftDiff(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	if v.Draft.Version == 0 {
		return errNotFound
	}
	from, err1 := strconv.Atoi(c.Query("from", strconv.Itoa(max(1, v.Draft.Version-1))))
	to, err2 := strconv.Atoi(c.Query("to", strconv.Itoa(v.Draft.Version)))
	if err1 != nil || err2 != nil || from < 1 || to < 1 || from > v.Draft.Version || to > v.Draft.Version {
		return errNotFound
	}
	if from > to {
		from, to = to, from
	}
	ctx := c.UserContext()
	older, err := consultation.VersionOf(ctx, s.DB, v.Draft.ID, from)
	if err != nil {
		return err
	}
	newer, err := consultation.VersionOf(ctx, s.DB, v.Draft.ID, to)
	if err != nil {
		return err
	}
	p := &diffPage{draftView: v, From: from, To: to, Answered: map[int][]consultation.Thread{}}
	p.Changes = consultation.Compare(consultation.Paragraphs(older.Body), consultation.Paragraphs(newer.Body))
	for _, ch := range p.Changes {
		if ch.Kind == consultation.ChangeSame || ch.Kind == consultation.ChangeMoved {
			continue
		}
		for _, n := range ch.From {
			ts, err := consultation.ThreadsOn(ctx, s.DB, v.Draft, from, n, v.viewer(c))
			if err != nil {
				return err
			}
			if from == v.Draft.Version {
				ts = nil
			}
			p.Answered[n] = ts
		}
	}
	return s.page(c, fiber.StatusOK, "drafts/diff", "", &Page{Title: s.Locale.T(lang(c), "draft.diff_title", map[string]any{"From": from, "To": to, "Draft": v.Title}),
		Data: p})
}
