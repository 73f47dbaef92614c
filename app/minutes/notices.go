package minutes

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/processes"
)

// Mailer writes and queues mail (mail.Outbox).
type Mailer interface {
	Compose(to, lang, kind string, data map[string]any, calendar string) (mail.Message, error)
	Queue(ctx context.Context, db bun.IDB, msgs ...mail.Message) error
}

// tellAskers mails the people whose questions an input came from (those who asked under
// their name, with an account) what became of it, in the caller's transaction. A notice that
// cannot be written as mail is logged and left out: it never undoes the decision.
func tellAskers(ctx context.Context, db bun.IDB, m Mailer, log *slog.Logger, baseURL string, d Disposition) error {
	if m == nil || d.Status == Pending {
		return nil
	}
	var x Input
	if err := db.NewSelect().Model(&x).Where("i.id = ?", d.InputID).Scan(ctx); err != nil {
		return fmt.Errorf("input %d: %w", d.InputID, err)
	}
	p, err := processes.ByID(ctx, db, x.ProcessID)
	if err != nil {
		return err
	}
	var askers []struct {
		Email    string `bun:"email"`
		Name     string `bun:"name"`
		Language string `bun:"language"`
		Session  int64  `bun:"session_id"`
	}
	if err := db.NewSelect().TableExpr("input_questions AS iq").Join("JOIN questions AS q ON q.id = iq.question_id").
		Join("JOIN accounts AS a ON a.id = q.author_id").ColumnExpr("DISTINCT a.email, a.name, a.language, q.session_id").
		Where("iq.input_id = ? AND NOT q.anonymous", x.ID).Scan(ctx, &askers); err != nil {
		return fmt.Errorf("the askers of input %d: %w", x.ID, err)
	}
	msgs := make([]mail.Message, 0, len(askers))
	for _, a := range askers {
		msg, ok, err := mail.Notice(m, log, a.Email, a.Language, "input_"+d.Status, map[string]any{"Name": a.Name, "ID": PublicID(p.Code, x.Number),
			"Input": x.Body, "Rationale": d.Rationale, "Section": d.Section, "Link": fmt.Sprintf("%s/sessions/%d", baseURL, a.Session)}, "input", x.ID)
		if err != nil {
			return err
		}
		if ok {
			msgs = append(msgs, msg)
		}
	}
	return m.Queue(ctx, db, msgs...)
}
