package registration

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/store"
)

// SettingsOf reads forum forumID's registration policy; ErrNoRegistration when it has none.
func SettingsOf(ctx context.Context, db bun.IDB, forumID int64) (Settings, error) {
	var s Settings
	if err := db.NewSelect().Model(&s).Where("forum_id = ?", forumID).Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return Settings{}, ErrNoRegistration
		}
		return Settings{}, fmt.Errorf("reading the registration settings of forum %d: %w", forumID, err)
	}
	return s, nil
}

// Offers tells whether forum forumID takes registrations, and its settings when it does.
func Offers(ctx context.Context, db bun.IDB, forumID int64) (Settings, bool, error) {
	s, err := SettingsOf(ctx, db, forumID)
	if errors.Is(err, ErrNoRegistration) {
		return Settings{}, false, nil
	}
	return s, err == nil, err
}

// Questions lists a forum's own questions in order.
func Questions(ctx context.Context, db bun.IDB, forumID int64) ([]Question, error) {
	out := []Question{}
	if err := db.NewSelect().Model(&out).Where("forum_id = ?", forumID).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading the questions of forum %d: %w", forumID, err)
	}
	return out, nil
}

// Places lists a forum's places rows (session 0 first, then by mode and group).
func Places(ctx context.Context, db bun.IDB, forumID int64) ([]Place, error) {
	out := []Place{}
	if err := db.NewSelect().Model(&out).Where("forum_id = ?", forumID).OrderExpr("session_id, mode, stakeholder_group").Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading the places of forum %d: %w", forumID, err)
	}
	return out, nil
}

// Holder is who acts on a registration: the account it belongs to, or a guest by the salt of
// their link (Links.Holder checks the link).
type Holder struct {
	AccountID int64
	Salt      string
}

// lockMine reads registration id for its holder, locked; another person's is not found.
func lockMine(ctx context.Context, db bun.IDB, id int64, who Holder) (Registration, error) {
	var r Registration
	q := db.NewSelect().Model(&r).Where("id = ?", id)
	switch {
	case who.Salt != "":
		q = q.Where("link_salt = ?", who.Salt)
	case who.AccountID != 0:
		q = q.Where("account_id = ?", who.AccountID)
	default:
		return Registration{}, store.ErrNotFound
	}
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		return Registration{}, fmt.Errorf("reading registration %d: %w", id, store.NotFound(err))
	}
	return r, nil
}

// LinkLife is how long after its forum ends a guest's link still opens the registration (to
// download a badge or a certificate of attendance); after that it is gone.
const LinkLife = 90 * 24 * time.Hour

// forumEnd is when forum forumID is over: the end of its last day in its zone.
func forumEnd(ctx context.Context, db bun.IDB, forumID int64) (time.Time, error) {
	f, err := forums.Get(ctx, db, forumID)
	if err != nil {
		return time.Time{}, err
	}
	_, end := Window(f, Settings{})
	return end, nil
}

// checkNotOver refuses a change to r once its forum is over: nobody is seated, mailed or
// moved for an event that has happened.
func checkNotOver(ctx context.Context, db bun.IDB, now time.Time, r Registration) error {
	end, err := forumEnd(ctx, db, r.ForumID)
	if err != nil {
		return err
	}
	if !now.Before(end) {
		return ErrOver
	}
	return nil
}

// checkLinkLive refuses a guest's link LinkLife after its forum is over.
func checkLinkLive(ctx context.Context, db bun.IDB, now time.Time, r Registration) error {
	end, err := forumEnd(ctx, db, r.ForumID)
	if err != nil {
		return err
	}
	if now.After(end.Add(LinkLife)) {
		return ErrBadLink
	}
	return nil
}

// lockMineToChange is lockMine for a change its holder asks for: refused once the forum is over,
// and for a guest's link once it is gone.
func lockMineToChange(ctx context.Context, db bun.IDB, now time.Time, id int64, who Holder) (Registration, error) {
	r, err := lockMine(ctx, db, id, who)
	if err != nil {
		return r, err
	}
	if who.Salt != "" {
		if err := checkLinkLive(ctx, db, now, r); err != nil {
			return Registration{}, err
		}
	}
	return r, checkNotOver(ctx, db, now, r)
}

