package web

import (
	"context"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/web/form"
)

// The public consultation on a draft: the draft page (a version, its paragraphs with their
// comment counts and marks, where groups agree, orphaned comments), each paragraph's page (its
// thread and the forms to comment, reply, support, flag and mark), and the diff between two
// versions. A draft with no version published, or of a process not yet public, is for its
// organisers only.

// draftView is what every draft page shows of it.
type draftView struct {
	Process   processes.Process
	Draft     consultation.Draft
	Title     string
	Version   consultation.Version // the one shown
	Versions  []consultation.Version
	Newest    bool
	Period    string
	Groups    []string
	Organiser bool
	Moderator bool
}

// draftOf reads the path's draft, the version asked for (?version=N, else the newest) and who
// the viewer is to it.
func (s *Server) draftOf(c *fiber.Ctx) (*draftView, error) {
	id, err := form.ID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.draftAt(c, id)
}

// draftAt is draftOf for draft id.
func (s *Server) draftAt(c *fiber.Ctx, id int64) (*draftView, error) {
	ctx := c.UserContext()
	d, err := consultation.ByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	p, err := processes.ByID(ctx, s.DB, d.ProcessID)
	if err != nil {
		return nil, err
	}
	runs, err := s.runs(c, p)
	if err != nil {
		return nil, err
	}
	if !runs && (d.Version == 0 || p.Status == processes.StatusDraft) {
		return nil, errNotFound
	}
	v := &draftView{Process: p, Draft: d, Title: d.Title.In(lang(c), p.Languages...), Period: d.Period(s.Clock.Now()), Groups: p.StakeholderGroups,
		Organiser: runs}
	if a := account(c); a != nil {
		if v.Moderator, err = consultation.MayModerate(ctx, s.DB, consultation.Who{AccountID: a.ID, IsAdmin: a.IsAdmin}, p.ID); err != nil {
			return nil, err
		}
	}
	if runs || v.Moderator {
		noCache(c) // drawn with what only organisers and moderators see
	}
	if d.Version == 0 {
		return v, nil
	}
	if v.Versions, err = consultation.Versions(ctx, s.DB, d.ID); err != nil {
		return nil, err
	}
	n := d.Version
	if q := c.Query("version"); q != "" {
		if n, err = strconv.Atoi(q); err != nil || n < 1 || n > d.Version {
			return nil, errNotFound
		}
	}
	if v.Version, err = consultation.VersionOf(ctx, s.DB, d.ID, n); err != nil {
		return nil, err
	}
	v.Newest = n == d.Version
	return v, nil
}

func (v *draftView) viewer(c *fiber.Ctx) consultation.Viewer {
	if a := account(c); a != nil {
		return consultation.Viewer{AccountID: a.ID, Moderator: v.Moderator}
	}
	return consultation.Viewer{}
}

// draftPage is the draft as readers go through it: its sections and paragraphs.
type draftPage struct {
	*draftView
	Sections   []draftSection
	Paragraphs int
	Whole      int // comments on the whole draft
	Broad      []consultation.Standing
	Divided    []consultation.Standing
	Orphans    []consultation.Thread
	Moderation map[string]int
	Hidden     int
	Campaigns  []consultation.Campaign
	Answered   consultation.Answered
}

type draftSection struct {
	Heading    string
	Paragraphs []paragraphView
}

// paragraphView is a paragraph with how many comment on it and how readers marked it.
type paragraphView struct {
	consultation.Paragraph
	Comments int
	Marks    consultation.Tally
}

func (s *Server) showDraft(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	if v.Draft.Version == 0 {
		return c.Redirect("/admin/drafts/"+strconv.FormatInt(v.Draft.ID, 10), fiber.StatusSeeOther)
	}
	ctx := c.UserContext()
	p := &draftPage{draftView: v}
	fig, err := s.figuresOf(c, v.Draft, v.Version.Number)
	if err != nil {
		return err
	}
	counts, agreement := fig.counts, fig.agreement
	p.Broad, p.Divided = agreement.Broad(5)
	ps := consultation.Paragraphs(v.Version.Body)
	p.Paragraphs, p.Whole = len(ps), counts[0]
	for _, para := range ps {
		if len(p.Sections) == 0 || p.Sections[len(p.Sections)-1].Heading != para.Section {
			p.Sections = append(p.Sections, draftSection{Heading: para.Section})
		}
		pv := paragraphView{Paragraph: para, Comments: counts[para.Number]}
		for _, t := range agreement[para.Number] {
			pv.Marks.Agree, pv.Marks.Disagree, pv.Marks.Pass = pv.Marks.Agree+t.Agree, pv.Marks.Disagree+t.Disagree, pv.Marks.Pass+t.Pass
		}
		sec := &p.Sections[len(p.Sections)-1]
		sec.Paragraphs = append(sec.Paragraphs, pv)
	}
	if v.Newest {
		if p.Orphans, err = consultation.Orphans(ctx, s.DB, v.Draft, v.viewer(c)); err != nil {
			return err
		}
	}
	p.Moderation, p.Campaigns, p.Answered = fig.moderation, fig.campaigns, fig.answered
	for _, n := range p.Moderation {
		p.Hidden += n
	}
	return s.page(c, fiber.StatusOK, "drafts/show", "", &Page{Title: v.Title, Data: p})
}

