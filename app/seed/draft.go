package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
)

// demoDraft puts the Strategy's draft up for public comment: its general objective, five
// strategic objectives and eight axes as sections; a first version published a week ago and a
// second three days ago that answers comments on the legal framework; comments (one quoting
// its passage, a reply, supports) and agree / disagree marks from several stakeholder groups.
// The comment period is open for a month from the day the demo is loaded. The people who
// comment are demo accounts no one can sign in as (they have no password).
func demoDraft(ctx context.Context, tx bun.IDB, now time.Time) error {
	p, err := processes.BySlug(ctx, tx, "encs-2017")
	if err != nil {
		return err
	}
	if ds, err := consultation.OfProcess(ctx, tx, p.ID, true); err != nil || len(ds) > 0 {
		return err // the draft is there already
	}
	var topics []processes.Topic
	if err := tx.NewSelect().Model(&topics).Where("process_id = ?", p.ID).OrderExpr("kind DESC, position").Scan(ctx); err != nil {
		return fmt.Errorf("the demo's topics: %w", err)
	}
	var b strings.Builder
	b.WriteString("# Objetivo general\n\n" + p.GeneralObjective["es"] + "\n\n# Objetivos estratégicos\n\n")
	axes := false
	for _, t := range topics {
		if t.Kind == processes.KindAxis && !axes {
			b.WriteString("# Ejes transversales\n\n")
			axes = true
		}
		fmt.Fprintf(&b, "## %s. %s\n\n%s\n\n", t.Code, t.Title["es"], t.Description["es"])
	}
	v1 := strings.TrimSpace(b.String())
	v2 := strings.Replace(v1, "Revisar el marco jurídico y promover la autorregulación para atender los retos del ciberespacio.",
		"Revisar el marco jurídico y promover la autorregulación para atender los retos del ciberespacio, con salvaguardas de "+
			"derechos humanos y la participación del Poder Legislativo y de la sociedad civil en cada reforma.", 1)
	v2 = strings.Replace(v2, "Definir indicadores que permitan medir y dar seguimiento a los avances de la Estrategia.",
		"Definir indicadores que permitan medir y dar seguimiento a los avances de la Estrategia.\n\n"+
			"Publicar cada año un informe de avance abierto a comentarios, con datos abiertos.", 1)
	org := consultation.Who{IsAdmin: true}
	opens, closes := now.Add(-7*24*time.Hour), now.Add(30*24*time.Hour)
	d, err := consultation.CreateDraft(ctx, tx, opens, org, p.ID, consultation.DraftInput{
		Title:   translated.Text{"es": "Borrador de la Estrategia Nacional de Ciberseguridad", "en": "Draft National Cybersecurity Strategy"},
		Summary: translated.Text{"es": "El texto que la consulta construye: comenta cada párrafo, apoya los comentarios con los que coincidas y marca si estás de acuerdo.", "en": "The text the consultation is building: comment on each paragraph, support the comments you agree with and mark whether you agree."},
		OpensAt: &opens, ClosesAt: &closes})
	if err != nil {
		return err
	}
	if _, err := consultation.PublishVersion(ctx, tx, opens, org, d.ID, v1, "Primera versión para consulta pública."); err != nil {
		return err
	}
	people := map[string]consultation.Who{}
	for _, x := range []struct{ key, name string }{{"lucia", "Lucía Hernández"}, {"raul", "Raúl Méndez"}, {"sofia", "Sofía Torres"},
		{"diego", "Diego Ramírez"}, {"carmen", "Carmen Ortiz"}, {"jorge", "Jorge Castillo"}} {
		a := accounts.Account{Email: x.key + ".demo@example.org", Name: x.name, Language: "es", CreatedAt: opens}
		if _, err := tx.NewInsert().Model(&a).Exec(ctx); err != nil {
			return fmt.Errorf("demo account %s: %w", x.key, err)
		}
		people[x.key] = consultation.Who{AccountID: a.ID, Name: a.Name}
	}
	ps := consultation.Paragraphs(v1)
	number := func(prefix string) int {
		for _, para := range ps {
			if strings.HasPrefix(para.Text, prefix) {
				return para.Number
			}
		}
		return 1
	}
	legal, measure, society := number("Revisar el marco jurídico"), number("Definir indicadores"), number("Generar las condiciones")
	at := opens.Add(time.Hour)
	comment := func(who, group string, paragraph int, quote, body string) (consultation.Comment, error) {
		at = at.Add(3 * time.Hour)
		return consultation.AddComment(ctx, tx, at, people[who], d.ID, consultation.CommentInput{Version: 1, Paragraph: paragraph, Quote: quote, Body: body, Group: group})
	}
	c1, err := comment("lucia", "civil_society", legal, "Revisar el marco jurídico",
		"Toda reforma penal debe llevar salvaguardas de derechos humanos y pasar por el Congreso con consulta pública: no queremos que se criminalice la investigación en seguridad.")
	if err != nil {
		return err
	}
	if _, err := consultation.AddComment(ctx, tx, at.Add(time.Hour), people["raul"], d.ID, consultation.CommentInput{ParentID: c1.ID, Group: "legislature",
		Body: "Desde la Cámara coincidimos: pedimos que cada reforma se dictamine en comisiones con audiencias públicas."}); err != nil {
		return err
	}
	if _, err := comment("sofia", "academia", measure, "", "Los indicadores deberían publicarse como datos abiertos y revisarse cada año con las universidades."); err != nil {
		return err
	}
	if _, err := comment("diego", "private_sector", society, "", "Falta mencionar a las pequeñas empresas: necesitan guías sencillas y apoyo para cumplir."); err != nil {
		return err
	}
	if _, err := comment("carmen", "government", 0, "", "En general el borrador recoge bien lo discutido en los foros; sugerimos calendarizar cada eje."); err != nil {
		return err
	}
	for _, who := range []string{"sofia", "diego", "jorge"} {
		if _, err := consultation.Support(ctx, tx, at, people[who], c1.ID, true); err != nil {
			return err
		}
	}
	marks := []struct{ who, group, mark string }{{"lucia", "civil_society", consultation.Disagree}, {"raul", "legislature", consultation.Disagree},
		{"sofia", "academia", consultation.Agree}, {"diego", "private_sector", consultation.Agree}, {"carmen", "government", consultation.Agree},
		{"jorge", "technical_community", consultation.Pass}}
	for _, m := range marks {
		for _, para := range ps {
			mark := consultation.Agree
			if para.Number == legal {
				mark = m.mark
			}
			if err := consultation.Mark(ctx, tx, at, people[m.who], d.ID, 1, para.Number, mark, m.group); err != nil {
				return err
			}
		}
	}
	sub, _, err := consultation.Submit(ctx, tx, at.Add(24*time.Hour), people["raul"], d.ID, consultation.SubmissionInput{
		Organisation: "Cámara de Diputados, Comisión de Ciencia y Tecnología", Group: "legislature", Role: "Secretario técnico de la Comisión",
		OnBehalfOf: "Las y los integrantes de la Comisión", Public: true,
		Body: "La Comisión de Ciencia y Tecnología presenta tres observaciones al borrador.\n\n" +
			"1. Toda reforma del marco jurídico que derive de la Estrategia debe dictaminarse en el Congreso con audiencias públicas.\n\n" +
			"2. Los indicadores de seguimiento deben informarse cada año al Congreso.\n\n" +
			"3. La Estrategia debe prever presupuesto para la formación de capacidades en los estados."})
	if err != nil {
		return err
	}
	point, err := consultation.AddPoint(ctx, tx, at.Add(26*time.Hour), org, sub.ID, legal, "",
		"Toda reforma del marco jurídico que derive de la Estrategia debe dictaminarse en el Congreso con audiencias públicas.")
	if err != nil {
		return err
	}
	if _, err := consultation.AddPoint(ctx, tx, at.Add(26*time.Hour), org, sub.ID, measure, "",
		"Los indicadores de seguimiento deben informarse cada año al Congreso."); err != nil {
		return err
	}
	published := now.Add(-3 * 24 * time.Hour)
	if _, err := consultation.PublishVersion(ctx, tx, published, org, d.ID, v2,
		"El eje del marco jurídico recoge las salvaguardas pedidas; se añade un informe anual de avance."); err != nil {
		return err
	}
	var e7 int64
	if err := tx.NewSelect().Table("topics").Column("id").Where("process_id = ? AND code = 'E7'", p.ID).Scan(ctx, &e7); err != nil {
		return fmt.Errorf("the demo's axis E7: %w", err)
	}
	x, err := consultation.ToInput(ctx, tx, published, org, c1.ID, consultation.InputInput{Heard: minutes.Heard{Kind: minutes.Recommendation,
		Body:   "Toda reforma del marco jurídico debe llevar salvaguardas de derechos humanos y dictaminarse en el Congreso con consulta pública.",
		Topics: []int64{e7}, Groups: []string{"civil_society", "legislature"}}})
	if err != nil {
		return err
	}
	if _, err := consultation.ToInput(ctx, tx, published, org, point.ID, consultation.InputInput{Ref: minutes.PublicID(p.Code, x.Number)}); err != nil {
		return err
	}
	_, err = minutes.Dispose(ctx, tx, published, minutes.Who{IsAdmin: true}, x.ID, minutes.DispositionInput{Status: minutes.Adopted,
		Rationale: "La versión 2 añade las salvaguardas y la participación del Poder Legislativo y de la sociedad civil en cada reforma.",
		Section:   "Eje E7. Marco jurídico y autorregulación"})
	return err
}