// lockInForum reads registration id of forum forumID, locked (organisers act on those of the
// forums they run).
func lockInForum(ctx context.Context, db bun.IDB, forumID, id int64) (Registration, error) {
	var r Registration
	q := db.NewSelect().Model(&r).Where("id = ? AND forum_id = ?", id, forumID)
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		return Registration{}, fmt.Errorf("reading registration %d: %w", id, store.NotFound(err))
	}
	return r, nil
}

// lockBySalt reads the guest registration of a link, locked.
func lockBySalt(ctx context.Context, db bun.IDB, salt string) (Registration, error) {
	var r Registration
	q := db.NewSelect().Model(&r).Where("link_salt = ?", salt)
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return Registration{}, ErrBadLink
		}
		return Registration{}, fmt.Errorf("reading a guest registration: %w", err)
	}
	return r, nil
}

// ByLink reads the guest registration of a link, with its place in line.
func ByLink(ctx context.Context, db bun.IDB, now time.Time, who Holder) (Registration, error) {
	if who.Salt == "" {
		return Registration{}, ErrBadLink
	}
	var r Registration
	if err := db.NewSelect().Model(&r).Where("link_salt = ?", who.Salt).Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return Registration{}, ErrBadLink
		}
		return Registration{}, fmt.Errorf("reading a guest registration: %w", err)
	}
	if err := checkLinkLive(ctx, db, now, r); err != nil {
		return Registration{}, err
	}
	return withPosition(ctx, db, r)
}

// newSalt makes the salt a guest's link is made from.
func newSalt() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Links makes and checks guests' links: a link's token is its registration's salt and a MAC
// of it under the site's key, so notices can give the link again without storing it, and
// nobody can make one without the key.
type Links struct {
	Key []byte
}

// Token is the link token of a salt.
func (l Links) Token(salt string) string {
	m := hmac.New(sha256.New, l.Key)
	m.Write([]byte("registration-link:" + salt))
	return salt + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Holder checks a link token and returns who it speaks for; ErrBadLink when it is not one.
func (l Links) Holder(token string) (Holder, error) {
	salt, _, ok := strings.Cut(token, ".")
	if !ok || len(salt) != 32 || len(token) > 100 || !hmac.Equal([]byte(l.Token(salt)), []byte(token)) {
		return Holder{}, ErrBadLink
	}
	return Holder{Salt: salt}, nil
}

// position is r's place in its line: 1 is next.
func position(ctx context.Context, db bun.IDB, r Registration) (int, error) {
	if r.Status != StatusWaitlisted {
		return 0, nil
	}
	n, err := db.NewSelect().Model((*Registration)(nil)).
		Where("forum_id = ? AND session_id = ? AND mode = ? AND status = ?", r.ForumID, r.SessionID, r.Mode, StatusWaitlisted).
		Where("ticket < ?", r.Ticket).
		Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting the line before registration %d: %w", r.ID, err)
	}
	return int(n) + 1, nil
}

func withPosition(ctx context.Context, db bun.IDB, r Registration) (Registration, error) {
	var err error
	r.Position, err = position(ctx, db, r)
	return r, err
}

// Mine lists an account's registrations, newest forum first, with their places in line.
func Mine(ctx context.Context, db bun.IDB, accountID int64) ([]Registration, error) {
	out := []Registration{}
	err := db.NewSelect().Model(&out).Where("account_id = ?", accountID).OrderExpr("created_at DESC, id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the registrations of account %d: %w", accountID, err)
	}
	return out, WithPositions(ctx, db, out)
}

// OneOf reads registration id of account accountID, with its place in line; another
// person's is not found.
func OneOf(ctx context.Context, db bun.IDB, accountID, id int64) (Registration, error) {
	var r Registration
	if err := db.NewSelect().Model(&r).Where("id = ? AND account_id = ?", id, accountID).Scan(ctx); err != nil {
		return Registration{}, fmt.Errorf("reading registration %d: %w", id, store.NotFound(err))
	}
	return withPosition(ctx, db, r)
}

