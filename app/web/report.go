package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
)

// The "What we heard / What we did" report of a process: for each objective and each axis, the
// inputs heard (by kind and stakeholder group) and what became of them, each with its answer.

// topicReport is one objective's or axis's part of the report.
type topicReport struct {
	Topic    processes.Topic
	Heard    []minutes.InputView
	Kinds    map[string]int
	Groups   map[string]int
	Standing map[string]int
	Did      []minutes.InputView // adopted, in full or in part
	Declined []minutes.InputView // not adopted, with the reason
}

func (s *Server) showReport(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	data, err := minutes.Export(ctx, s.DB, s.Clock.Now(), p.ID, "", OpenDataLicence)
	if err != nil {
		return err
	}
	topics, err := processes.Topics(ctx, s.DB, p.ID)
	if err != nil {
		return err
	}
	byCode := map[string]*topicReport{}
	parts := make([]*topicReport, len(topics))
	for i, t := range topics {
		parts[i] = &topicReport{Topic: t, Kinds: map[string]int{}, Groups: map[string]int{}, Standing: map[string]int{}}
		byCode[t.Code] = parts[i]
	}
	for _, x := range data.Inputs {
		for _, code := range x.Topics {
			r := byCode[code]
			if r == nil {
				continue
			}
			r.Heard = append(r.Heard, x)
			r.Kinds[x.Kind]++
			r.Standing[x.Disposition.Status]++
			for _, g := range x.Groups {
				r.Groups[g]++
			}
			switch x.Disposition.Status {
			case minutes.Adopted, minutes.PartlyAdopted:
				r.Did = append(r.Did, x)
			case minutes.NotAdopted:
				r.Declined = append(r.Declined, x)
			}
		}
	}
	return s.page(c, fiber.StatusOK, "processes/report", "", &Page{
		Title: s.Locale.T(lang(c), "report.title", map[string]any{"Process": p.Title.In(lang(c), p.Languages...)}),
		Data: map[string]any{"Process": p, "Parts": parts, "Inputs": len(data.Inputs), "Kinds": minutes.Kinds(),
			"Standings": minutes.Dispositions()}})
}
