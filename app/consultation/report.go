package consultation

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/minutes"
)

// The response report: every comment, reply and submission point on a draft with where it
// stands in the newest version and what became of it (the input that records it and that
// input's newest decision). Rows are read one at a time, so a download of tens of thousands
// streams as it is read.

// Row is one comment, reply or submission point in the report.
type Row struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind" doc:"comment, reply or point (of a formal submission)."`
	ReplyTo     int64      `json:"reply_to,omitempty"`
	Paragraph   int        `json:"paragraph" doc:"Where it stands in the newest version; 0 the whole draft, or nowhere when place is orphaned."`
	Place       string     `json:"place" doc:"exact, moved, fuzzy, confirmed or orphaned."`
	Version     int        `json:"version" doc:"The version it was made on."`
	MadeOn      int        `json:"made_on_paragraph" doc:"The paragraph of that version it was made on."`
	Quote       string     `json:"quote,omitempty"`
	Body        string     `json:"text"`
	Author      string     `json:"author" doc:"The commenter's name, or the organisation of a submission point."`
	Group       string     `json:"stakeholder_group"`
	Submission  string     `json:"submission,omitempty" doc:"A point's submission's tracking number."`
	Supports    int        `json:"supports"`
	Campaign    int64      `json:"campaign,omitempty" doc:"The first comment of its group of identical or near-identical comments."`
	Status      string     `json:"status" doc:"visible; hidden, private only for moderators."`
	Reason      string     `json:"hidden_because,omitempty"`
	Input       string     `json:"input,omitempty" doc:"The public id of the input that records it."`
	Disposition string     `json:"disposition,omitempty" doc:"What became of that input: pending, adopted, partly_adopted, not_adopted, merged."`
	Rationale   string     `json:"rationale,omitempty"`
	Section     string     `json:"strategy_section,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	WrittenAt   time.Time  `json:"written_at"`
}

// EachRow reads the report of draft d row by row, ordered by the paragraph where each stands
// (orphaned last), for what the viewer may read: hidden comments and private points only for
// moderators.
func EachRow(ctx context.Context, db bun.IDB, d Draft, code string, v Viewer, fn func(Row) error) error {
	q := db.NewSelect().TableExpr("draft_comments AS c").
		Join("LEFT JOIN submissions AS s ON s.id = c.submission_id").
		Join("LEFT JOIN inputs AS i ON i.id = c.input_id AND NOT i.removed").
		Join("LEFT JOIN input_dispositions AS dd ON dd.id = (SELECT MAX(x.id) FROM input_dispositions AS x WHERE x.input_id = i.id)").
		ColumnExpr("c.id, c.parent_id, c.at_paragraph, c.at_state, c.version, c.paragraph, c.quote, c.body, c.author_name, c.stakeholder_group, "+
			"s.number AS submission, c.supports, c.campaign_id, c.status, c.reason, i.number AS input, i.standing, dd.status AS disposition, "+
			"dd.rationale, dd.section, dd.decided_at, c.created_at").
		Where("c.draft_id = ?", d.ID).
		OrderExpr("CASE WHEN c.at_paragraph = 0 AND c.paragraph > 0 THEN 1 ELSE 0 END, c.at_paragraph, COALESCE(c.parent_id, c.id), c.id")
	if !v.Moderator {
		q = q.Where("c.status = ?", Visible)
	}
	rows, err := q.Rows(ctx)
	if err != nil {
		return fmt.Errorf("the report of draft %d: %w", d.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Row
		var parent, submission, campaign, input sql.NullInt64
		var standing, disposition, rationale, section sql.NullString
		var decided sql.NullTime
		if err := rows.Scan(&r.ID, &parent, &r.Paragraph, &r.Place, &r.Version, &r.MadeOn, &r.Quote, &r.Body, &r.Author, &r.Group,
			&submission, &r.Supports, &campaign, &r.Status, &r.Reason, &input, &standing, &disposition, &rationale, &section, &decided, &r.WrittenAt); err != nil {
			return fmt.Errorf("reading the report of draft %d: %w", d.ID, err)
		}
		r.Kind = "comment"
		switch {
		case parent.Valid:
			r.Kind, r.ReplyTo = "reply", parent.Int64
		case submission.Valid:
			r.Kind, r.Submission = "point", Tracking(code, submission.Int64)
		}
		r.Campaign = campaign.Int64
		if input.Valid {
			r.Input, r.Disposition = minutes.PublicID(code, input.Int64), minutes.Pending
			if disposition.Valid {
				r.Disposition, r.Rationale, r.Section = disposition.String, rationale.String, section.String
				if decided.Valid {
					at := decided.Time.UTC()
					r.DecidedAt = &at
				}
			}
		}
		r.WrittenAt = r.WrittenAt.UTC()
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
