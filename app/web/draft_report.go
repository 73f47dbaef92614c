package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/consultation"
)

// The response report of a draft: each paragraph of the newest version with what changed in it
// since the first, and every comment, reply and submission point on it with what became of it;
// as a page, and as CSV, JSON and Markdown downloads that stream row by row. Hidden comments
// and private points are in it only for moderators.

// reportTimeout bounds a download's reading of the database: it goes on after the handler
// has returned, while the rows stream out.
const reportTimeout = 2 * time.Minute

// reportPage is the report grouped by paragraph.
type reportPage struct {
	*draftView
	Paragraphs []reportParagraph
	Whole      []consultation.Row
	Orphans    []consultation.Row
	Total      int
}

type reportParagraph struct {
	consultation.Paragraph
	Change consultation.Change
	Rows   []consultation.Row
}

// reportOf reads the whole report of the path's draft, grouped for the page and Markdown.
func (s *Server) reportOf(c *fiber.Ctx) (*reportPage, error) {
	v, err := s.draftOf(c)
	if err != nil {
		return nil, err
	}
	if v.Draft.Version == 0 {
		return nil, errNotFound
	}
	ctx := c.UserContext()
	first, err := consultation.VersionOf(ctx, s.DB, v.Draft.ID, 1)
	if err != nil {
		return nil, err
	}
	newest, err := consultation.VersionOf(ctx, s.DB, v.Draft.ID, v.Draft.Version)
	if err != nil {
		return nil, err
	}
	ps := consultation.Paragraphs(newest.Body)
	p := &reportPage{draftView: v, Paragraphs: make([]reportParagraph, len(ps))}
	for i, para := range ps {
		p.Paragraphs[i].Paragraph = para
	}
	for _, ch := range consultation.Compare(consultation.Paragraphs(first.Body), ps) {
		if ch.To > 0 {
			p.Paragraphs[ch.To-1].Change = ch
		}
	}
	err = consultation.EachRow(ctx, s.DB, v.Draft, v.Process.Code, v.viewer(c), func(r consultation.Row) error {
		p.Total++
		switch {
		case r.Place == consultation.Orphaned:
			p.Orphans = append(p.Orphans, r)
		case r.Paragraph == 0:
			p.Whole = append(p.Whole, r)
		case r.Paragraph <= len(ps):
			p.Paragraphs[r.Paragraph-1].Rows = append(p.Paragraphs[r.Paragraph-1].Rows, r)
		}
		return nil
	})
	return p, err
}

func (s *Server) draftReport(c *fiber.Ctx) error {
	p, err := s.reportOf(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "drafts/report", "", &Page{Title: s.Locale.T(lang(c), "draft_report.title", map[string]any{"Draft": p.Title}), Data: p})
}

// streamReport sends the report's rows through write as they are read.
func (s *Server) streamReport(c *fiber.Ctx, contentType, ext string, begin func(w *bufio.Writer), row func(w *bufio.Writer, r consultation.Row) error,
	end func(w *bufio.Writer)) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	if v.Draft.Version == 0 {
		return errNotFound
	}
	viewer := v.viewer(c)
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-draft-%d-report.%s"`, v.Process.Slug, v.Draft.ID, ext))
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	log := s.Logger
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), reportTimeout)
		defer cancel()
		begin(w)
		if err := consultation.EachRow(ctx, s.DB, v.Draft, v.Process.Code, viewer, func(r consultation.Row) error { return row(w, r) }); err != nil {
			log.Error("streaming a draft's report", "draft", v.Draft.ID, "err", err)
			return // the download ends short; the client sees it cut
		}
		end(w)
		_ = w.Flush()
	})
	return nil
}

var reportColumns = []string{"id", "kind", "reply_to", "paragraph", "place", "version", "made_on_paragraph", "quote", "text", "author",
	"stakeholder_group", "submission", "supports", "campaign", "status", "hidden_because", "input", "disposition", "rationale",
	"strategy_section", "decided_at", "written_at"}