// draftVersion names a version of a draft.
type draftVersion struct {
	draft   int64
	version int
}

// draftFigures are what a draft's page counts alike for every reader. Comments, marks,
// moderation and answers each grow the content revision, so they are counted once per
// revision (and a minute at most: an input dropped from draft minutes grows none): a signed-in
// reader's page, drawn for them, no longer counts every comment again.
type draftFigures struct {
	counts     map[int]int
	agreement  consultation.Agreement
	moderation map[string]int
	campaigns  []consultation.Campaign
	answered   consultation.Answered
}

// figuresOf counts the figures of a version of draft d, or gives those counted at the current
// content revision. What it gives is shared: read it, never change it.
func (s *Server) figuresOf(c *fiber.Ctx, d consultation.Draft, version int) (draftFigures, error) {
	revs, err := s.readRevisions(c)
	if err != nil {
		return draftFigures{}, err
	}
	ctx := c.UserContext()
	return s.drafts.Get(revs.Content, draftVersion{d.ID, version}, s.Clock.Now(), func() (f draftFigures, err error) {
		if f.counts, err = consultation.Counts(ctx, s.DB, d, version); err != nil {
			return f, err
		}
		if f.agreement, err = consultation.AgreementOn(ctx, s.DB, d.ID, version); err != nil {
			return f, err
		}
		if f.moderation, err = consultation.Moderation(ctx, s.DB, d.ID); err != nil {
			return f, err
		}
		if f.campaigns, err = consultation.Campaigns(ctx, s.DB, d.ID); err != nil {
			return f, err
		}
		f.answered, err = consultation.AnsweredOf(ctx, s.DB, d.ID)
		return f, err
	})
}

// paragraphPage is one paragraph (0: the whole draft) with its thread and forms.
type paragraphPage struct {
	*draftView
	P          consultation.Paragraph
	Threads    []consultation.Thread
	ByGroup    map[string]consultation.Tally
	Marks      consultation.Tally
	Mine       string // the viewer's mark
	Prev, Next int
	Last       int
	Reasons    []string
	Marking    []string
	// Topics and Kinds are an organiser's choices when a comment becomes an input; Typed what
	// they sent in a refused one.
	Topics []processes.Topic
	Kinds  []string
	Typed  *typedInput
	// The thread's order and page.
	Sort               string
	Sorts              []string
	Page, Pages, Total int
}

// typedInput is a refused input form's choices, to draw it again as it was sent.
type typedInput struct {
	Comment int64
	Topics  []int64
	Groups  []string
}

// Has tells whether the form for comment id was sent with topic or group v.
func (t *typedInput) Has(id int64, v any) bool {
	if t == nil || t.Comment != id {
		return false
	}
	switch v := v.(type) {
	case int64:
		return slices.Contains(t.Topics, v)
	case string:
		return slices.Contains(t.Groups, v)
	}
	return false
}

func (s *Server) showParagraph(c *fiber.Ctx) error {
	p, err := s.paragraphOf(c)
	if err != nil {
		return err
	}
	f, err := s.groupForms(c, p.Process.ID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "drafts/paragraph", "", &Page{Title: s.paragraphTitle(c, p), Form: f, Data: p})
}

// groupForms begins a signed-in person's comment and mark forms with the stakeholder group they
// last spoke as in the process (on a draft, else at their last registration).
func (s *Server) groupForms(c *fiber.Ctx, processID int64) (map[string]string, error) {
	a := account(c)
	if a == nil {
		return nil, nil
	}
	ctx := c.UserContext()
	group, err := consultation.LastGroup(ctx, s.DB, a.ID, processID)
	if err != nil {
		return nil, err
	}
	if group == "" {
		d, ok, err := registration.LastDetails(ctx, s.DB, a.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			group = d.Group
		}
	}
	return map[string]string{"group": group, "mark_group": group}, nil
}

func (s *Server) paragraphTitle(c *fiber.Ctx, p *paragraphPage) string {
	if p.P.Number == 0 {
		return s.Locale.T(lang(c), "draft.whole_title", map[string]any{"Draft": p.Title})
	}
	return s.Locale.T(lang(c), "draft.paragraph_title", map[string]any{"N": p.P.Number, "Draft": p.Title})
}

// paragraphOf reads the path's paragraph of the version asked for, and its thread.
func (s *Server) paragraphOf(c *fiber.Ctx) (*paragraphPage, error) {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return nil, errNotFound
	}
	id, err := form.ID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.paragraphAt(c, id, n)
}

