package registration

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// A pool is the places of one forum (session 0) or capped session in one attendance mode: the
// row open to all, and the quotas held for stakeholder groups. Every change to who holds a seat
// of a pool happens while its rows are locked (FOR UPDATE on PostgreSQL, in id order so two
// writers never wait on each other; SQLite's immediate transactions serialise writers), so
// counting and giving a seat are one step.
type pool struct {
	forumID, sessionID int64
	mode               string
	rows               []Place // id order; the open row first when it exists
}

// lockPool locks and reads a pool's rows, making the open row (unlimited) when it is missing.
func lockPool(ctx context.Context, db bun.IDB, forumID, sessionID int64, mode string) (*pool, error) {
	p := &pool{forumID: forumID, sessionID: sessionID, mode: mode}
	for range 2 {
		q := db.NewSelect().Model(&p.rows).Where("forum_id = ? AND session_id = ? AND mode = ?", forumID, sessionID, mode).
			OrderExpr("id")
		if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
			return nil, fmt.Errorf("locking the places of forum %d/%d %s: %w", forumID, sessionID, mode, err)
		}
		if p.open() != nil {
			return p, nil
		}
		row := &Place{ForumID: forumID, SessionID: sessionID, Mode: mode}
		if _, err := db.NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return nil, fmt.Errorf("adding the places of forum %d/%d %s: %w", forumID, sessionID, mode, err)
		}
	}
	return nil, fmt.Errorf("places of forum %d/%d %s: the open row cannot be made", forumID, sessionID, mode)
}

// open is the row of places open to all.
func (p *pool) open() *Place {
	for i := range p.rows {
		if p.rows[i].Group == "" {
			return &p.rows[i]
		}
	}
	return nil
}

func (p *pool) quota(group string) *Place {
	for i := range p.rows {
		if p.rows[i].Group == group && group != "" {
			return &p.rows[i]
		}
	}
	return nil
}

func (p *pool) byID(id int64) *Place {
	for i := range p.rows {
		if p.rows[i].ID == id {
			return &p.rows[i]
		}
	}
	return nil
}

// seatFor is the row a person of group would be seated from now, or nil when the pool is full
// for them: their group's quota while it is held, then the places open to all.
func (p *pool) seatFor(group string) *Place {
	if q := p.quota(group); q != nil && q.holding() && q.Free() != 0 {
		return q
	}
	if o := p.open(); o.Free() != 0 {
		return o
	}
	return nil
}

// take counts one more seat of row.
func (p *pool) take(ctx context.Context, db bun.IDB, row *Place) error {
	row.Taken++
	if _, err := db.NewUpdate().Model(row).Column("taken").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("taking a place of row %d: %w", row.ID, err)
	}
	return nil
}

// give back the seat held in row id. A seat of a released quota goes back to the places open
// to all with it.
func (p *pool) giveBack(ctx context.Context, db bun.IDB, id int64) error {
	row := p.byID(id)
	if row == nil {
		return fmt.Errorf("giving back a place: row %d is not in pool %d/%d %s", id, p.forumID, p.sessionID, p.mode)
	}
	row.Taken--
	cols := []string{"taken"}
	if row.Group != "" && row.Released && row.Capacity != nil {
		*row.Capacity--
		cols = append(cols, "capacity")
		if err := p.grow(ctx, db, 1); err != nil {
			return err
		}
	}
	if _, err := db.NewUpdate().Model(row).Column(cols...).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("giving back a place of row %d: %w", row.ID, err)
	}
	return nil
}

// grow adds n seats to the places open to all (unlimited stays unlimited).
func (p *pool) grow(ctx context.Context, db bun.IDB, n int) error {
	o := p.open()
	if o.Capacity == nil || n == 0 {
		return nil
	}
	*o.Capacity += n
	if _, err := db.NewUpdate().Model(o).Column("capacity").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("growing the open places of row %d: %w", o.ID, err)
	}
	return nil
}

// releaseDue hands the unused seats of every quota whose release time has come to the places
// open to all, and tells whether any was released.
func (p *pool) releaseDue(ctx context.Context, db bun.IDB, now time.Time) (bool, error) {
	released := false
	for i := range p.rows {
		q := &p.rows[i]
		if !q.holding() || q.ReleaseAt == nil || q.ReleaseAt.After(now) {
			continue
		}
		unused := max(q.Free(), 0)
		*q.Capacity = q.Taken
		q.Released = true
		if _, err := db.NewUpdate().Model(q).Column("capacity", "released").WherePK().Exec(ctx); err != nil {
			return false, fmt.Errorf("releasing quota %d: %w", q.ID, err)
		}
		if err := p.grow(ctx, db, unused); err != nil {
			return false, err
		}
		released = true
	}
	return released, nil
}

// line puts r at the end of the pool's line with the next ticket of the open row.
func (p *pool) line(ctx context.Context, db bun.IDB, now time.Time, r *Registration) error {
	o := p.queue(now, r)
	if _, err := db.NewUpdate().Model(o).Column("tickets").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("numbering the line of row %d: %w", o.ID, err)
	}
	return nil
}

// queue gives r the next ticket of the open row, which it returns for the caller to write.
func (p *pool) queue(now time.Time, r *Registration) *Place {
	o := p.open()
	o.Tickets++
	r.Status, r.WaitlistedAt, r.Ticket, r.PlaceID = StatusWaitlisted, &now, o.Tickets, nil
	return o
}
