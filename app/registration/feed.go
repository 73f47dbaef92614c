package registration

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
)

// ErrBadFeed refuses a calendar feed address that is not, or no longer, anyone's.
var ErrBadFeed = ErrBadLink

// feedRow is the generation of a person's calendar feed address.
type feedRow struct {
	bun.BaseModel `bun:"table:registration_feeds"`

	AccountID  int64 `bun:"account_id,pk"`
	Generation int   `bun:"generation,notnull"`
}

// FeedToken is the secret part of account accountID's calendar feed address: made from the
// account and the generation of its address under the site's key, so showing it writes
// nothing, and resetting the generation ends the old address.
func (l Links) FeedToken(accountID int64, generation int) string {
	m := hmac.New(sha256.New, l.Key)
	m.Write([]byte("calendar-feed:" + strconv.FormatInt(accountID, 10) + ":" + strconv.Itoa(generation)))
	return strconv.FormatInt(accountID, 10) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// FeedOf reads account accountID's current feed token.
func FeedOf(ctx context.Context, db bun.IDB, l Links, accountID int64) (string, error) {
	gen, err := generation(ctx, db, accountID)
	if err != nil {
		return "", err
	}
	return l.FeedToken(accountID, gen), nil
}

// FeedAccount checks a feed token and returns the account it is for.
func FeedAccount(ctx context.Context, db bun.IDB, l Links, token string) (int64, error) {
	idPart, _, ok := strings.Cut(token, ".")
	id, err := strconv.ParseInt(idPart, 10, 64)
	if !ok || err != nil || id < 1 || len(token) > 100 {
		return 0, ErrBadFeed
	}
	gen, err := generation(ctx, db, id)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal([]byte(l.FeedToken(id, gen)), []byte(token)) {
		return 0, ErrBadFeed
	}
	return id, nil
}

func generation(ctx context.Context, db bun.IDB, accountID int64) (int, error) {
	var row feedRow
	err := db.NewSelect().Model(&row).Where("account_id = ?", accountID).Scan(ctx)
	if errors.Is(store.NotFound(err), store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the feed of account %d: %w", accountID, err)
	}
	return row.Generation, nil
}

// ResetFeed gives account accountID a new feed address; the old one stops working.
func ResetFeed(ctx context.Context, db bun.IDB, accountID int64) error {
	_, err := db.NewRaw(`INSERT INTO registration_feeds (account_id, generation) VALUES (?, 1)
		ON CONFLICT (account_id) DO UPDATE SET generation = registration_feeds.generation + 1`, accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("resetting the feed of account %d: %w", accountID, err)
	}
	return nil
}

// Confirmed lists the forums (session 0) account accountID holds a confirmed place at.
func Confirmed(ctx context.Context, db bun.IDB, accountID int64) ([]int64, error) {
	var ids []int64
	if err := db.NewSelect().Model((*Registration)(nil)).Column("forum_id").
		Where("account_id = ? AND session_id = 0 AND status = ?", accountID, StatusConfirmed).OrderExpr("forum_id").
		Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("listing the confirmed forums of account %d: %w", accountID, err)
	}
	return ids, nil
}
