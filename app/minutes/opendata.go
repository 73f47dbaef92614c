package minutes

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/translated"
)

// Open data: everything a process published about what it heard, in one document whose shape
// the JSON Schema below fixes (a new field is a new minor version; renaming one, a new major
// version at a new address). Only published minutes, at forums the public sees.

// SchemaVersion is the open data's version, and the schema's address ends in it.
const SchemaVersion = "1.2"

var (
	//go:embed opendata-1.0.schema.json
	schema10 []byte
	//go:embed opendata-1.1.schema.json
	schema11 []byte
	//go:embed opendata-1.2.schema.json
	schema12 []byte
)

// Schemas are the open data's JSON Schemas (draft 2020-12) by version: the current one and
// those before it, which stay at their addresses for whoever validates data they kept.
func Schemas() map[string][]byte {
	return map[string][]byte{"1.0": schema10, "1.1": schema11, SchemaVersion: schema12}
}

// OpenData is a process's published minutes, inputs, dispositions and Q&A moderation counts.
type OpenData struct {
	Schema    string            `json:"$schema"`
	Version   string            `json:"version"`
	Generated time.Time         `json:"generated_at"`
	Licence   string            `json:"licence"`
	Process   OpenProcess       `json:"process"`
	Sessions  []OpenSession     `json:"sessions"`
	Inputs    []InputView       `json:"inputs"`
	History   []OpenDisposition `json:"dispositions" doc:"Every decision on every input, oldest first."`
	// Drafts are the public consultation's published drafts, filled by the consultation (1.2).
	Drafts []OpenDraft `json:"drafts"`
}

// OpenDraft is a published draft: its versions, what it took, and the inputs heard on it.
type OpenDraft struct {
	ID           int64              `json:"id"`
	Title        translated.Text    `json:"title"`
	Summary      translated.Text    `json:"summary"`
	Version      int                `json:"version"`
	OpensAt      *time.Time         `json:"opens_at,omitempty"`
	ClosesAt     *time.Time         `json:"closes_at,omitempty"`
	URL          string             `json:"url"`
	Versions     []OpenDraftVersion `json:"versions"`
	Comments     int                `json:"comments"`
	Submissions  int                `json:"submissions"`
	Hidden       map[string]int     `json:"hidden"`
	Inputs       []InputView        `json:"inputs"`
	Dispositions []OpenDisposition  `json:"dispositions"`
}

// OpenDraftVersion is a published version of a draft.
type OpenDraftVersion struct {
	Version     int       `json:"version"`
	PublishedAt time.Time `json:"published_at"`
	Note        string    `json:"note,omitempty"`
}

// OpenProcess names the process.
type OpenProcess struct {
	Slug   string          `json:"slug"`
	Code   string          `json:"code"`
	Title  translated.Text `json:"title"`
	Topics []OpenTopic     `json:"topics"`
}

// OpenTopic is an objective or axis.
type OpenTopic struct {
	Code  string          `json:"code"`
	Kind  string          `json:"kind"`
	Title translated.Text `json:"title"`
}

// OpenSession is a session with published minutes, and how its questions were moderated.
type OpenSession struct {
	ID        int64           `json:"id"`
	Forum     string          `json:"forum"`
	Title     translated.Text `json:"title"`
	StartsAt  time.Time       `json:"starts_at"`
	Minutes   MinutesSummary  `json:"minutes"`
	Questions qa.Fairness     `json:"questions"`
}

// MinutesSummary is a session's published minutes without their inputs (which are listed once,
// in OpenData.Inputs).
type MinutesSummary struct {
	Version       int           `json:"version"`
	Summary       string        `json:"summary"`
	Takeaways     string        `json:"takeaways"`
	CallsToAction string        `json:"calls_to_action"`
	Report        Report        `json:"report"`
	Versions      []VersionView `json:"versions"`
}

// OpenDisposition is one decision, with the input it is about.
type OpenDisposition struct {
	Input string `json:"input"`
	DispositionView
}

