package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/web/form"
)

// The minutes editor's form: the summary fields, then inputs.N.* for each input row (the last
// one blank, for a new input), and import: questions to add as inputs. It works without
// JavaScript; the page's script sends the same form as the rapporteur types.

// editRow is one input as the editor shows it.
type editRow struct {
	Index     int
	ID        int64
	Key       string // a new row's, so that sending it twice adds one input
	PublicID  string
	Kind      string
	Body      string
	Topics    map[int64]bool
	Groups    map[string]bool
	Questions []minutes.Candidate // linked; unticking one unlinks it
	Speaker   string
	Consented bool
	By        string
	ByGroup   string
	Due       string
}

// draftForm is the editor's form as sent: the draft for the domain and, one for each of its
// inputs and speakers, the rows to show again (rows left blank or removed are in neither, so the
// domain's field errors, inputs.K.body, name the row K a person sees).
type draftForm struct {
	Draft    minutes.DraftInput
	Fields   map[string]string
	Rows     []editRow
	Speakers []minutes.Speaker
}

// reportFields are the report's single fields, named as the domain names their errors.
var reportFields = []string{"presentations", "unregistered_in_person", "unregistered_online", "women_percent", "gender_raised", "gender_notes"}

// reportForm is a saved report as the editor's fields.
func reportForm(r minutes.Report) map[string]string {
	d := minutes.DraftOf(r)
	return map[string]string{"presentations": d.Presentations, "unregistered_in_person": d.UnregisteredInPerson,
		"unregistered_online": d.UnregisteredOnline, "women_percent": d.WomenPercent, "gender_raised": d.GenderRaised, "gender_notes": d.GenderNotes}
}

// readDraft decodes the editor's form; questions to import become new inputs after the rows.
func readDraft(c *fiber.Ctx, code string, candidates []minutes.Candidate) draftForm {
	f := form.Values(c, append([]string{"revision", "editor", "seq", "summary", "takeaways", "calls_to_action", "reason"}, reportFields...)...)
	d := draftForm{Fields: f}
	d.Draft.Revision, _ = strconv.ParseInt(f["revision"], 10, 64)
	d.Draft.Editor = f["editor"]
	d.Draft.Seq, _ = strconv.ParseInt(f["seq"], 10, 64)
	d.Draft.Summary, d.Draft.Takeaways, d.Draft.CallsToAction = f["summary"], f["takeaways"], f["calls_to_action"]
	d.Draft.Report = minutes.ReportDraft{Presentations: f["presentations"], UnregisteredInPerson: f["unregistered_in_person"],
		UnregisteredOnline: f["unregistered_online"], WomenPercent: f["women_percent"], GenderRaised: f["gender_raised"], GenderNotes: f["gender_notes"]}
	for i := 0; i <= minutes.MaxSpeakers; i++ {
		p := fmt.Sprintf("speakers.%d.", i)
		if !c.Context().PostArgs().Has(p + "name") {
			break
		}
		v := form.Values(c, p+"name", p+"organisation", p+"group")
		sp := minutes.Speaker{Name: v[p+"name"], Organisation: v[p+"organisation"], Group: v[p+"group"]}
		if strings.TrimSpace(sp.Name+sp.Organisation+sp.Group) != "" {
			d.Speakers = append(d.Speakers, sp)
		}
	}
	d.Draft.Report.Speakers = d.Speakers
	byQuestion := map[int64]minutes.Candidate{}
	for _, q := range candidates {
		byQuestion[q.QuestionID] = q
	}
	for i := 0; i <= minutes.MaxInputs; i++ {
		p := fmt.Sprintf("inputs.%d.", i)
		v := form.Values(c, p+"id", p+"key", p+"number", p+"kind", p+"body", p+"speaker", p+"speaker_consented", p+"by", p+"by_group", p+"due", p+"remove")
		if !c.Context().PostArgs().Has(p + "kind") {
			break
		}
		in := minutes.InputDraft{Kind: v[p+"kind"], Body: v[p+"body"], Speaker: v[p+"speaker"], SpeakerConsented: v[p+"speaker_consented"] == "yes",
			By: v[p+"by"], ByGroup: v[p+"by_group"], Due: v[p+"due"], Groups: form.Multi(c, p+"groups")}
		in.ID, _ = strconv.ParseInt(v[p+"id"], 10, 64)
		if in.ID == 0 {
			in.Key = v[p+"key"]
		}
		for _, t := range form.Multi(c, p+"topics") {
			if id, err := strconv.ParseInt(t, 10, 64); err == nil {
				in.Topics = append(in.Topics, id)
			}
		}
		for _, q := range form.Multi(c, p+"questions") {
			if id, err := strconv.ParseInt(q, 10, 64); err == nil {
				in.Questions = append(in.Questions, id)
			}
		}
		blank := in.ID == 0 && strings.TrimSpace(in.Body) == "" && in.Speaker == "" && in.By == "" && len(in.Topics) == 0 && len(in.Groups) == 0
		if v[p+"remove"] == "yes" || blank {
			continue
		}
		number, _ := strconv.ParseInt(v[p+"number"], 10, 64)
		d.add(in, code, number, byQuestion)
	}
	for _, q := range form.Multi(c, "import") {
		id, _ := strconv.ParseInt(q, 10, 64)
		cand, ok := byQuestion[id]
		if !ok {
			continue
		}
		in := minutes.InputDraft{Kind: minutes.KeyPoint, Body: cand.Body, Questions: []int64{id}}
		if d.Draft.Editor != "" {
			in.Key = d.Draft.Editor + "-q" + q
		}
		if cand.Group != "" {
			in.Groups = []string{cand.Group}
		}
		d.add(in, code, 0, byQuestion)
	}
	return d
}

