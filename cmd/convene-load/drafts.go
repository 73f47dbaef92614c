package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/translated"
)

// drafts adds to the demo process a draft open for comment whose first version has the given
// number of paragraphs in sections, and that many comments on it: most on a paragraph (a few
// paragraphs draw most of them, as in a real consultation), a fifth quoting a passage, one in
// ten a reply, a campaign of near copies, on the whole draft some; with supports and marks. The
// comments are written in bulk, as taking them one by one would leave them. With -reanchor it
// then publishes a second version (edited, reordered, shortened and lengthened paragraphs) and
// prints how long placing every comment in it took. It prints what the benchmark needs: the
// draft, its busiest paragraph, and a member's sign-in (whose pages the cache never serves).
func drafts(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("drafts", flag.ContinueOnError)
	dbURL := fs.String("db", "", "the database (postgres://... or sqlite:PATH)")
	paragraphs := fs.Int("paragraphs", 300, "paragraphs of the draft")
	comments := fs.Int("comments", 20000, "comments on it")
	reanchor := fs.Bool("reanchor", false, "publish a second version and time placing the comments in it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, p, err := demoProcess(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	rnd := rand.New(rand.NewPCG(3, 4))
	now := time.Now().UTC()
	topics, err := processes.Topics(ctx, db, p.ID)
	if err != nil {
		return err
	}
	body := draftText(topics, *paragraphs, rnd)
	ps := consultation.Paragraphs(body)
	admin := consultation.Who{IsAdmin: true}
	opens, closes := now.Add(-time.Hour), now.Add(30*24*time.Hour)
	var d consultation.Draft
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if d, err = consultation.CreateDraft(ctx, tx, now, admin, p.ID, consultation.DraftInput{OpensAt: &opens, ClosesAt: &closes,
			Title: translated.Text{"es": "Borrador extenso", "en": "Long draft"}}); err != nil {
			return err
		}
		_, err := consultation.PublishVersion(ctx, tx, now, admin, d.ID, body, "")
		return err
	})
	if err != nil {
		return err
	}
	// People: a thousand commenters in bulk (no password: they never sign in), and one member who does.
	people := make([]accounts.Account, 1000)
	for i := range people {
		people[i] = accounts.Account{Email: fmt.Sprintf("bench-commenter-%d-%d@example.org", d.ID, i), Name: fmt.Sprintf("Persona %d", i), Language: "es", CreatedAt: now}
	}
	if _, err := db.NewInsert().Model(&people).Exec(ctx); err != nil {
		return err
	}
	groups := p.StakeholderGroups
	// A few paragraphs draw most comments: paragraph k gets weight 1/k (shuffled).
	order := rnd.Perm(len(ps))
	weights := make([]float64, len(ps))
	total := 0.0
	for i := range ps {
		weights[order[i]] = 1 / float64(i+1)
		total += weights[order[i]]
	}
	pick := func() int {
		x := rnd.Float64() * total
		for i, w := range weights {
			if x -= w; x <= 0 {
				return i + 1
			}
		}
		return len(ps)
	}
	campaign := "Pido que la estrategia proteja el cifrado de extremo a extremo y prohíba las puertas traseras en las comunicaciones. Firma: "
	var rows []consultation.Comment
	var campaignLead int64
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return err
		}
		rows = rows[:0]
		return nil
	}
	var tops []consultation.Comment
	for i := range *comments {
		who := people[rnd.IntN(len(people))]
		c := consultation.Comment{DraftID: d.ID, Version: 1, AtVersion: 1, FromVersion: 1, AtState: consultation.Exact, AtScore: 1,
			Group: groups[rnd.IntN(len(groups))], AuthorID: &who.ID, AuthorName: who.Name, Status: consultation.Visible, CreatedAt: now.Add(time.Duration(i) * time.Second),
			Supports: rnd.IntN(5)}
		switch r := rnd.IntN(100); {
		case r < 10 && len(tops) > 0:
			parent := tops[rnd.IntN(len(tops))]
			c.ParentID, c.Paragraph = &parent.ID, parent.Paragraph
			c.Body = "Coincido, y añadiría que " + draftSentence(rnd)
		case r < 15:
			c.Paragraph = pick()
			c.Body = campaign + who.Name + "."
			if campaignLead != 0 {
				c.CampaignID = &campaignLead
			}
		case r < 17:
			c.Body = "Sobre el borrador completo: " + draftSentence(rnd)
		default:
			c.Paragraph = pick()
			c.Body = draftSentence(rnd) + " " + draftSentence(rnd)
			if r < 37 {
				words := strings.Fields(ps[c.Paragraph-1].Text)
				at := rnd.IntN(max(1, len(words)-4))
				c.Quote = strings.Join(words[at:min(len(words), at+4)], " ")
				text := strings.Join(words, " ")
				k := strings.Index(text, c.Quote)
				c.Before, c.After = tail(text[:k], 40), head(text[k+len(c.Quote):], 40)
			}
		}
		c.AtParagraph, c.FromParagraph = c.Paragraph, c.Paragraph
		if c.ParentID == nil {
			// Top-level comments go in one at a time when replies or the campaign need their id.
			if len(tops) < 500 || (c.CampaignID == nil && strings.HasPrefix(c.Body, campaign)) {
				if _, err := db.NewInsert().Model(&c).Exec(ctx); err != nil {
					return err
				}
				if strings.HasPrefix(c.Body, campaign) && campaignLead == 0 {
					campaignLead = c.ID
					if _, err := db.NewUpdate().Model(&c).Set("campaign_id = ?", c.ID).WherePK().Exec(ctx); err != nil {
						return err
					}
				}
				if len(tops) < 500 {
					tops = append(tops, c)
				}
				continue
			}
		}
		rows = append(rows, c)
		if len(rows) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	// Marks: each commenter marks ten paragraphs.
	var marks []string
	for _, who := range people {
		for _, n := range rnd.Perm(len(ps))[:10] {
			marks = append(marks, fmt.Sprintf("(%d, 1, %d, %d, '%s', '%s', ?)", d.ID, n+1, who.ID, groups[rnd.IntN(len(groups))],
				consultation.Marks()[rnd.IntN(3)]))
		}
		if len(marks) >= 2000 {
			if err := insertMarks(ctx, db, marks, now); err != nil {
				return err
			}
			marks = marks[:0]
		}
	}
	if err := insertMarks(ctx, db, marks, now); err != nil {
		return err
	}
	const email, password = "bench-reader@example.org", "a long benchmark passphrase"
	svc := &accounts.Service{DB: db, Clock: clock.System{}, Hasher: accounts.NewHasher(1, accounts.ProductionCost())}
	if _, err := svc.CreateAccount(ctx, db, accounts.CreateInput{Email: email, Name: "Bench Reader", Password: password}); err != nil {
		return err
	}
	busiest := 1
	for i := range weights {
		if weights[i] > weights[busiest-1] {
			busiest = i + 1
		}
	}
	out := map[string]any{"draft": d.ID, "paragraphs": len(ps), "comments": *comments, "busiest": busiest, "email": email, "password": password}
	if *reanchor {
		next := secondVersion(ps, rnd)
		t0 := time.Now()
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			_, err := consultation.PublishVersion(ctx, tx, time.Now().UTC(), admin, d.ID, next, "")
			return err
		})
		if err != nil {
			return err
		}
		out["reanchor_ms"] = time.Since(t0).Milliseconds()
		var states []struct {
			State string `bun:"at_state"`
			N     int    `bun:"n"`
		}
		if err := db.NewSelect().Table("draft_comments").ColumnExpr("at_state, COUNT(*) AS n").Where("draft_id = ? AND parent_id IS NULL", d.ID).
			GroupExpr("at_state").Scan(ctx, &states); err != nil {
			return err
		}
		placed := map[string]int{}
		for _, s := range states {
			placed[s.State] = s.N
		}
		out["placed"] = placed
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func insertMarks(ctx context.Context, db *bun.DB, rows []string, now time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	args := make([]any, len(rows))
	for i := range args {
		args[i] = now
	}
	_, err := db.ExecContext(ctx, "INSERT INTO paragraph_marks (draft_id, version, paragraph, account_id, stakeholder_group, mark, marked_at) VALUES "+
		strings.Join(rows, ", "), args...)
	return err
}

