package processes

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// Service runs the process actions, each in one transaction with its audit entry.
type Service struct {
	DB    *bun.DB
	Clock clock.Clock
}

// checkUnique reports which of slug and code another process (not id) already uses.
func checkUnique(ctx context.Context, tx bun.IDB, id int64, in ProcessInput) error {
	var es validate.Errors
	for _, f := range []struct{ field, value string }{{"slug", in.Slug}, {"code", in.Code}} {
		used, err := tx.NewSelect().Model((*Process)(nil)).Where("? = ? AND id <> ?", bun.Ident(f.field), f.value, id).Exists(ctx)
		if err != nil {
			return err
		}
		if used {
			es.Add(f.field, validate.Taken, nil)
		}
	}
	return es.Err()
}

// taken turns a unique violation (a concurrent write that passed the checks) into a field error.
func taken(err error, field string) error {
	if store.IsUniqueViolation(err) {
		return validate.Errors{{Field: field, Code: validate.Taken}}
	}
	return err
}

// Create adds a process.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in ProcessInput) (Process, error) {
	in = in.Normalized()
	if es := in.Validate(); len(es) > 0 {
		return Process{}, es
	}
	now := s.Clock.Now()
	p := Process{Slug: in.Slug, Code: in.Code, Title: in.Title, Description: in.Description,
		GeneralObjective: in.GeneralObjective, TimeZone: in.TimeZone, Languages: in.Languages,
		StakeholderGroups: in.StakeholderGroups, Status: in.Status, CreatedAt: now, UpdatedAt: now}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := checkUnique(ctx, tx, 0, in); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&p).Exec(ctx); err != nil {
			return taken(err, "slug")
		}
		return audit.Record(ctx, tx, now, actor, "process.create", "process", fmt.Sprint(p.ID), map[string]any{"slug": p.Slug})
	})
	if err != nil {
		return Process{}, fmt.Errorf("creating process %s: %w", in.Slug, err)
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
		if p, err = ByID(ctx, tx, id); err != nil {
			return err
		}
		if err := checkUnique(ctx, tx, id, in); err != nil {
			return err
		}
		now := s.Clock.Now()
		p.Slug, p.Code, p.Title, p.Description, p.GeneralObjective = in.Slug, in.Code, in.Title, in.Description, in.GeneralObjective
		p.TimeZone, p.Languages, p.StakeholderGroups, p.Status, p.UpdatedAt = in.TimeZone, in.Languages, in.StakeholderGroups, in.Status, now
		if _, err := tx.NewUpdate().Model(&p).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
			return taken(err, "slug")
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
	in = in.Normalized()
	var t Topic
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := ByID(ctx, tx, processID)
		if err != nil {
			return err
		}
		if es := in.Validate(p.Languages); len(es) > 0 {
			return es
		}
		var last int
		if err := tx.NewSelect().Model((*Topic)(nil)).ColumnExpr("COALESCE(MAX(position), 0)").
			Where("process_id = ? AND kind = ?", processID, in.Kind).Scan(ctx, &last); err != nil {
			return err
		}
		now := s.Clock.Now()
		t = Topic{ProcessID: processID, Kind: in.Kind, Code: in.Code, Title: in.Title, Description: in.Description,
			Position: last + 1, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(&t).Exec(ctx); err != nil {
			return taken(err, "code")
		}
		return audit.Record(ctx, tx, now, actor, "topic.create", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code, "kind": t.Kind})
	})
	if err != nil {
		return Topic{}, fmt.Errorf("adding topic %s: %w", in.Code, err)
	}
	return t, nil
}

// UpdateTopic changes a topic of a process. A change of kind moves it to the end of its new kind.
func (s *Service) UpdateTopic(ctx context.Context, actor audit.Actor, processID, topicID int64, in TopicInput) (Topic, error) {
	in = in.Normalized()
	var t Topic
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		p, err := ByID(ctx, tx, processID)
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
			var last int
			if err := tx.NewSelect().Model((*Topic)(nil)).ColumnExpr("COALESCE(MAX(position), 0)").
				Where("process_id = ? AND kind = ?", processID, in.Kind).Scan(ctx, &last); err != nil {
				return err
			}
			t.Position = last + 1
		}
		now := s.Clock.Now()
		t.Kind, t.Code, t.Title, t.Description, t.UpdatedAt = in.Kind, in.Code, in.Title, in.Description, now
		if _, err := tx.NewUpdate().Model(&t).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
			return taken(err, "code")
		}
		return audit.Record(ctx, tx, now, actor, "topic.update", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code})
	})
	if err != nil {
		return Topic{}, fmt.Errorf("updating topic %d: %w", topicID, err)
	}
	return t, nil
}

// DeleteTopic removes a topic of a process.
func (s *Service) DeleteTopic(ctx context.Context, actor audit.Actor, processID, topicID int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t, err := TopicByID(ctx, tx, processID, topicID)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Topic)(nil)).Where("id = ?", t.ID).Exec(ctx); err != nil {
			return fmt.Errorf("deleting topic %d: %w", topicID, err)
		}
		return audit.Record(ctx, tx, s.Clock.Now(), actor, "topic.delete", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code})
	})
}

// MoveTopic swaps a topic with its neighbour of the same kind: direction -1 up, +1 down.
func (s *Service) MoveTopic(ctx context.Context, actor audit.Actor, processID, topicID int64, direction int) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t, err := TopicByID(ctx, tx, processID, topicID)
		if err != nil {
			return err
		}
		var n Topic
		q := tx.NewSelect().Model(&n).Where("process_id = ? AND kind = ?", processID, t.Kind)
		if direction < 0 {
			q = q.Where("position < ?", t.Position).OrderExpr("position DESC")
		} else {
			q = q.Where("position > ?", t.Position).OrderExpr("position ASC")
		}
		if err := q.Limit(1).Scan(ctx); err != nil {
			if errors.Is(store.NotFound(err), store.ErrNotFound) {
				return nil // already at the edge: nothing to do
			}
			return err
		}
		for _, u := range []struct {
			id  int64
			pos int
		}{{t.ID, n.Position}, {n.ID, t.Position}} {
			if _, err := tx.NewUpdate().Model((*Topic)(nil)).Set("position = ?", u.pos).Where("id = ?", u.id).Exec(ctx); err != nil {
				return fmt.Errorf("moving topic %d: %w", topicID, err)
			}
		}
		return audit.Record(ctx, tx, s.Clock.Now(), actor, "topic.move", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code, "direction": direction})
	})
}
