package forums

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/country"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Speaker is one person on a session's panel, as its programme names them. An organiser types
// them in; linking an account (by its email) lets the person find their sessions.
type Speaker struct {
	bun.BaseModel `bun:"table:speakers"`

	ID          int64           `bun:"id,pk,autoincrement"`
	SessionID   int64           `bun:"session_id,notnull"`
	Position    int             `bun:"position,notnull"`
	Name        string          `bun:"name,notnull"`
	Affiliation string          `bun:"affiliation,notnull"`
	Country     string          `bun:"country,notnull"`           // ISO 3166-1 alpha-2, or ""
	Group       string          `bun:"stakeholder_group,notnull"` // one of the process's groups, or ""
	Bio         translated.Text `bun:"bio,notnull"`
	AccountID   int64           `bun:"account_id,nullzero"`
}

// SpeakerInput is a speaker as a form or the API sends it. The account it names is the one
// with Email, or, when Email is empty, AccountID (kept from what the session held).
type SpeakerInput struct {
	Name, Affiliation, Country, Group, Email string
	Bio                                      translated.Text
	AccountID                                int64
}

// blank tells whether a form's speaker row was left empty.
func (in SpeakerInput) blank() bool {
	return strings.TrimSpace(in.Name+in.Affiliation+in.Country+in.Group+in.Email) == "" && len(in.Bio.Trimmed()) == 0
}

// checkSpeakers checks each speaker (blank rows skipped), naming fields speakers.N.name ...
func checkSpeakers(ctx context.Context, db bun.IDB, es *validate.Errors, p processes.Process, in []SpeakerInput) ([]Speaker, error) {
	var out []Speaker
	for i, sp := range in {
		if sp.blank() {
			continue
		}
		if len(out) == maxSpeakers {
			es.Add("speakers", CodeTooMany, map[string]any{"Max": maxSpeakers})
			break
		}
		f := fmt.Sprintf("speakers.%d.", i)
		s := Speaker{Position: len(out), Name: strings.TrimSpace(sp.Name), Affiliation: strings.TrimSpace(sp.Affiliation),
			Country: strings.ToUpper(strings.TrimSpace(sp.Country)), Group: strings.TrimSpace(sp.Group), Bio: sp.Bio.Trimmed()}
		es.Text(f+"name", s.Name, 200)
		if s.Affiliation != "" {
			es.Text(f+"affiliation", s.Affiliation, 200)
		}
		if s.Country != "" && !country.Valid(s.Country) {
			es.Add(f+"country", validate.Invalid, nil)
		}
		if s.Group != "" && !slices.Contains(p.StakeholderGroups, s.Group) {
			es.Add(f+"group", validate.Invalid, nil)
		}
		for _, l := range slices.Sorted(maps.Keys(s.Bio)) {
			if !translated.IsLanguage(l) {
				es.Add(f+"bio."+l, validate.Invalid, nil)
				continue
			}
			es.LongText(f+"bio."+l, s.Bio[l], 2000, false)
		}
		if sp.AccountID != 0 && strings.TrimSpace(sp.Email) == "" {
			if _, err := accounts.ByID(ctx, db, sp.AccountID); err == nil {
				s.AccountID = sp.AccountID
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		// The address links the speaker to their account, when they have one, for the clash
		// check; nothing tells the organiser whether they do.
		if email := strings.TrimSpace(sp.Email); email != "" {
			canonical, ok := validate.CanonicalEmail(email)
			if !ok {
				es.Add(f+"email", CodePersonEmail, map[string]any{"Email": email})
			} else if a, err := accounts.ByEmail(ctx, db, canonical); err == nil {
				s.AccountID = a.ID
			} else if !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// checkSpeakerClash warns when a speaker (the same account, or the same name) is in another
// session of the process, not cancelled and of a forum not cancelled, at some moment of this
// one. Only the process's own sessions are searched: the warning names the other session, and
// another process's drafts are not the organiser's to see.
func checkSpeakerClash(ctx context.Context, db bun.IDB, processID int64, speakers []Speaker, except int64, start, end time.Time) error {
	if len(speakers) == 0 {
		return nil
	}
	var names []string
	var ids []int64
	for _, s := range speakers {
		names = append(names, strings.ToLower(s.Name))
		if s.AccountID != 0 {
			ids = append(ids, s.AccountID)
		}
	}
	var hit struct {
		Name  string          `bun:"name"`
		Title translated.Text `bun:"title"`
	}
	q := db.NewSelect().TableExpr("speakers AS sp").ColumnExpr("sp.name, s.title").
		Join("JOIN sessions AS s ON s.id = sp.session_id").
		Join("JOIN forums AS f ON f.id = s.forum_id").
		Where("f.process_id = ? AND s.id <> ? AND s.status <> ? AND f.status <> ? AND s.starts_at < ? AND s.ends_at > ?",
			processID, except, SessionCancelled, StatusCancelled, end, start).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("lower(sp.name) IN (?)", bun.List(names))
			if len(ids) > 0 {
				q = q.WhereOr("sp.account_id IN (?)", bun.List(ids))
			}
			return q
		}).OrderExpr("s.starts_at").Limit(1)
	err := q.Scan(ctx, &hit)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("looking for speakers elsewhere: %w", err)
	}
	return ErrSpeakerClash.At("confirm_clash").With(map[string]any{"Speaker": hit.Name, "Other": hit.Title.In("es", "en")})
}