// draftText is a draft of n paragraphs in sections, one per topic and then numbered ones, each
// paragraph a few sentences of the strategy's own words.
func draftText(topics []processes.Topic, n int, rnd *rand.Rand) string {
	var b strings.Builder
	for i := range n {
		if i%15 == 0 {
			t := topics[(i/15)%len(topics)]
			fmt.Fprintf(&b, "# %s. %s (%d)\n\n", t.Code, t.Title["es"], i/15+1)
		}
		fmt.Fprintf(&b, "%s %s %s (%d)\n\n", draftSentence(rnd), draftSentence(rnd), draftSentence(rnd), i+1)
	}
	return b.String()
}

// secondVersion edits one paragraph in ten (a sentence added), swaps some neighbours, drops
// one in fifty and adds new ones.
func secondVersion(ps []consultation.Paragraph, rnd *rand.Rand) string {
	texts := make([]string, 0, len(ps))
	for i, p := range ps {
		switch {
		case i%50 == 49:
			continue
		case i%10 == 3:
			texts = append(texts, p.Text+" "+draftSentence(rnd))
		default:
			texts = append(texts, p.Text)
		}
		if i%40 == 20 {
			texts = append(texts, "Un párrafo nuevo: "+draftSentence(rnd))
		}
	}
	for i := 5; i+1 < len(texts); i += 30 {
		texts[i], texts[i+1] = texts[i+1], texts[i]
	}
	var b strings.Builder
	for i, t := range texts {
		if i%15 == 0 {
			fmt.Fprintf(&b, "# Sección %d\n\n", i/15+1)
		}
		b.WriteString(t + "\n\n")
	}
	return b.String()
}

var draftSubjects = []string{"La Estrategia", "El Estado", "Cada institución", "La sociedad civil", "La academia", "El sector privado", "El Congreso",
	"Las entidades federativas", "El equipo de respuesta a incidentes", "La comunidad técnica"}
var draftVerbs = []string{"promoverá", "fortalecerá", "revisará", "coordinará", "medirá", "protegerá", "impulsará", "publicará"}
var draftObjects = []string{"la cultura de ciberseguridad", "las capacidades técnicas", "el marco jurídico con salvaguardas de derechos humanos",
	"la protección de las infraestructuras críticas", "la cooperación internacional", "los estándares de seguridad de la información",
	"la investigación y la innovación", "los indicadores de avance", "la respuesta a incidentes", "la formación de especialistas"}
var draftEnds = []string{"en todo el país", "con participación de todos los sectores", "cada año", "con datos abiertos", "en los tres órdenes de gobierno",
	"con perspectiva de género", "con recursos suficientes", "de forma transparente"}

func draftSentence(rnd *rand.Rand) string {
	return draftSubjects[rnd.IntN(len(draftSubjects))] + " " + draftVerbs[rnd.IntN(len(draftVerbs))] + " " + draftObjects[rnd.IntN(len(draftObjects))] + " " +
		draftEnds[rnd.IntN(len(draftEnds))] + "."
}

func tail(s string, n int) string {
	r := []rune(s)
	return string(r[max(0, len(r)-n):])
}

func head(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}
