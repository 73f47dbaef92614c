package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/qa"
)

// demoMinutes publishes the minutes of the IGF 2017 open forum: what its panel heard, as inputs
// tagged with the strategy's objectives and axes, four of them from the questions put to it, and
// a commitment; with what became of some of them. Written and published on the dates they would
// have been, after the forum.
func demoMinutes(ctx context.Context, tx bun.IDB, _ time.Time) error {
	igf, err := sessionNamed(ctx, tx, "igf-2017-open-forum", "Identifying best practices")
	if err != nil {
		return err
	}
	var qs []qa.Question
	if err := tx.NewSelect().Model(&qs).Where("session_id = ?", igf.ID).OrderExpr("id").Scan(ctx); err != nil || len(qs) < 4 {
		return fmt.Errorf("the IGF session's questions (%d): %w", len(qs), err)
	}
	topic := map[string]int64{}
	var topics []struct {
		ID   int64  `bun:"id"`
		Code string `bun:"code"`
	}
	if err := tx.NewSelect().Table("topics").Column("id", "code").Where("process_id = (SELECT process_id FROM forums WHERE id = ?)", igf.ForumID).
		Scan(ctx, &topics); err != nil {
		return fmt.Errorf("the demo's topics: %w", err)
	}
	for _, t := range topics {
		topic[t.Code] = t.ID
	}
	tags := func(codes ...string) []int64 {
		out := make([]int64, len(codes))
		for i, c := range codes {
			out[i] = topic[c]
		}
		return out
	}
	who := minutes.Who{IsAdmin: true}
	written := igf.EndsAt.Add(6 * 24 * time.Hour)
	m, err := minutes.Open(ctx, tx, written, who, igf.ID)
	if err != nil {
		return err
	}
	m, err = minutes.Save(ctx, tx, written, who, m.ID, minutes.DraftInput{Revision: m.Revision,
		Summary: "Mexico presented how its **National Cybersecurity Strategy** was built in the open: a public consultation, " +
			"forums with government, the legislature, the judiciary, civil society, academia and the private sector, and the " +
			"Organization of American States' technical support.\n\nThe panel then took questions from the room and online:\n\n" +
			"- whether the strategy could criminalise legitimate online activity;\n- how civil society can still contribute;\n" +
			"- how the eight axes reflect the five objectives;\n- which countries served as models.",
		Takeaways: "- Opening the drafting to every stakeholder group gave the strategy legitimacy and better content.\n" +
			"- Rights safeguards must accompany any change to the legal framework.\n" +
			"- Implementation needs the same openness as the drafting.",
		CallsToAction: "- Government: keep a standing multi-stakeholder channel for the strategy's implementation.\n" +
			"- International organisations: support capacity building in the region.",
		// The panel as the programme names it, the room's estimates and the gender report.
		Report: minutes.ReportDraft{Speakers: m.Report.Speakers,
			Presentations: "- **Government of Mexico**: how the strategy was drafted in the open, from the first forum to the consultation.\n" +
				"- **OAS**: the technical support given to the member states' national strategies.\n" +
				"- **Civil society and academia**: what the open process changed in the text, and what is still missing.",
			UnregisteredInPerson: "40", UnregisteredOnline: "25", WomenPercent: "40", GenderRaised: "no"},
		Inputs: []minutes.InputDraft{
			{Kind: minutes.Concern, Body: "Civil society warned that the strategy could end up criminalising legitimate online activity, " +
				"such as security research or free expression; the panel answered that the legal-framework axis will be developed " +
				"with human-rights safeguards.", Topics: tags("O1", "E7"), Groups: []string{"civil_society"}, Questions: []int64{qs[0].ID}},
			{Kind: minutes.Recommendation, Body: "Keep the strategy open to contributions after its publication: civil society should " +
				"have a standing channel to take part in its implementation and review.", Topics: tags("E3", "E8"),
				Groups: []string{"civil_society"}, Questions: []int64{qs[1].ID}},
			{Kind: minutes.KeyPoint, Body: "Asked how well the eight axes reflect the objectives, the panel explained that each axis is " +
				"transversal: every one of them serves all five objectives.", Topics: tags("O3", "E8"), Groups: []string{"academia"},
				Questions: []int64{qs[2].ID}},
			{Kind: minutes.KeyPoint, Body: "The strategies of Estonia, the United Kingdom, Spain and Colombia, and the OAS's " +
				"recommendations, served as models.", Topics: tags("E3"), Groups: []string{"international_organisation"},
				Questions: []int64{qs[3].ID}},
			{Kind: minutes.Commitment, Body: "The OAS's cybersecurity programme offered technical assistance for the strategy's " +
				"capacity-building axis.", Topics: tags("E2"), Groups: []string{"international_organisation"},
				By: "Organización de los Estados Americanos", ByGroup: "international_organisation", Due: "2018-12-31"},
		}})
	if err != nil {
		return err
	}
	if m, err = minutes.Submit(ctx, tx, written, who, m.ID, m.Revision); err != nil {
		return err
	}
	published := written.Add(8 * 24 * time.Hour)
	if m, err = minutes.Publish(ctx, tx, published, who, m.ID); err != nil {
		return err
	}
	decided := published.Add(60 * 24 * time.Hour)
	for i, d := range []minutes.DispositionInput{
		{Status: minutes.PartlyAdopted, Rationale: "The legal-framework axis calls for human-rights safeguards; the specific " +
			"reforms are for Congress to decide.", Section: "E7 Marco jurídico y autorregulación"},
		{Status: minutes.Adopted, Rationale: "The strategy's governance includes a permanent multi-stakeholder working group that " +
			"follows its implementation.", Section: "Gobernanza de la estrategia"},
		{},
		{},
		{Status: minutes.Adopted, Rationale: "The capacity-building axis counts on the OAS's programme.", Section: "E2 Desarrollo de capacidades",
			Progress: minutes.InProgress},
	} {
		if d.Status == "" {
			continue
		}
		if _, err := minutes.Dispose(ctx, tx, decided, who, m.Inputs[i].ID, d); err != nil {
			return err
		}
	}
	return nil
}
