package realtime

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// row is an event as live_events keeps it.
type row struct {
	bun.BaseModel `bun:"table:live_events"`

	Room      string    `bun:"room,pk"`
	Seq       uint64    `bun:"seq,pk"`
	Public    *string   `bun:"public_frame"`
	Full      *string   `bun:"full_frame"`
	Owner     string    `bun:"owner,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

func (r row) event() Event {
	e := Event{Room: r.Room, Seq: r.Seq, Owner: r.Owner}
	if r.Public != nil {
		e.Public = []byte(*r.Public)
	}
	if r.Full != nil {
		e.Full = []byte(*r.Full)
	}
	return e
}

func text(b []byte) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

// Append numbers d as room's next event and writes it, in db: the action's transaction. The
// room's counter row stays locked until that transaction ends, so events commit in the order
// of their numbers. Publish the event (Hub.Publish) once the transaction has committed.
func Append(ctx context.Context, db bun.IDB, now time.Time, room string, d Draft) (Event, error) {
	var seq uint64
	err := db.NewRaw(`INSERT INTO live_rooms (room, seq) VALUES (?, 1)
		ON CONFLICT (room) DO UPDATE SET seq = live_rooms.seq + 1 RETURNING seq`, room).Scan(ctx, &seq)
	if err != nil {
		return Event{}, fmt.Errorf("numbering an event of %s: %w", room, err)
	}
	e := Event{Room: room, Seq: seq, Public: numbered(d.Public, seq), Full: numbered(d.Full, seq), Owner: d.Owner}
	r := &row{Room: room, Seq: seq, Public: text(e.Public), Full: text(e.Full), Owner: d.Owner, CreatedAt: now.UTC()}
	if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
		return Event{}, fmt.Errorf("writing event %d of %s: %w", seq, room, err)
	}
	return e, nil
}

// Current is the number of room's newest event (0: none yet).
func Current(ctx context.Context, db bun.IDB, room string) (uint64, error) {
	var seq []uint64
	if err := db.NewSelect().Table("live_rooms").Column("seq").Where("room = ?", room).Scan(ctx, &seq); err != nil {
		return 0, fmt.Errorf("reading the number of %s: %w", room, err)
	}
	if len(seq) == 0 {
		return 0, nil
	}
	return seq[0], nil
}

// Since reads room's events after seq after, oldest first, at most limit of them.
func Since(ctx context.Context, db bun.IDB, room string, after uint64, limit int) ([]Event, error) {
	var rows []row
	if err := db.NewSelect().Model(&rows).Where("room = ? AND seq > ?", room, after).OrderExpr("seq").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading events of %s after %d: %w", room, after, err)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// Prune removes events written before before: a listener away longer takes a fresh snapshot.
func Prune(ctx context.Context, db bun.IDB, before time.Time) error {
	if _, err := db.NewDelete().Model((*row)(nil)).Where("created_at < ?", before.UTC()).Exec(ctx); err != nil {
		return fmt.Errorf("pruning live events: %w", err)
	}
	return nil
}
