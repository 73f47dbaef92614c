package registration

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
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

// FeedToken is the secret part of account accountID's calendar feed address. It names the
// account and the generation of its address enciphered (one AES block under a key drawn from
// the site's), so the address shows neither, and writing it down costs nothing: showing it
// writes nothing, and resetting the generation ends the old address. An HMAC makes it unforgeable.
func (l Links) FeedToken(accountID int64, generation int) string {
	var block [aes.BlockSize]byte
	binary.BigEndian.PutUint64(block[:8], uint64(accountID))
	binary.BigEndian.PutUint32(block[8:12], uint32(generation))
	l.feedCipher().Encrypt(block[:], block[:])
	return base64.RawURLEncoding.EncodeToString(block[:]) + "." + l.feedMAC(block[:])
}

func (l Links) feedCipher() cipher.Block {
	m := hmac.New(sha256.New, l.Key)
	m.Write([]byte("calendar-feed-cipher"))
	c, _ := aes.NewCipher(m.Sum(nil)) // a 32-byte key is always an AES-256 key
	return c
}

func (l Links) feedMAC(block []byte) string {
	m := hmac.New(sha256.New, l.Key)
	m.Write([]byte("calendar-feed:"))
	m.Write(block)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// FeedOf reads account accountID's current feed token.
func FeedOf(ctx context.Context, db bun.IDB, l Links, accountID int64) (string, error) {
	gen, err := generation(ctx, db, accountID)
	if err != nil {
		return "", err
	}
	return l.FeedToken(accountID, gen), nil
}

// FeedAccount checks a feed token and returns the account it is for: ErrBadFeed for a token
// that is not one, or is an earlier address, or whose account is gone.
func FeedAccount(ctx context.Context, db bun.IDB, l Links, token string) (int64, error) {
	blockPart, mac, ok := strings.Cut(token, ".")
	block, err := base64.RawURLEncoding.DecodeString(blockPart)
	if !ok || err != nil || len(block) != aes.BlockSize || !hmac.Equal([]byte(l.feedMAC(block)), []byte(mac)) {
		return 0, ErrBadFeed
	}
	l.feedCipher().Decrypt(block, block)
	id, gen := int64(binary.BigEndian.Uint64(block[:8])), int(binary.BigEndian.Uint32(block[8:12]))
	current, err := generation(ctx, db, id)
	if err != nil {
		return 0, err
	}
	if id < 1 || gen != current {
		return 0, ErrBadFeed
	}
	n, err := db.NewSelect().Table("accounts").Where("id = ?", id).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the account of a feed: %w", err)
	}
	if n == 0 {
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
