package processes

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// The actions: each checks its rules, writes its rows and its audit entry in the caller's
// transaction (db), and never opens one itself. Service wraps each in a transaction; seed steps
// call them inside theirs. On error the caller rolls back (on PostgreSQL a unique violation
// aborts the transaction anyway). Bad input is validate.Errors.

// Create adds a process.
func Create(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, in ProcessInput) (Process, error) {
	in = in.Normalized()
	if es := in.Validate(); len(es) > 0 {
		return Process{}, es
	}
	if err := checkUnique(ctx, db, 0, in); err != nil {
		return Process{}, err
	}
	p := Process{CreatedAt: now}
	in.applyTo(&p, now)
	if _, err := db.NewInsert().Model(&p).Exec(ctx); err != nil {
		return Process{}, fmt.Errorf("creating process %s: %w", in.Slug, taken(err, "slug", "code"))
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return p, err
	}
	return p, audit.Record(ctx, db, now, actor, "process.create", "process", fmt.Sprint(p.ID), map[string]any{"slug": p.Slug})
}

// Update replaces the fields of process id.
func Update(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, id int64, in ProcessInput) (Process, error) {
	in = in.Normalized()
	if es := in.Validate(); len(es) > 0 {
		return Process{}, es
	}
	p, err := lockByID(ctx, db, id)
	if err != nil {
		return Process{}, err
	}
	if err := checkUnique(ctx, db, id, in); err != nil {
		return Process{}, err
	}
	in.applyTo(&p, now)
	if _, err := db.NewUpdate().Model(&p).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
		return Process{}, fmt.Errorf("updating process %d: %w", id, taken(err, "slug", "code"))
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return p, err
	}
	return p, audit.Record(ctx, db, now, actor, "process.update", "process", fmt.Sprint(p.ID),
		map[string]any{"slug": p.Slug, "status": p.Status})
}

// CreateTopic adds a topic at the end of its kind. The process's row is locked first, so two
// topics added at once never get the same position.
func CreateTopic(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID int64, in TopicInput) (Topic, error) {
	in = in.Normalized()
	p, err := lockByID(ctx, db, processID)
	if err != nil {
		return Topic{}, err
	}
	if es := in.Validate(p.Languages); len(es) > 0 {
		return Topic{}, es
	}
	pos, err := nextPosition(ctx, db, p.ID, in.Kind)
	if err != nil {
		return Topic{}, err
	}
	t := Topic{ProcessID: p.ID, Kind: in.Kind, Code: in.Code, Title: in.Title, Description: in.Description,
		Position: pos, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(&t).Exec(ctx); err != nil {
		return Topic{}, fmt.Errorf("adding topic %s to process %d: %w", in.Code, p.ID, taken(err, "code"))
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return t, err
	}
	return t, audit.Record(ctx, db, now, actor, "topic.create", "process", fmt.Sprint(p.ID),
		map[string]any{"topic": t.Code, "kind": t.Kind})
}

// UpdateTopic replaces a topic's fields; a topic that changes kind goes to the end of its new
// kind.
func UpdateTopic(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, topicID int64, in TopicInput) (Topic, error) {
	in = in.Normalized()
	p, err := lockByID(ctx, db, processID)
	if err != nil {
		return Topic{}, err
	}
	t, err := TopicByID(ctx, db, processID, topicID)
	if err != nil {
		return Topic{}, err
	}
	if es := in.Validate(p.Languages); len(es) > 0 {
		return Topic{}, es
	}
	if in.Kind != t.Kind {
		if t.Position, err = nextPosition(ctx, db, processID, in.Kind); err != nil {
			return Topic{}, err
		}
	}
	t.Kind, t.Code, t.Title, t.Description, t.UpdatedAt = in.Kind, in.Code, in.Title, in.Description, now
	if _, err := db.NewUpdate().Model(&t).WherePK().ExcludeColumn("created_at").Exec(ctx); err != nil {
		return Topic{}, fmt.Errorf("updating topic %d of process %d: %w", topicID, processID, taken(err, "code"))
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return t, err
	}
	return t, audit.Record(ctx, db, now, actor, "topic.update", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code})
}

// ErrTopicInUse refuses to delete an objective or axis that inputs of minutes are tagged with.
var ErrTopicInUse = problem.New(problem.Conflict, "error.topic_in_use")

// DeleteTopic removes a topic of a process, unless inputs are tagged with it (ErrTopicInUse).
// The others keep their positions: order is all that positions mean.
func DeleteTopic(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, topicID int64) error {
	if _, err := lockByID(ctx, db, processID); err != nil {
		return err
	}
	t, err := TopicByID(ctx, db, processID, topicID)
	if err != nil {
		return err
	}
	// Minutes' inputs are tagged with it, and their published versions keep its id: deleting it
	// would leave the public record pointing at nothing.
	tagged, err := db.NewSelect().Table("input_topics").Where("topic_id = ?", t.ID).Count(ctx)
	if err != nil {
		return fmt.Errorf("counting the inputs of topic %d: %w", topicID, err)
	}
	if tagged > 0 {
		return ErrTopicInUse
	}
	if _, err := db.NewDelete().Model((*Topic)(nil)).Where("id = ?", t.ID).Exec(ctx); err != nil {
		return fmt.Errorf("deleting topic %d of process %d: %w", topicID, processID, err)
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return err
	}
	return audit.Record(ctx, db, now, actor, "topic.delete", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code})
}

// MoveTopic swaps a topic with its neighbour of the same kind: direction -1 moves it up, +1
// down; at either end it does nothing. Its kind is renumbered 1..n on the way, so gaps left by
// deletions and equal positions cannot make a move fail.
func MoveTopic(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, processID, topicID int64, direction int) error {
	if direction != -1 && direction != 1 {
		return validate.Errors{{Field: "direction", Code: validate.Invalid}}
	}
	if _, err := lockByID(ctx, db, processID); err != nil {
		return err
	}
	t, err := TopicByID(ctx, db, processID, topicID)
	if err != nil {
		return err
	}
	var same []Topic
	if err := db.NewSelect().Model(&same).Where("process_id = ? AND kind = ?", processID, t.Kind).
		OrderExpr("position, id").Scan(ctx); err != nil {
		return fmt.Errorf("listing the %ss of process %d: %w", t.Kind, processID, err)
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
		if _, err := db.NewUpdate().Model((*Topic)(nil)).Set("position = ?", k+1).Where("id = ?", o.ID).Exec(ctx); err != nil {
			return fmt.Errorf("moving topic %d of process %d: %w", topicID, processID, err)
		}
	}
	if err := store.ContentChanged(ctx, db); err != nil {
		return err
	}
	return audit.Record(ctx, db, now, actor, "topic.move", "process", fmt.Sprint(processID), map[string]any{"topic": t.Code, "direction": direction})
}
