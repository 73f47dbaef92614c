package registration

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
)

// Refusals at the door.
var (
	ErrNotConfirmed = problem.New(problem.Conflict, "error.registration_not_confirmed")
	ErrCheckedIn    = problem.New(problem.Conflict, "error.registration_checked_in")
	ErrUnknownCode  = problem.New(problem.NotFound, "error.registration_unknown_code")
)

// CheckIn records that registration id of forum forumID came, at now. Only a confirmed
// registration checks in, and only once (the second time says when the first was).
func CheckIn(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, forumID, id int64) (Registration, error) {
	r, err := lockInForum(ctx, db, forumID, id)
	if err != nil {
		return Registration{}, err
	}
	return checkIn(ctx, db, now, actor, r)
}

// CheckInByCode is CheckIn by the code on a badge, as typed or scanned at the door.
func CheckInByCode(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, forumID int64, code string) (Registration, error) {
	code = NormalizeCode(code)
	if len(code) != codeLength {
		return Registration{}, ErrUnknownCode.At("code")
	}
	var r Registration
	q := db.NewSelect().Model(&r).Where("forum_id = ? AND code = ?", forumID, code)
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		if store.NotFound(err) == store.ErrNotFound {
			return Registration{}, ErrUnknownCode.At("code")
		}
		return Registration{}, fmt.Errorf("finding code %s: %w", code, err)
	}
	return checkIn(ctx, db, now, actor, r)
}

// NormalizeCode reads a check-in code as people type it: any case, with spaces or dashes, and
// the letters read as digits (O for 0, I and L for 1).
func NormalizeCode(code string) string {
	code = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(code)))
	return strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(code)
}

func checkIn(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, r Registration) (Registration, error) {
	switch {
	case r.CheckedInAt != nil:
		return r, ErrCheckedIn.With(map[string]any{"At": *r.CheckedInAt, "Name": r.Name})
	case r.Status != StatusConfirmed:
		return r, ErrNotConfirmed.With(map[string]any{"Name": r.Name})
	}
	r.CheckedInAt, r.UpdatedAt = &now, now
	if _, err := db.NewUpdate().Model(&r).Column("checked_in_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return Registration{}, fmt.Errorf("checking in registration %d: %w", r.ID, err)
	}
	return r, audit.Record(ctx, db, now, actor, "registration.check_in", "registration", fmt.Sprint(r.ID), nil)
}

// Counts are a forum's registrations in aggregate: the only way gender is ever reported.
type Counts struct {
	Total     int            // every registration that is not cancelled, declined or expired
	ByStatus  map[string]int // every status
	Confirmed int
	CheckedIn int
	ByMode    map[string]int // confirmed, by attendance mode
	ByGroup   map[string]int // confirmed, by stakeholder group
	ByCountry map[string]int // confirmed, by country ("" when not said)
	ByGender  map[string]int // confirmed, by gender ("" when not said)
	// Below lists the groups whose share of confirmed places is under the forum's minimum.
	Below []GroupShare
}

// GroupShare is a stakeholder group's share of the confirmed places.
type GroupShare struct {
	Group   string
	Count   int
	Percent int
}

// CountsOf counts forum forumID's registrations; groups are the process's, minShare the
// forum's minimum share in per cent (0: no warning).
func CountsOf(ctx context.Context, db bun.IDB, forumID int64, groups []string, minShare int) (Counts, error) {
	var rows []struct {
		Status    string `bun:"status"`
		Mode      string `bun:"mode"`
		Group     string `bun:"stakeholder_group"`
		Country   string `bun:"country"`
		Gender    string `bun:"gender"`
		CheckedIn bool   `bun:"checked_in"`
		N         int    `bun:"n"`
	}
	err := db.NewSelect().Model((*Registration)(nil)).
		ColumnExpr("status, mode, stakeholder_group, country, gender").
		ColumnExpr("checked_in_at IS NOT NULL AS checked_in").ColumnExpr("COUNT(*) AS n").
		Where("forum_id = ? AND session_id = 0", forumID).
		GroupExpr("status, mode, stakeholder_group, country, gender, checked_in_at IS NOT NULL").Scan(ctx, &rows)
	if err != nil {
		return Counts{}, fmt.Errorf("counting the registrations of forum %d: %w", forumID, err)
	}
	c := Counts{ByStatus: map[string]int{}, ByMode: map[string]int{}, ByGroup: map[string]int{}, ByCountry: map[string]int{},
		ByGender: map[string]int{}}
	for _, r := range rows {
		c.ByStatus[r.Status] += r.N
		if Active(r.Status) {
			c.Total += r.N
		}
		if r.Status != StatusConfirmed {
			continue
		}
		c.Confirmed += r.N
		if r.CheckedIn {
			c.CheckedIn += r.N
		}
		c.ByMode[r.Mode] += r.N
		c.ByGroup[r.Group] += r.N
		c.ByCountry[r.Country] += r.N
		c.ByGender[r.Gender] += r.N
	}
	if minShare > 0 && c.Confirmed > 0 {
		for _, g := range groups {
			pct := c.ByGroup[g] * 100 / c.Confirmed
			if pct < minShare {
				c.Below = append(c.Below, GroupShare{Group: g, Count: c.ByGroup[g], Percent: pct})
			}
		}
	}
	return c, nil
}

// Countries lists the countries of Counts.ByCountry, most first.
func (c Counts) Countries() []string {
	out := make([]string, 0, len(c.ByCountry))
	for k := range c.ByCountry {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int {
		if d := c.ByCountry[b] - c.ByCountry[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return out
}

// Export lists every registration of forum forumID for an organiser's spreadsheet, in line
// order within each status, and records that it was taken: it holds personal data.
func Export(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, forumID int64) ([]Registration, error) {
	out := []Registration{}
	if err := db.NewSelect().Model(&out).Where("forum_id = ? AND session_id = 0", forumID).
		OrderExpr("status, ticket, name, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("exporting the registrants of forum %d: %w", forumID, err)
	}
	return out, audit.Record(ctx, db, now, actor, "registration.export", "forum", fmt.Sprint(forumID), map[string]any{"rows": len(out)})
}
