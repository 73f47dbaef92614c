package registration

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store"
)

// What a forum's page and form say of its places, mode by mode, before anyone fills the form.
const (
	PlacesFree = "places"   // places are free (or there is no limit)
	FewLeft    = "few"      // FewPlaces or fewer: how many
	Waitlist   = "waitlist" // full, or others already wait: a new registration joins the waitlist

	FewPlaces = 10
)

// Availability is what the public is told of a forum's places in one mode.
type Availability struct {
	Mode  string `json:"mode"`
	State string `json:"state"`
	Left  int    `json:"left,omitempty"` // with FewLeft
}

// AvailabilityOf is what a forum's places look like to someone about to register, in each mode
// it offers. A stakeholder group's quota counts among the places left: the form says which are
// held for which groups.
func AvailabilityOf(ctx context.Context, db bun.IDB, f forums.Forum) ([]Availability, error) {
	var rows []Place
	if err := db.NewSelect().Model(&rows).Where("forum_id = ? AND session_id = 0", f.ID).Scan(ctx); err != nil {
		return nil, fmt.Errorf("the places of forum %d: %w", f.ID, err)
	}
	var waiting []struct {
		Mode string `bun:"mode"`
		N    int    `bun:"n"`
	}
	if err := db.NewSelect().Model((*Registration)(nil)).ColumnExpr("mode, COUNT(*) AS n").
		Where("forum_id = ? AND session_id = 0 AND status = ?", f.ID, StatusWaitlisted).GroupExpr("mode").Scan(ctx, &waiting); err != nil {
		return nil, fmt.Errorf("the waitlist of forum %d: %w", f.ID, err)
	}
	var out []Availability
	for _, mode := range ModesOf(f) {
		a := Availability{Mode: mode, State: PlacesFree}
		// Without a row of places open to all, the mode has no limit yet.
		free, unlimited := 0, !hasOpenRow(rows, mode)
		for _, p := range rows {
			switch {
			case p.Mode != mode || (p.Group != "" && p.Released):
			case p.Capacity == nil:
				unlimited = unlimited || p.Group == ""
			default:
				free += max(p.Free(), 0)
			}
		}
		for _, w := range waiting {
			if w.Mode == mode && w.N > 0 {
				a.State = Waitlist
			}
		}
		switch {
		case a.State == Waitlist:
		case unlimited:
		case free == 0:
			a.State = Waitlist
		case free <= FewPlaces:
			a.State, a.Left = FewLeft, free
		}
		out = append(out, a)
	}
	return out, nil
}

// SessionAvailability is what the public is told of a capped session's places.
type SessionAvailability struct {
	SessionID int64 `json:"session"`
	Availability
}

// SessionsAvailability is AvailabilityOf for the forum's sessions with places of their own.
func SessionsAvailability(ctx context.Context, db bun.IDB, forumID int64) ([]SessionAvailability, error) {
	var rows []Place
	if err := db.NewSelect().Model(&rows).Where("forum_id = ? AND session_id <> 0", forumID).OrderExpr("session_id, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("the session places of forum %d: %w", forumID, err)
	}
	var waiting []int64
	if err := db.NewSelect().Model((*Registration)(nil)).ColumnExpr("DISTINCT session_id").
		Where("forum_id = ? AND session_id <> 0 AND status = ?", forumID, StatusWaitlisted).Scan(ctx, &waiting); err != nil {
		return nil, fmt.Errorf("the session waitlists of forum %d: %w", forumID, err)
	}
	var out []SessionAvailability
	for _, p := range rows {
		if p.Group != "" || p.Capacity == nil {
			continue
		}
		a := SessionAvailability{SessionID: p.SessionID, Availability: Availability{Mode: p.Mode, State: PlacesFree}}
		switch free := max(p.Free(), 0); {
		case slices.Contains(waiting, p.SessionID), free == 0:
			a.State = Waitlist
		case free <= FewPlaces:
			a.State, a.Left = FewLeft, free
		}
		out = append(out, a)
	}
	return out, nil
}

// SessionAvailabilityOf is what one capped session's page says of its places (ok false: the
// session has no places of its own, or none is counted yet).
func SessionAvailabilityOf(ctx context.Context, db bun.IDB, forumID, sessionID int64) (Availability, bool, error) {
	all, err := SessionsAvailability(ctx, db, forumID)
	if err != nil {
		return Availability{}, false, err
	}
	for _, a := range all {
		if a.SessionID == sessionID {
			return a.Availability, true, nil
		}
	}
	return Availability{}, false, nil
}

// hasOpenRow tells whether rows hold the places open to all of mode.
func hasOpenRow(rows []Place, mode string) bool {
	for _, p := range rows {
		if p.Mode == mode && p.Group == "" {
			return true
		}
	}
	return false
}

// ShowAvailability records what the forum's page (and its sessions' pages) now say of their
// places and, when that
// changed, grows the content revision so cached pages are drawn again. The row it reads is
// locked first: of two calls at once, the later reads what both committed.
func ShowAvailability(ctx context.Context, db bun.IDB, forumID int64) error {
	if _, err := db.NewRaw("INSERT INTO registration_shown (forum_id, shown) VALUES (?, '') ON CONFLICT DO NOTHING", forumID).Exec(ctx); err != nil {
		return fmt.Errorf("what forum %d shows of its places: %w", forumID, err)
	}
	var shown string
	q := db.NewSelect().Table("registration_shown").Column("shown").Where("forum_id = ?", forumID)
	if err := store.ForUpdate(q, db).Scan(ctx, &shown); err != nil {
		return fmt.Errorf("what forum %d shows of its places: %w", forumID, err)
	}
	f, err := forums.Get(ctx, db, forumID)
	if err != nil {
		return err
	}
	as, err := AvailabilityOf(ctx, db, f)
	if err != nil {
		return err
	}
	sessions, err := SessionsAvailability(ctx, db, forumID)
	if err != nil {
		return err
	}
	now, err := json.Marshal(struct {
		Forum    []Availability        `json:"forum"`
		Sessions []SessionAvailability `json:"sessions"`
	}{as, sessions})
	if err != nil {
		return err
	}
	if string(now) == shown {
		return nil
	}
	if _, err := db.NewRaw("UPDATE registration_shown SET shown = ? WHERE forum_id = ?", string(now), forumID).Exec(ctx); err != nil {
		return fmt.Errorf("what forum %d shows of its places: %w", forumID, err)
	}
	return store.ContentChanged(ctx, db)
}
