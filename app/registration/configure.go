package registration

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Current is a forum's registration policy as an organiser edits it: the settings, the
// capacity of each mode (nil: unlimited), the quotas and the questions.
type Current struct {
	Settings  Settings
	Offered   bool // the forum takes registrations
	Capacity  map[string]*int
	Quotas    []Quota
	Questions []Question
	Places    []Place
}

// ReadCurrent reads forum forumID's registration policy.
func ReadCurrent(ctx context.Context, db bun.IDB, forumID int64) (Current, error) {
	s, offered, err := Offers(ctx, db, forumID)
	if err != nil {
		return Current{}, err
	}
	c := Current{Settings: s, Offered: offered, Capacity: map[string]*int{}}
	if c.Places, err = Places(ctx, db, forumID); err != nil {
		return Current{}, err
	}
	for _, p := range c.Places {
		if p.SessionID != 0 {
			continue
		}
		if p.Group != "" {
			seats := 0
			if p.Capacity != nil {
				seats = *p.Capacity
			}
			c.Quotas = append(c.Quotas, Quota{Group: p.Group, Mode: p.Mode, Seats: seats, ReleaseAt: p.ReleaseAt})
		}
	}
	for _, p := range c.Places {
		if p.SessionID != 0 || p.Group != "" {
			continue
		}
		if p.Capacity == nil {
			c.Capacity[p.Mode] = nil
			continue
		}
		total := *p.Capacity
		for _, q := range c.Places {
			if q.SessionID == 0 && q.Mode == p.Mode && q.Group != "" && q.Capacity != nil {
				total += *q.Capacity
			}
		}
		c.Capacity[p.Mode] = &total
	}
	c.Questions, err = Questions(ctx, db, forumID)
	return c, err
}