// ForAccount finds accountID's registration for forum forumID (not a session's); nil when none.
func ForAccount(ctx context.Context, db bun.IDB, accountID, forumID int64) (*Registration, error) {
	var r Registration
	err := db.NewSelect().Model(&r).Where("forum_id = ? AND session_id = 0 AND account_id = ?", forumID, accountID).Scan(ctx)
	if errors.Is(store.NotFound(err), store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the registration of account %d for forum %d: %w", accountID, forumID, err)
	}
	r, err = withPosition(ctx, db, r)
	return &r, err
}

// LastDetails are the details an account gave at its latest registration with any (the form
// offers them again); ok false when it has none.
func LastDetails(ctx context.Context, db bun.IDB, accountID int64) (d Details, ok bool, err error) {
	var r Registration
	err = db.NewSelect().Model(&r).Where("account_id = ? AND session_id = 0 AND email <> ''", accountID).OrderExpr("created_at DESC, id DESC").
		Limit(1).Scan(ctx)
	if errors.Is(store.NotFound(err), store.ErrNotFound) {
		return d, false, nil
	}
	if err != nil {
		return d, false, fmt.Errorf("the latest registration of account %d: %w", accountID, err)
	}
	return r.Details, true, nil
}

// ForAccountSession is the account's place at a capped session, or nil.
func ForAccountSession(ctx context.Context, db bun.IDB, accountID, sessionID int64) (*Registration, error) {
	var r Registration
	err := db.NewSelect().Model(&r).Where("session_id = ? AND account_id = ?", sessionID, accountID).Scan(ctx)
	if errors.Is(store.NotFound(err), store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the place of account %d at session %d: %w", accountID, sessionID, err)
	}
	r, err = withPosition(ctx, db, r)
	return &r, err
}

// Filter narrows an organiser's list of registrants.
type Filter struct {
	Status, Mode, Group, Country string
	Search                       string // in name, email, organisation or code
	ID                           int64  // one registration
	Limit, Offset                int
}

// List lists forum forumID's registrants as f asks, in line order within each status, and
// how many match.
func List(ctx context.Context, db bun.IDB, forumID int64, f Filter) ([]Registration, int, error) {
	out := []Registration{}
	q := db.NewSelect().Model(&out).Where("forum_id = ? AND session_id = 0", forumID)
	for col, v := range map[string]string{"status": f.Status, "mode": f.Mode, "stakeholder_group": f.Group, "country": f.Country} {
		if v != "" {
			q = q.Where("? = ?", bun.Ident(col), v)
		}
	}
	if f.ID != 0 {
		q = q.Where("id = ?", f.ID)
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		like := store.LikePattern(s)
		q = q.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(organisation) LIKE ? ESCAPE '\\' OR code = ?)",
			like, like, like, strings.ToUpper(s))
	}
	q = q.OrderExpr("ticket, name, id").Limit(int64(max(f.Limit, 1))).Offset(int64(max(f.Offset, 0)))
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing the registrants of forum %d: %w", forumID, err)
	}
	return out, int(n), nil
}

// lockInForumAny reads registration id, locked.
func lockInForumAny(ctx context.Context, db bun.IDB, id int64) (Registration, error) {
	var r Registration
	q := db.NewSelect().Model(&r).Where("id = ?", id)
	if err := store.ForUpdate(q, db).Scan(ctx); err != nil {
		return Registration{}, fmt.Errorf("reading registration %d: %w", id, store.NotFound(err))
	}
	return r, nil
}

