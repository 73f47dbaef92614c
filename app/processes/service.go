package processes

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/validate"
)

// Service runs the process actions, each in one transaction with its audit entry. Bad input
// comes back as validate.Errors and leaves the database as it was.
type Service struct {
	DB    *bun.DB
	Clock clock.Clock
}

// Create adds a process.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in ProcessInput) (Process, error) {
	var p Process
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		var err error
		if p, err = Create(ctx, tx, now, in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "process.create", "process", fmt.Sprint(p.ID), map[string]any{"slug": p.Slug})
	})
	if err != nil {
		return Process{}, err
	}
	return p, nil
}

// Update replaces a process's fields.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, in ProcessInput) (Process, error) {
	in = in.Normalized()
	if es := in.Validate(); len(es) > 0 {
		return Process{}, es
	}
	var p Process
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if p, err = lockByID(ctx, tx, id); err != nil {
			return err
		}
		if err := checkUnique(ctx, tx, id, in); err != nil {
			return err
		}
		now := s.Clock.Now()
		in.applyTo(&p, now)
		if _, err := tx.NewUpdate().Model(&p).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
			return taken(err, "slug", "code")
		}
		return audit.Record(ctx, tx, now, actor, "process.update", "process", fmt.Sprint(p.ID), map[string]any{"slug": p.Slug, "status": p.Status})
	})
	if err != nil {
		return Process{}, fmt.Errorf("updating process %d: %w", id, err)
	}
	return p, nil
}

// CreateTopic adds a topic at the end of its kind.
func (s *Service) CreateTopic(ctx context.Context, actor audit.Actor, processID int64, in TopicInput) (Topic, error) {
	var t Topic
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := lockByID(ctx, tx, processID)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		if t, err = CreateTopic(ctx, tx, now, p, in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "topic.create", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code, "kind": t.Kind})
	})
	if err != nil {
		return Topic{}, err
	}
	return t, nil
}

// UpdateTopic changes a topic of a process. A change of kind moves it to the end of its new kind.
func (s *Service) UpdateTopic(ctx context.Context, actor audit.Actor, processID, topicID int64, in TopicInput) (Topic, error) {
	in = in.Normalized()
	var t Topic
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := lockByID(ctx, tx, processID)
		if err != nil {
			return err
		}
		if t, err = TopicByID(ctx, tx, processID, topicID); err != nil {
			return err
		}
		if es := in.Validate(p.Languages); len(es) > 0 {
			return es
		}
		if in.Kind != t.Kind {
			if t.Position, err = nextPosition(ctx, tx, processID, in.Kind); err != nil {
				return err
			}
		}
		now := s.Clock.Now()
		t.Kind, t.Code, t.Title, t.Description, t.UpdatedAt = in.Kind, in.Code, in.Title, in.Description, now
		if _, err := tx.NewUpdate().Model(&t).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
			return taken(err, "code")
		}
		return audit.Record(ctx, tx, now, actor, "topic.update", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code})
	})
	if err != nil {
		return Topic{}, fmt.Errorf("updating topic %d of process %d: %w", topicID, processID, err)
	}
	return t, nil
}

// DeleteTopic removes a topic of a process. The others keep their positions: order is all
// that positions mean.
func (s *Service) DeleteTopic(ctx context.Context, actor audit.Actor, processID, topicID int64) error {
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := lockByID(ctx, tx, processID); err != nil {
			return err
		}
		t, err := TopicByID(ctx, tx, processID, topicID)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Topic)(nil)).Where("id = ?", t.ID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Clock.Now(), actor, "topic.delete", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code})
	})
	if err != nil {
		return fmt.Errorf("deleting topic %d of process %d: %w", topicID, processID, err)
	}
	return nil
}

// MoveTopic swaps a topic with its neighbour of the same kind: direction -1 moves it up, +1
// down; at either end it does nothing. Its kind is renumbered 1..n on the way, so gaps left
// by deletions and equal positions cannot make a move fail.
func (s *Service) MoveTopic(ctx context.Context, actor audit.Actor, processID, topicID int64, direction int) error {
	if direction != -1 && direction != 1 {
		return validate.Errors{{Field: "direction", Code: validate.Invalid}}
	}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := lockByID(ctx, tx, processID); err != nil {
			return err
		}
		t, err := TopicByID(ctx, tx, processID, topicID)
		if err != nil {
			return err
		}
		var same []Topic
		if err := tx.NewSelect().Model(&same).Where("process_id = ? AND kind = ?", processID, t.Kind).
			OrderExpr("position, id").Scan(ctx); err != nil {
			return err
		}
		i := slices.IndexFunc(same, func(o Topic) bool { return o.ID == t.ID })
		j := i + direction
		if j < 0 || j >= len(same) {
			return nil
		}
		same[i], same[j] = same[j], same[i]
		for k, o := range same {
			if o.Position == k+1 {
				continue
			}
			if _, err := tx.NewUpdate().Model((*Topic)(nil)).Set("position = ?", k+1).Where("id = ?", o.ID).Exec(ctx); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, s.Clock.Now(), actor, "topic.move", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code, "direction": direction})
	})
	if err != nil {
		return fmt.Errorf("moving topic %d of process %d: %w", topicID, processID, err)
	}
	return nil
}
