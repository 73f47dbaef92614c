package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store"
)

// demoQuestion is a question of the demo: asked in a group, through a channel, with its votes.
type demoQuestion struct {
	body, group, channel string
	votes                int
	answered             bool
}

// sessionNamed finds the demo session of forum slug whose English title is title.
func sessionNamed(ctx context.Context, tx bun.IDB, slug, title string) (forums.Session, error) {
	var s forums.Session
	err := tx.NewSelect().Model(&s).Where("forum_id = (SELECT id FROM forums WHERE slug = ?)", slug).
		Where("CAST(title AS TEXT) LIKE ?", "%"+title+"%").Limit(1).Scan(ctx)
	if err != nil {
		return s, fmt.Errorf("the demo session %q of %s: %w", title, slug, store.NotFound(err))
	}
	return s, nil
}

// addQuestions writes questions as they stand (the record of a session, or a room already in
// use), with votes from as many anonymous demo devices.
func addQuestions(ctx context.Context, tx bun.IDB, now time.Time, sessionID int64, list []demoQuestion) error {
	for i, d := range list {
		at := now.Add(time.Duration(i-len(list)) * time.Minute)
		q := qa.Question{SessionID: sessionID, Body: d.body, Group: d.group, Channel: d.channel, Status: qa.Visible, Anonymous: true,
			Labels: []string{}, Votes: d.votes, CreatedAt: at, UpdatedAt: at}
		if d.answered {
			q.Status, q.AnsweredAt = qa.Answered, &at
		}
		if _, err := tx.NewInsert().Model(&q).Exec(ctx); err != nil {
			return fmt.Errorf("a demo question: %w", err)
		}
		for v := range d.votes {
			if _, err := tx.NewRaw(`INSERT INTO question_votes (question_id, voter, created_at) VALUES (?, ?, ?)`,
				q.ID, fmt.Sprintf("d:demo-%d", v), at).Exec(ctx); err != nil {
				return fmt.Errorf("a demo vote: %w", err)
			}
		}
	}
	return store.ContentChanged(ctx, tx)
}

// demoQuestions gives the IGF 2017 open forum the questions put to its panel, answered, and
// the consultation's question room, open all week, questions still waiting with their votes.
func demoQuestions(ctx context.Context, tx bun.IDB, now time.Time) error {
	igf, err := sessionNamed(ctx, tx, "igf-2017-open-forum", "Identifying best practices")
	if err != nil {
		return err
	}
	// The open forum took questions from the room and online; they are its record, closed.
	if _, err := tx.NewUpdate().Model((*forums.Session)(nil)).Set("qa_mode = ?", forums.QAOpen).Where("id = ?", igf.ID).Exec(ctx); err != nil {
		return fmt.Errorf("opening the IGF session's questions: %w", err)
	}
	if _, err := tx.NewInsert().Model(&qa.Settings{SessionID: igf.ID, WhoAsks: qa.AskMembers, Anonymous: true, Closed: true, UpdatedAt: now}).
		Exec(ctx); err != nil {
		return fmt.Errorf("closing the IGF session's questions: %w", err)
	}
	if err := addQuestions(ctx, tx, now, igf.ID, []demoQuestion{
		{body: "Could the strategy end up criminalising legitimate online activities, such as security research or speech?",
			group: "civil_society", channel: qa.InRoom, votes: 14, answered: true},
		{body: "Now that the strategy is published, can civil society still contribute to it, and how?",
			group: "civil_society", channel: qa.Online, votes: 11, answered: true},
		{body: "How well do the eight axes reflect the strategy's objectives?",
			group: "academia", channel: qa.InRoom, votes: 7, answered: true},
		{body: "Which countries' strategies served as inspiration?",
			group: "international_organisation", channel: qa.Online, votes: 5, answered: true},
	}); err != nil {
		return err
	}
	room, err := sessionNamed(ctx, tx, "consulta-en-linea", "Open question room")
	if err != nil {
		return err
	}
	if _, err := tx.NewInsert().Model(&qa.Settings{SessionID: room.ID, WhoAsks: qa.AskAnyone, Anonymous: true, UpdatedAt: now}).
		Exec(ctx); err != nil {
		return fmt.Errorf("opening the question room: %w", err)
	}
	return addQuestions(ctx, tx, now, room.ID, []demoQuestion{
		{body: "¿Qué indicadores usarán para saber si la estrategia avanza?", group: "academia", channel: qa.Online, votes: 9},
		{body: "¿Cómo se protegerán los datos personales en los sistemas de respuesta a incidentes?", group: "civil_society", channel: qa.Online, votes: 6},
		{body: "¿Habrá apoyo para que las pequeñas empresas mejoren su seguridad?", group: "private_sector", channel: qa.Online, votes: 4},
		{body: "How will the strategy coordinate with regional CSIRTs?", group: "international_expert", channel: qa.Online, votes: 2},
	})
}