// paragraphAt reads paragraph n (0: the whole draft) of a draft, and its thread.
func (s *Server) paragraphAt(c *fiber.Ctx, draftID int64, n int) (*paragraphPage, error) {
	v, err := s.draftAt(c, draftID)
	if err != nil {
		return nil, err
	}
	if v.Draft.Version == 0 {
		return nil, errNotFound
	}
	ps := consultation.Paragraphs(v.Version.Body)
	if n < 0 || n > len(ps) {
		return nil, errNotFound
	}
	p := &paragraphPage{draftView: v, Last: len(ps), Reasons: consultation.Reasons(), Marking: consultation.Marks()}
	if v.Organiser {
		if p.Topics, err = processes.Topics(c.UserContext(), s.DB, v.Process.ID); err != nil {
			return nil, err
		}
		p.Kinds = minutes.Kinds()
	}
	if n > 0 {
		p.P = ps[n-1]
		p.Prev, p.Next = n-1, n+1
		if p.Next > len(ps) {
			p.Next = 0
		}
	}
	return p, s.fillThread(c.UserContext(), c, p)
}

// threadPage is how many comments a paragraph's page shows at once.
const threadPage = 50

func (s *Server) fillThread(ctx context.Context, c *fiber.Ctx, p *paragraphPage) error {
	p.Sorts, p.Sort = consultation.Sorts(), c.Query("sort", consultation.SortSupported)
	if !slices.Contains(p.Sorts, p.Sort) {
		return errNotFound
	}
	p.Page = max(c.QueryInt("page", 1), 1)
	var err error
	if p.Threads, p.Total, err = consultation.ThreadsPage(ctx, s.DB, p.Draft, p.Version.Number, p.P.Number, p.viewer(c),
		consultation.ThreadQuery{Sort: p.Sort, Offset: (p.Page - 1) * threadPage, Limit: threadPage}); err != nil {
		return err
	}
	p.Pages = max((p.Total+threadPage-1)/threadPage, 1)
	if p.Page > p.Pages {
		return errNotFound
	}
	if p.P.Number == 0 {
		return nil
	}
	agreement, err := consultation.AgreementOn(ctx, s.DB, p.Draft.ID, p.Version.Number)
	if err != nil {
		return err
	}
	p.ByGroup = agreement[p.P.Number]
	for _, t := range p.ByGroup {
		p.Marks.Agree, p.Marks.Disagree, p.Marks.Pass = p.Marks.Agree+t.Agree, p.Marks.Disagree+t.Disagree, p.Marks.Pass+t.Pass
	}
	if a := account(c); a != nil {
		p.Mine, err = consultation.MarkOf(ctx, s.DB, p.Draft.ID, p.Version.Number, p.P.Number, a.ID)
	}
	return err
}

func paragraphPath(draftID int64, n int) string {
	return "/drafts/" + strconv.FormatInt(draftID, 10) + "/paragraphs/" + strconv.Itoa(n)
}

func draftWho(c *fiber.Ctx) consultation.Who {
	if a := account(c); a != nil {
		return consultation.Who{AccountID: a.ID, IsAdmin: a.IsAdmin, Name: a.Name}
	}
	return consultation.Who{}
}

// addComment takes a comment on a paragraph (or the whole draft), or a reply; a refused one
// comes back on the paragraph's page with what was typed.
func (s *Server) addComment(c *fiber.Ctx) error {
	f := form.Values(c, "version", "paragraph", "quote", "body", "group", "parent")
	n, _ := strconv.Atoi(f["paragraph"])
	version, _ := strconv.Atoi(f["version"])
	parent, _ := strconv.ParseInt(f["parent"], 10, 64)
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	cm, err := s.Consultation.AddComment(c.UserContext(), draftWho(c), id, consultation.CommentInput{Version: version, Paragraph: n, Quote: f["quote"],
		Body: f["body"], Group: f["group"], ParentID: parent})
	if err != nil {
		return s.refuseOnParagraph(c, n, f, err)
	}
	return s.flash(c, "draft.commented", paragraphPath(id, cm.AtParagraph)+"#c-"+strconv.FormatInt(cm.ID, 10))
}

// commentRefused is the comment form's rate-limit refusal, shown on the paragraph's page.
func (s *Server) commentRefused(c *fiber.Ctx, err error) error {
	f := form.Values(c, "version", "paragraph", "quote", "body", "group", "parent")
	n, _ := strconv.Atoi(f["paragraph"])
	return s.refuseOnParagraph(c, n, f, err)
}

// refuseOnParagraph draws the paragraph's page again with the refusal beside the form and
// what was typed in it (a reply's form is named for the comment it answers).
func (s *Server) refuseOnParagraph(c *fiber.Ctx, n int, f map[string]string, cause error) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.paragraphAt(c, id, n)
	if err != nil {
		return err
	}
	cause = errAt(cause, "body")
	if parent := f["parent"]; parent != "" && parent != "0" {
		for _, k := range []string{"body", "group"} {
			f["reply-"+parent+"-"+k] = f[k]
		}
		cause = form.Prefix(cause, "reply-"+parent+"-")
	}
	return s.formPage(c, cause, "drafts/paragraph", "", &Page{Title: s.paragraphTitle(c, p), Form: f, Data: p})
}