func (s *Server) draftReportCSV(c *fiber.Ctx) error {
	var cw *csv.Writer
	return s.streamReport(c, "text/csv; charset=utf-8", "csv", func(w *bufio.Writer) {
		_, _ = w.WriteString("\ufeff") // spreadsheets read it as UTF-8
		cw = csv.NewWriter(w)
		_ = cw.Write(reportColumns)
	}, func(_ *bufio.Writer, r consultation.Row) error {
		decided := ""
		if r.DecidedAt != nil {
			decided = r.DecidedAt.Format(time.RFC3339)
		}
		row := []string{strconv.FormatInt(r.ID, 10), r.Kind, idOrEmpty(r.ReplyTo), strconv.Itoa(r.Paragraph), r.Place, strconv.Itoa(r.Version),
			strconv.Itoa(r.MadeOn), r.Quote, r.Body, r.Author, r.Group, r.Submission, strconv.Itoa(r.Supports), idOrEmpty(r.Campaign), r.Status,
			r.Reason, r.Input, r.Disposition, r.Rationale, r.Section, decided, r.WrittenAt.Format(time.RFC3339)}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		return cw.Write(row)
	}, func(*bufio.Writer) { cw.Flush() })
}

func idOrEmpty(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// draftReportJSON is the report as one JSON object: the draft and its rows.
func (s *Server) draftReportJSON(c *fiber.Ctx) error {
	v, err := s.draftOf(c)
	if err != nil {
		return err
	}
	head, err := json.Marshal(s.apiDraftOf(c, v))
	if err != nil {
		return err
	}
	n := 0
	return s.streamReport(c, fiber.MIMEApplicationJSONCharsetUTF8, "json", func(w *bufio.Writer) {
		_, _ = w.WriteString(`{"draft":`)
		_, _ = w.Write(head)
		_, _ = w.WriteString(`,"comments":[`)
	}, func(w *bufio.Writer, r consultation.Row) error {
		if n > 0 {
			_ = w.WriteByte(',')
		}
		n++
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}, func(w *bufio.Writer) { _, _ = w.WriteString("]}\n") })
}

// draftReportMarkdown is the report as a document, paragraph by paragraph, in the reader's
// language.
func (s *Server) draftReportMarkdown(c *fiber.Ctx) error {
	p, err := s.reportOf(c)
	if err != nil {
		return err
	}
	l := lang(c)
	t := func(id string, data map[string]any) string { return s.Locale.T(l, id, data) }
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", t("draft_report.title", map[string]any{"Draft": p.Title}), t("draft_report.md_intro", map[string]any{"Version": p.Draft.Version, "N": p.Total}))
	item := func(r consultation.Row) {
		who := r.Author
		if who == "" {
			who = t("draft.author_gone", nil)
		}
		fmt.Fprintf(&b, "- **%s** (%s", mdLine(who), t("stakeholder."+r.Group, nil))
		if r.Submission != "" {
			fmt.Fprintf(&b, ", %s", r.Submission)
		}
		b.WriteString("): ")
		if r.Quote != "" {
			fmt.Fprintf(&b, "«%s» ", mdLine(r.Quote))
		}
		b.WriteString(mdLine(r.Body) + "\n")
		if r.Input != "" {
			fmt.Fprintf(&b, "  - %s\n", mdLine(t("draft_report.md_answer", map[string]any{"ID": r.Input, "Status": t("minutes.disposition."+r.Disposition, nil),
				"Rationale": r.Rationale, "Section": r.Section})))
		}
	}
	for _, para := range p.Paragraphs {
		fmt.Fprintf(&b, "## %s\n\n", t("draft.paragraph_n", map[string]any{"N": para.Number}))
		if para.Section != "" {
			fmt.Fprintf(&b, "*%s*\n\n", mdLine(para.Section))
		}
		fmt.Fprintf(&b, "> %s\n\n", mdLine(para.Text))
		if k := para.Change.Kind; k != "" && k != consultation.ChangeSame {
			fmt.Fprintf(&b, "%s\n\n", t("draft_report.change."+k, nil))
		}
		for _, r := range para.Rows {
			item(r)
		}
		if len(para.Rows) > 0 {
			b.WriteString("\n")
		}
	}
	for _, part := range []struct {
		title string
		rows  []consultation.Row
	}{{t("draft.whole", nil), p.Whole}, {t("draft.orphans_heading", nil), p.Orphans}} {
		if len(part.rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "## %s\n\n", part.title)
		for _, r := range part.rows {
			item(r)
		}
		b.WriteString("\n")
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-draft-%d-report.md"`, p.Process.Slug, p.Draft.ID))
	return c.SendString(b.String())
}

// mdLine is text on one Markdown line: line breaks become spaces, and characters that would
// start markup are escaped.
func mdLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;", "#", `\#`).Replace(s)
}
