package consultation

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
)

// InputAnswered mails the people whose comments (or whose submission's points) an input records
// what became of it, and those who supported one of those comments, once per person, in the
// transaction of the decision. A notice that cannot be written as mail is logged and left out:
// it never undoes the decision.
func (m Mailer) InputAnswered(ctx context.Context, db bun.IDB, d minutes.Disposition) error {
	if m.Outbox == nil || d.Status == minutes.Pending {
		return nil
	}
	type person struct {
		Email     string `bun:"email"`
		Name      string `bun:"name"`
		Language  string `bun:"language"`
		Draft     int64  `bun:"draft_id"`
		Comment   int64  `bun:"comment_id"`
		Place     int    `bun:"at_paragraph"`
		Made      int    `bun:"paragraph"`
		Supported bool   `bun:"-"`
	}
	// One row per person: their first comment the input records, or the first they supported.
	recorded := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.ColumnExpr("a.email, a.name, a.language, c.draft_id, MIN(c.id) AS comment_id, MIN(c.at_paragraph) AS at_paragraph, MIN(c.paragraph) AS paragraph").
			Where("c.input_id = ? AND c.status <> ?", d.InputID, Hidden).GroupExpr("a.email, a.name, a.language, c.draft_id").OrderExpr("a.email")
	}
	var people, supporters []person
	if err := recorded(db.NewSelect().TableExpr("draft_comments AS c").Join("JOIN accounts AS a ON a.id = c.author_id")).
		Scan(ctx, &people); err != nil {
		return fmt.Errorf("the commenters of input %d: %w", d.InputID, err)
	}
	// Who commented too hears it once, as a commenter.
	if err := recorded(db.NewSelect().TableExpr("comment_supports AS s").Join("JOIN draft_comments AS c ON c.id = s.comment_id").
		Join("JOIN accounts AS a ON a.id = s.account_id").
		Where("s.account_id NOT IN (SELECT o.author_id FROM draft_comments AS o WHERE o.input_id = ? AND o.status <> ? AND o.author_id IS NOT NULL)", d.InputID, Hidden)).
		Scan(ctx, &supporters); err != nil {
		return fmt.Errorf("the supporters of input %d: %w", d.InputID, err)
	}
	for _, s := range supporters {
		s.Supported = true
		people = append(people, s)
	}
	// Once per person, however many drafts the input's comments are on.
	seen := map[string]bool{}
	people = slices.DeleteFunc(people, func(p person) bool {
		dup := seen[p.Email]
		seen[p.Email] = true
		return dup
	})
	if len(people) == 0 {
		return nil
	}
	var x minutes.Input
	if err := db.NewSelect().Model(&x).Where("i.id = ?", d.InputID).Scan(ctx); err != nil {
		return fmt.Errorf("input %d: %w", d.InputID, err)
	}
	p, err := processes.ByID(ctx, db, x.ProcessID)
	if err != nil {
		return err
	}
	msgs := make([]mail.Message, 0, len(people))
	for _, who := range people {
		place := who.Place
		if who.Made == 0 {
			place = 0
		}
		msg, ok, err := mail.Notice(m.Outbox, m.Log, who.Email, who.Language, "comment_"+d.Status, map[string]any{"Name": who.Name, "Supported": who.Supported,
			"ID": minutes.PublicID(p.Code, x.Number), "Input": x.Body, "Rationale": d.Rationale, "Section": d.Section,
			"Link": fmt.Sprintf("%s/drafts/%d/paragraphs/%d#c-%d", m.BaseURL, who.Draft, place, who.Comment)}, "input", x.ID)
		if err != nil {
			return err
		}
		if ok {
			msgs = append(msgs, msg)
		}
	}
	return m.Outbox.Queue(ctx, db, msgs...)
}