// WithPositions fills in the places in line of the waitlisted registrations of a list, in one
// query.
func WithPositions(ctx context.Context, db bun.IDB, list []Registration) error {
	var ids []int64
	for _, r := range list {
		if r.Status == StatusWaitlisted {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID       int64 `bun:"id"`
		Position int   `bun:"position"`
	}
	err := db.NewSelect().TableExpr("registrations AS r").ColumnExpr("r.id").
		ColumnExpr(`(SELECT COUNT(*) FROM registrations AS w WHERE w.forum_id = r.forum_id AND w.session_id = r.session_id
			AND w.mode = r.mode AND w.status = ? AND w.ticket < r.ticket) + 1 AS position`, StatusWaitlisted).
		Where("r.id IN (?)", bun.List(ids)).Scan(ctx, &rows)
	if err != nil {
		return fmt.Errorf("counting places in line: %w", err)
	}
	at := map[int64]int{}
	for _, row := range rows {
		at[row.ID] = row.Position
	}
	for i := range list {
		if p, ok := at[list[i].ID]; ok {
			list[i].Position = p
		}
	}
	return nil
}

// LinksOpen tells, for each forum given, whether account accountID (0: nobody signed in) may
// have its online links: at a forum that takes no registrations everyone may; at one that does,
// only its confirmed participants, for the link is the door of an online room with places.
func LinksOpen(ctx context.Context, db bun.IDB, accountID int64, forumIDs ...int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(forumIDs))
	if len(forumIDs) == 0 {
		return out, nil
	}
	for _, id := range forumIDs {
		out[id] = true
	}
	var taking []int64
	if err := db.NewSelect().Model((*Settings)(nil)).Column("forum_id").Where("forum_id IN (?)", bun.List(forumIDs)).
		Scan(ctx, &taking); err != nil {
		return nil, fmt.Errorf("finding which forums take registrations: %w", err)
	}
	for _, id := range taking {
		out[id] = false
	}
	if accountID == 0 || len(taking) == 0 {
		return out, nil
	}
	var confirmed []int64
	if err := db.NewSelect().Model((*Registration)(nil)).Column("forum_id").
		Where("forum_id IN (?) AND session_id = 0 AND account_id = ? AND status = ?", bun.List(taking), accountID, StatusConfirmed).
		Scan(ctx, &confirmed); err != nil {
		return nil, fmt.Errorf("finding the forums account %d is confirmed for: %w", accountID, err)
	}
	for _, id := range confirmed {
		out[id] = true
	}
	return out, nil
}

// SessionsHeld are the sessions of forums forumIDs with places of their own at which account
// accountID holds a confirmed place: their online links are for those who hold one.
func SessionsHeld(ctx context.Context, db bun.IDB, accountID int64, forumIDs ...int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if accountID == 0 || len(forumIDs) == 0 {
		return out, nil
	}
	var ids []int64
	if err := db.NewSelect().Model((*Registration)(nil)).Column("session_id").
		Where("forum_id IN (?) AND session_id <> 0 AND account_id = ? AND status = ?", bun.List(forumIDs), accountID, StatusConfirmed).
		Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("finding the session places of account %d: %w", accountID, err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SessionPlacesOf are the places at capped sessions held by the holder of forum registration
// base, by session, with their positions in line: the same account's, or for a guest, the
// same address's.
func SessionPlacesOf(ctx context.Context, db bun.IDB, base Registration) (map[int64]Registration, error) {
	if base.AccountID == nil && base.Email == "" {
		return map[int64]Registration{}, nil // erased: nobody's to find
	}
	var found []Registration
	q := db.NewSelect().Model(&found).Where("forum_id = ? AND session_id <> 0", base.ForumID)
	if base.AccountID != nil {
		q = q.Where("account_id = ?", *base.AccountID)
	} else {
		q = q.Where("account_id IS NULL AND email = ?", base.Email)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("reading the session places of registration %d: %w", base.ID, err)
	}
	if err := WithPositions(ctx, db, found); err != nil {
		return nil, err
	}
	out := make(map[int64]Registration, len(found))
	for _, r := range found {
		out[r.SessionID] = r
	}
	return out, nil
}

// InForum reads registration id, whichever forum it is of (the audit log names it).
func InForum(ctx context.Context, db bun.IDB, id int64) (Registration, error) {
	var r Registration
	if err := db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return r, fmt.Errorf("reading registration %d: %w", id, store.NotFound(err))
	}
	return r, nil
}
