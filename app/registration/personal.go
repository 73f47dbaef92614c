package registration

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// Personal is the registration part of a person's data: their registrations, made with their
// account or as a guest with their address.
type Personal struct {
	Notifier Notifier
}

func mineQuery(db bun.IDB, model any, accountID int64, email string) *bun.SelectQuery {
	return db.NewSelect().Model(model).
		Where("(account_id = ? OR (account_id IS NULL AND email <> '' AND LOWER(email) = ?))", accountID, strings.ToLower(email))
}

// Export lists every registration of the person, with all they answered.
func (Personal) Export(ctx context.Context, db bun.IDB, accountID int64, email string) (any, error) {
	out := []Registration{}
	if err := mineQuery(db, &out, accountID, email).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("exporting the registrations of account %d: %w", accountID, err)
	}
	return out, nil
}

// Erase cancels the person's registrations still in force (their seats go to the next in line)
// and anonymises every one: what aggregates count (status, mode, group, country, gender,
// check-in) stays; name, address, organisation, needs, answers and links go.
func (p Personal) Erase(ctx context.Context, db bun.IDB, now time.Time, accountID int64, email string) error {
	var ids []int64
	if err := mineQuery(db, (*Registration)(nil), accountID, email).Column("id").Scan(ctx, &ids); err != nil {
		return fmt.Errorf("finding the registrations of account %d: %w", accountID, err)
	}
	for _, id := range ids {
		r, err := lockInForumAny(ctx, db, id)
		if err != nil {
			return err
		}
		if Active(r.Status) {
			// Nobody is left to tell: no notice to the person, only to whoever is promoted.
			if _, err := cancel(ctx, db, now, onlyPromotions{p.Notifier}, r, StatusCancelled, NoticeCancelled); err != nil {
				return err
			}
		}
	}
	return anonymise(ctx, db, now, ids)
}

// anonymise removes who the registrations were: what aggregates count (status, mode, group,
// country, gender, check-in) stays; name, address, organisation, needs, answers and links go.
func anonymise(ctx context.Context, db bun.IDB, now time.Time, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := db.NewUpdate().Model((*Registration)(nil)).
		Set("account_id = NULL, email = '', name = '', organisation = '', accessibility = '', gender_self = ''").
		Set("answers = ?, languages = ?, link_salt = NULL, updated_at = ?", "{}", "[]", now).
		Where("id IN (?)", bun.List(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("anonymising %d registrations: %w", len(ids), err)
	}
	return nil
}

// GuestRetention is how long after its forum a registration made without an account keeps who
// it was: the privacy notice says so, and its link stops working then too.
const GuestRetention = LinkLife

// ForgetGuests anonymises the registrations made without an account (guests, walk-ins) of the
// forums that ended GuestRetention or more before now, as the privacy notice promises. It tells
// how many it anonymised.
func ForgetGuests(ctx context.Context, db bun.IDB, now time.Time) (int, error) {
	cutoff := now.Add(-GuestRetention).Format(time.DateOnly)
	var ids []int64
	if err := db.NewSelect().Model((*Registration)(nil)).Column("id").
		Where("account_id IS NULL AND (email <> '' OR name <> '')").
		Where("forum_id IN (SELECT id FROM forums WHERE ends_on < ?)", cutoff).OrderExpr("id").Limit(1000).Scan(ctx, &ids); err != nil {
		return 0, fmt.Errorf("finding the guests to forget: %w", err)
	}
	return len(ids), anonymise(ctx, db, now, ids)
}

// onlyPromotions passes on the notices to people promoted, not the erased person's own.
type onlyPromotions struct{ n Notifier }

func (o onlyPromotions) Notify(ctx context.Context, db bun.IDB, ns ...Notice) error {
	var keep []Notice
	for _, n := range ns {
		if n.Kind != NoticeCancelled {
			keep = append(keep, n)
		}
	}
	if o.n == nil || len(keep) == 0 {
		return nil
	}
	return o.n.Notify(ctx, db, keep...)
}

// Guest is an address that registered without an account, as admins find it: to answer a
// person's request about their data.
type Guest struct {
	Email         string `bun:"email"`
	Name          string `bun:"name"`
	Registrations int    `bun:"n"`
}

// FindGuests lists the addresses registered without an account whose address or name holds q,
// at most limit.
func FindGuests(ctx context.Context, db bun.IDB, q string, limit int) ([]Guest, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	like := store.LikePattern(q)
	var out []Guest
	if err := db.NewSelect().Model((*Registration)(nil)).ColumnExpr("email, MAX(name) AS name, COUNT(*) AS n").
		Where("account_id IS NULL AND email <> ''").
		Where("(LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(name) LIKE ? ESCAPE '\\')", like, like).
		GroupExpr("email").OrderExpr("email").Limit(int64(limit)).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("finding guests: %w", err)
	}
	return out, nil
}
