package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/registration"
)

// A process's open data: the JSON document its schema describes, the inputs as CSV, and every
// published minutes as one Markdown report; the open-data page lists them with their licence.

// OpenDataLicence is the licence the open data is published under.
const OpenDataLicence = "CC-BY-4.0"

func (s *Server) openData(c *fiber.Ctx) (minutes.OpenData, error) {
	p, err := s.processBySlug(c)
	if err != nil {
		return minutes.OpenData{}, err
	}
	ctx := c.UserContext()
	d, err := minutes.Export(ctx, s.DB, s.Clock.Now(), p.ID, s.Config.BaseURL, OpenDataLicence)
	if err != nil {
		return d, err
	}
	d.Drafts, err = consultation.OpenDrafts(ctx, s.DB, p.ID, p.Code, s.Config.BaseURL)
	return d, err
}

func (s *Server) openDataPage(c *fiber.Ctx) error {
	d, err := s.openData(c)
	if err != nil {
		return err
	}
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "processes/open_data", "", &Page{
		Title: s.Locale.T(lang(c), "opendata.title", map[string]any{"Process": p.Title.In(lang(c), p.Languages...)}),
		Data:  map[string]any{"Process": p, "Data": d, "Licence": OpenDataLicence, "Schema": "/schemas/open-data-" + minutes.SchemaVersion + ".json"}})
}

func (s *Server) openDataJSON(c *fiber.Ctx) error {
	d, err := s.openData(c)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.Process.Slug+`-open-data.json"`)
	return c.Send(b)
}

// openDataSchema serves one version of the open data's schema.
func openDataSchema(schema []byte) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "application/schema+json")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Send(schema)
	}
}

// inputsCSV is one row per published input, as a spreadsheet opens it.
func (s *Server) inputsCSV(c *fiber.Ctx) error {
	d, err := s.openData(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\ufeff") // spreadsheets read it as UTF-8
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"id", "number", "kind", "text", "topics", "stakeholder_groups", "speaker", "committed_by", "committed_group",
		"committed_due", "progress", "session", "disposition", "rationale", "strategy_section", "merged_into", "decided_at", "url"})
	for _, x := range d.Inputs {
		var by, group, due, progress, decided string
		if x.Commitment != nil {
			by, group, due, progress = x.Commitment.By, x.Commitment.Group, x.Commitment.Due, x.Commitment.Progress
		}
		if x.Disposition.DecidedAt != nil {
			decided = x.Disposition.DecidedAt.Format(time.RFC3339)
		}
		row := []string{x.ID, strconv.FormatInt(x.Number, 10), x.Kind, x.Text, strings.Join(x.Topics, ";"), strings.Join(x.Groups, ";"),
			x.Speaker, by, group, due, progress, strconv.FormatInt(x.Session, 10), x.Disposition.Status, x.Disposition.Rationale,
			x.Disposition.Section, x.Disposition.MergedInto, decided, x.URL}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.Process.Slug+`-inputs.csv"`)
	return c.Send(b.Bytes())
}

// minutesReport is every published minutes of the process as one Markdown document, in the
// reader's language.
func (s *Server) minutesReport(c *fiber.Ctx) error {
	d, err := s.openData(c)
	if err != nil {
		return err
	}
	l := lang(c)
	t := func(id string, data map[string]any) string { return s.Locale.T(l, id, data) }
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n", t("opendata.report_title", map[string]any{"Process": d.Process.Title.In(l)}),
		t("opendata.report_intro", map[string]any{"Date": d.Generated.Format(time.DateOnly), "Licence": d.Licence}))
	byID := map[int64][]minutes.InputView{}
	for _, x := range d.Inputs {
		byID[x.Session] = append(byID[x.Session], x)
	}
	for _, se := range d.Sessions {
		fmt.Fprintf(&b, "\n## %s\n\n_%s_\n", se.Title.In(l), t("opendata.report_session", map[string]any{"Date": se.StartsAt.Format(time.DateOnly),
			"Version": se.Minutes.Version, "Link": fmt.Sprintf("%s/sessions/%d/minutes", s.Config.BaseURL, se.ID)}))
		for _, part := range []struct{ id, text string }{{"field.summary", se.Minutes.Summary}, {"field.takeaways", se.Minutes.Takeaways},
			{"field.calls_to_action", se.Minutes.CallsToAction}, {"field.presentations", se.Minutes.Report.Presentations}} {
			if part.text != "" {
				fmt.Fprintf(&b, "\n### %s\n\n%s\n", t(part.id, nil), part.text)
			}
		}
		writeReport(&b, se.Minutes.Report, t)
		if xs := byID[se.ID]; len(xs) > 0 {
			fmt.Fprintf(&b, "\n### %s\n\n", t("minutes.inputs", nil))
			for _, x := range xs {
				fmt.Fprintf(&b, "- **[%s](%s)** (%s) %s\n  — %s", x.ID, x.URL, t("minutes.kind."+x.Kind, nil), x.Text,
					t("minutes.disposition."+x.Disposition.Status, nil))
				if x.Disposition.Rationale != "" {
					fmt.Fprintf(&b, ": %s", x.Disposition.Rationale)
				}
				b.WriteString("\n")
			}
		}
	}
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.Process.Slug+`-minutes.md"`)
	return c.SendString(b.String())
}

// writeReport writes the speakers, attendance and gender report of minutes as Markdown.
func writeReport(b *strings.Builder, r minutes.Report, t func(string, map[string]any) string) {
	if len(r.Speakers) > 0 {
		fmt.Fprintf(b, "\n### %s\n\n", t("minutes.speakers", nil))
		for _, sp := range r.Speakers {
			fmt.Fprintf(b, "- %s", sp.Name)
			if sp.Organisation != "" {
				fmt.Fprintf(b, ", %s", sp.Organisation)
			}
			if sp.Group != "" {
				fmt.Fprintf(b, " (%s)", t("stakeholder."+sp.Group, nil))
			}
			b.WriteString("\n")
		}
	}
	if a := r.Attendance; a.Total() > 0 {
		fmt.Fprintf(b, "\n### %s\n\n%s\n", t("minutes.attendance", nil), t("opendata.report_attendance", map[string]any{"N": a.Total(),
			"InPerson": a.ByMode(registration.ModeInPerson), "Online": a.ByMode(registration.ModeOnline),
			"Unregistered": a.UnregisteredInPerson + a.UnregisteredOnline}))
	}
	if g := r.Gender; g.Said() {
		fmt.Fprintf(b, "\n### %s\n\n", t("minutes.gender_report", nil))
		if g.Women() >= 0 {
			fmt.Fprintf(b, "- %s: %s\n", t("field.women_percent", nil), t("minutes.percent", map[string]any{"N": g.Women()}))
		}
		if g.Raised != "" {
			fmt.Fprintf(b, "- %s %s\n", t("field.gender_raised", nil), t("minutes.gender_raised."+g.Raised, nil))
		}
		if g.Notes != "" {
			fmt.Fprintf(b, "- %s: %s\n", t("field.gender_notes", nil), g.Notes)
		}
	}
}