// Configure sets forum forumID's registration policy, opening registration when it was not.
// Capacity and quotas never fall below the seats already given; seats they add go to those in
// line at once.
func Configure(ctx context.Context, db bun.IDB, now time.Time, n Notifier, actor audit.Actor, processID, forumID int64, in SettingsInput) (Current, error) {
	f, err := forums.ByID(ctx, db, processID, forumID)
	if err != nil {
		return Current{}, err
	}
	if f.Status == forums.StatusCancelled {
		return Current{}, forums.ErrCancelled
	}
	p, err := processes.ByID(ctx, db, processID)
	if err != nil {
		return Current{}, err
	}
	modes := ModesOf(f)
	if es := in.validate(modes, p.StakeholderGroups, p.Languages); len(es) > 0 {
		return Current{}, es
	}
	s := Settings{ForumID: f.ID, OpensAt: utc(in.OpensAt), ClosesAt: utc(in.ClosesAt), Approval: in.Approval,
		OfferHours: in.OfferHours, MinShare: in.MinShare, UpdatedAt: now}
	if _, err := db.NewInsert().Model(&s).On("CONFLICT (forum_id) DO UPDATE").
		Set("opens_at = EXCLUDED.opens_at, closes_at = EXCLUDED.closes_at, approval = EXCLUDED.approval").
		Set("offer_hours = EXCLUDED.offer_hours, min_share = EXCLUDED.min_share, updated_at = EXCLUDED.updated_at").
		Exec(ctx); err != nil {
		return Current{}, fmt.Errorf("saving the registration settings of forum %d: %w", f.ID, err)
	}
	if err := saveQuestions(ctx, db, f.ID, in.Questions); err != nil {
		return Current{}, err
	}
	var es validate.Errors
	for _, m := range modes {
		if err := configurePool(ctx, db, now, s, n, f.ID, m, in, &es); err != nil {
			return Current{}, err
		}
	}
	if len(es) > 0 {
		return Current{}, es
	}
	if err := store.ContentChanged(ctx, db); err != nil { // the forum's page offers registration
		return Current{}, err
	}
	if err := audit.Record(ctx, db, now, actor, "registration.configure", "forum", strconv.FormatInt(f.ID, 10), map[string]any{
		"capacity_in_person": in.InPerson, "capacity_online": in.Online, "quotas": len(in.Quotas), "approval": in.Approval,
		"offer_hours": in.OfferHours}); err != nil {
		return Current{}, err
	}
	return ReadCurrent(ctx, db, f.ID)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// configurePool sets one mode's places: its quotas and the places open to all, which are the
// capacity less what the quotas hold.
func configurePool(ctx context.Context, db bun.IDB, now time.Time, s Settings, n Notifier, forumID int64, mode string, in SettingsInput, es *validate.Errors) error {
	p, err := lockPool(ctx, db, forumID, 0, mode)
	if err != nil {
		return err
	}
	open := p.open()
	wanted := map[string]Quota{}
	for _, q := range in.Quotas {
		if q.Mode == mode {
			wanted[q.Group] = q
		}
	}
	// Quotas no longer wanted give their seats, and who holds them, to the places open to all.
	for _, row := range slices.Clone(p.rows) {
		if row.Group == "" {
			continue
		}
		if _, ok := wanted[row.Group]; ok {
			continue
		}
		if _, err := db.NewUpdate().Model((*Registration)(nil)).Set("place_id = ?", open.ID).Where("place_id = ?", row.ID).Exec(ctx); err != nil {
			return fmt.Errorf("moving the seats of quota %d: %w", row.ID, err)
		}
		if _, err := db.NewDelete().Model((*Place)(nil)).Where("id = ?", row.ID).Exec(ctx); err != nil {
			return fmt.Errorf("removing quota %d: %w", row.ID, err)
		}
		open.Taken += row.Taken
		p.rows = slices.DeleteFunc(p.rows, func(r Place) bool { return r.ID == row.ID })
		open = p.open()
	}
	held := 0
	for i, q := range in.Quotas {
		if q.Mode != mode {
			continue
		}
		field := "quotas." + strconv.Itoa(i) + ".seats"
		seats := q.Seats
		row := p.quota(q.Group)
		if row == nil {
			nr := Place{ForumID: forumID, Mode: mode, Group: q.Group, Capacity: &seats, ReleaseAt: utc(q.ReleaseAt)}
			if _, err := db.NewInsert().Model(&nr).Exec(ctx); err != nil {
				return fmt.Errorf("adding a quota for %s: %w", q.Group, err)
			}
			p.rows = append(p.rows, nr)
			open = p.open()
			held += seats
			continue
		}
		if seats < row.Taken {
			es.Add(field, CodeBelowTaken, map[string]any{"Taken": row.Taken})
			continue
		}
		if row.Released {
			// A released quota keeps only the seats it had given; new seats are for all.
			seats = row.Taken
		}
		row.Capacity, row.ReleaseAt = &seats, utc(q.ReleaseAt)
		if _, err := db.NewUpdate().Model(row).Column("capacity", "release_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("changing quota %d: %w", row.ID, err)
		}
		held += seats
	}
	total := in.capacity(mode)
	if total == nil {
		open.Capacity = nil
	} else {
		c := *total - held
		if c < open.Taken {
			es.Add("capacity_"+mode, CodeBelowTaken, map[string]any{"Taken": open.Taken + held})
			return nil
		}
		open.Capacity = &c
	}
	if _, err := db.NewUpdate().Model(open).Column("capacity", "taken").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("setting the places of forum %d %s: %w", forumID, mode, err)
	}
	if len(*es) > 0 {
		return nil
	}
	if _, err := p.releaseDue(ctx, db, now); err != nil {
		return err
	}
	return fill(ctx, db, now, s, p, n)
}

// saveQuestions makes a forum's questions those given, in order: one with the id of an
// existing question changes it (its answers stay), the others are added, and the rest go.
func saveQuestions(ctx context.Context, db bun.IDB, forumID int64, in []QuestionInput) error {
	old, err := Questions(ctx, db, forumID)
	if err != nil {
		return err
	}
	keep := []int64{}
	for i, qi := range in {
		q := Question{ID: qi.ID, ForumID: forumID, Position: i + 1, Kind: qi.Kind, Label: qi.Label.Trimmed(), Options: qi.Options, Required: qi.Required}
		if q.Options == nil {
			q.Options = []translated.Text{}
		}
		if slices.ContainsFunc(old, func(o Question) bool { return o.ID == qi.ID }) {
			if _, err := db.NewUpdate().Model(&q).WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("changing question %d: %w", q.ID, err)
			}
		} else {
			q.ID = 0
			if _, err := db.NewInsert().Model(&q).Exec(ctx); err != nil {
				return fmt.Errorf("adding a question to forum %d: %w", forumID, err)
			}
		}
		keep = append(keep, q.ID)
	}
	q := db.NewDelete().Model((*Question)(nil)).Where("forum_id = ?", forumID)
	if len(keep) > 0 {
		q = q.Where("id NOT IN (?)", bun.List(keep))
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("removing questions of forum %d: %w", forumID, err)
	}
	return nil
}