func (d *draftForm) add(in minutes.InputDraft, code string, number int64, byQuestion map[int64]minutes.Candidate) {
	row := rowOf(in, len(d.Rows), byQuestion)
	if number > 0 && in.ID != 0 {
		row.PublicID = minutes.PublicID(code, number)
	}
	d.Rows = append(d.Rows, row)
	d.Draft.Inputs = append(d.Draft.Inputs, in)
}

// rowsOf are saved inputs as editor rows.
func rowsOf(inputs []minutes.Input, code string, candidates []minutes.Candidate) []editRow {
	byQuestion := map[int64]minutes.Candidate{}
	for _, q := range candidates {
		byQuestion[q.QuestionID] = q
	}
	rows := make([]editRow, len(inputs))
	for i, x := range inputs {
		rows[i] = rowOf(minutes.InputDraft{ID: x.ID, Kind: x.Kind, Body: x.Body, Topics: x.Topics, Groups: x.Groups, Questions: x.Questions,
			Speaker: x.Speaker, SpeakerConsented: x.Speaker != "", By: x.By, ByGroup: x.ByGroup, Due: x.Due}, i, byQuestion)
		rows[i].PublicID = minutes.PublicID(code, x.Number)
	}
	return rows
}

func rowOf(in minutes.InputDraft, index int, byQuestion map[int64]minutes.Candidate) editRow {
	r := editRow{Index: index, ID: in.ID, Key: in.Key, Kind: in.Kind, Body: in.Body, Topics: map[int64]bool{}, Groups: map[string]bool{},
		Speaker: in.Speaker, Consented: in.SpeakerConsented, By: in.By, ByGroup: in.ByGroup, Due: in.Due}
	for _, t := range in.Topics {
		r.Topics[t] = true
	}
	for _, g := range in.Groups {
		r.Groups[g] = true
	}
	for _, q := range in.Questions {
		cand, ok := byQuestion[q]
		if !ok {
			cand = minutes.Candidate{QuestionID: q}
		}
		if !slices.ContainsFunc(r.Questions, func(c minutes.Candidate) bool { return c.QuestionID == q }) {
			r.Questions = append(r.Questions, cand)
		}
	}
	return r
}

// blankRow is the row for a new input at the end of the editor opened as editor.
func blankRow(editor string, index int) editRow {
	return editRow{Index: index, Key: editor + "-n" + strconv.Itoa(index), Kind: minutes.KeyPoint, Topics: map[int64]bool{}, Groups: map[string]bool{}}
}