// Export gathers a process's open data.
func Export(ctx context.Context, db bun.IDB, now time.Time, processID int64, baseURL, licence string) (OpenData, error) {
	var p struct {
		Slug  string          `bun:"slug"`
		Code  string          `bun:"code"`
		Title translated.Text `bun:"title,type:json"`
	}
	if err := db.NewSelect().Table("processes").Column("slug", "code", "title").Where("id = ?", processID).Scan(ctx, &p); err != nil {
		return OpenData{}, fmt.Errorf("process %d: %w", processID, err)
	}
	out := OpenData{Schema: baseURL + "/schemas/open-data-" + SchemaVersion + ".json", Version: SchemaVersion, Generated: now.UTC(),
		Licence: licence, Process: OpenProcess{Slug: p.Slug, Code: p.Code, Title: p.Title, Topics: []OpenTopic{}},
		Sessions: []OpenSession{}, Inputs: []InputView{}, History: []OpenDisposition{}, Drafts: []OpenDraft{}}
	var topics []struct {
		ID    int64           `bun:"id"`
		Code  string          `bun:"code"`
		Kind  string          `bun:"kind"`
		Title translated.Text `bun:"title,type:json"`
	}
	if err := db.NewSelect().Table("topics").Column("id", "code", "kind", "title").Where("process_id = ?", processID).
		OrderExpr("kind DESC, position").Scan(ctx, &topics); err != nil {
		return out, fmt.Errorf("the topics of process %d: %w", processID, err)
	}
	codes := map[int64]string{}
	for _, t := range topics {
		codes[t.ID] = t.Code
		out.Process.Topics = append(out.Process.Topics, OpenTopic{Code: t.Code, Kind: t.Kind, Title: t.Title})
	}
	var ms []struct {
		Minutes
		Forum    string          `bun:"forum"`
		Title    translated.Text `bun:"session_title,type:json"`
		StartsAt time.Time       `bun:"starts_at"`
	}
	if err := db.NewSelect().Model(&ms).ModelTableExpr("minutes AS m").Join("JOIN sessions AS s ON s.id = m.session_id").
		Join("JOIN forums AS f ON f.id = s.forum_id").ColumnExpr("m.*, f.slug AS forum, s.title AS session_title, s.starts_at").
		Where("m.process_id = ? AND m.version > 0 AND f.status <> 'draft'", processID).OrderExpr("s.starts_at, s.id").Scan(ctx); err != nil {
		return out, fmt.Errorf("the minutes of process %d: %w", processID, err)
	}
	for _, m := range ms {
		vs, err := Versions(ctx, db, m.ID)
		if err != nil {
			return out, err
		}
		standing, err := Standings(ctx, db, m.ID)
		if err != nil {
			return out, err
		}
		fair, err := qa.FairnessOf(ctx, db, m.SessionID)
		if err != nil {
			return out, err
		}
		v := vs[len(vs)-1]
		s := OpenSession{ID: m.SessionID, Forum: m.Forum, Title: m.Title, StartsAt: m.StartsAt.UTC(), Questions: fair,
			Minutes: MinutesSummary{Version: v.Version, Summary: v.Content.Summary, Takeaways: v.Content.Takeaways, CallsToAction: v.Content.CallsToAction,
				Report: v.Content.Report}}
		for _, ver := range vs {
			s.Minutes.Versions = append(s.Minutes.Versions, VersionView{Version: ver.Version, PublishedAt: ver.PublishedAt.UTC(), Reason: ver.Reason})
		}
		out.Sessions = append(out.Sessions, s)
		for _, x := range v.Content.Inputs {
			out.Inputs = append(out.Inputs, ViewOfContent(p.Code, baseURL, m.SessionID, x, codes, standing[x.Number]))
		}
		var ds []struct {
			Disposition
			Number int64 `bun:"number"`
		}
		if err := db.NewSelect().Model(&ds).ModelTableExpr("input_dispositions AS d").Join("JOIN inputs AS i ON i.id = d.input_id").
			ColumnExpr("d.*, i.number").Where("i.minutes_id = ?", m.ID).OrderExpr("d.id").Scan(ctx); err != nil {
			return out, fmt.Errorf("the decisions on minutes %d: %w", m.ID, err)
		}
		plain := make([]Disposition, len(ds))
		for i := range ds {
			plain[i] = ds[i].Disposition
		}
		if err := refer(ctx, db, plain); err != nil {
			return out, err
		}
		for i, d := range plain {
			out.History = append(out.History, OpenDisposition{Input: PublicID(p.Code, ds[i].Number), DispositionView: ViewOfDisposition(d)})
		}
	}
	return out, nil
}
